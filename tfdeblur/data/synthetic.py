"""Synthetic motion blur from sharp images, deterministic for a seed.

Three kinds (`KINDS`), mixed with weights by `blurred_crops` and `blurred_frame`,
each under a camera response drawn from those given (`tfdeblur.data.blur.RESPONSES`):
- `kernel`: one camera-shake PSF per image (Boracchi & Foi 2012), 10-25 px long,
  convolved in linear light, plus noise (`tfdeblur.data.blur`): uniform blur, as
  DeblurGAN's synthetic data and the embedded test split.
- `gopro`: the same PSFs with GoPro-like lengths, 10-50 px (`GOPRO_LENGTHS`).
- `warp`: GoPro-like, spatially varying blur. The sharp image is warped along a
  random camera path (shift of GoPro-like length, small rotation and zoom about
  the centre) and the warped frames are averaged in linear light, as GoPro's
  blurred frames average consecutive sharp frames of a moving camera. Rotation
  and zoom make the blur grow from the centre outwards.

Training crops draw their blur from a `blur_bank` per kind: thousands of PSFs or
camera paths drawn once per pipeline (in NumPy, vectorised), then picked by a
stateless random index inside the `tf.data` graph, and are blurred in chunks
(`blurred_crops`; one kind per chunk). The pipeline thus runs no Python per
example, never waits for the GIL, and costs a few TensorFlow ops per chunk
rather than per crop: on 2 cores it leaves the CPU to the training step.
"""

import numpy as np
import tensorflow as tf

from tfdeblur.data.blur import (
    DEFAULT_CAPTURE,
    GAMMA,
    MAX_NOISE_STD,
    NO_EXPOSURE,
    blur,
    develop,
    draw_gammas,
    light,
)
from tfdeblur.data.kernels import camera_shake_trajectories, random_kernels
from tfdeblur.data.pipeline import map_with_seeds

KINDS = ("kernel", "gopro", "warp")
KERNEL_SIZE = 27
KERNEL_LENGTHS = (10.0, 25.0)
# GoPro's blur averages 7-13 frames at 240 fps: over such windows the camera of the
# GoPro train clip GOPR0477_11_00 moves 8-27 px (7 frames) to 11-54 px (13 frames),
# 10th percentile to maximum of the frames' phase correlation: hence 10-50 px.
GOPRO_LENGTHS = (10.0, 50.0)
GOPRO_KERNEL_SIZE = 53
# The PSF kinds' (length range, canvas side); warp paths get the GoPro lengths' margin.
PSF_KINDS = {"kernel": (KERNEL_LENGTHS, KERNEL_SIZE), "gopro": (GOPRO_LENGTHS, GOPRO_KERNEL_SIZE)}
CANVAS = {**{kind: size for kind, (_, size) in PSF_KINDS.items()}, "warp": GOPRO_KERNEL_SIZE}
WARP_FRAMES = 15
MAX_ROTATION = np.deg2rad(1.5)
MAX_ZOOM = 0.015
BANK_SIZE = 2048  # blurs per training pipeline; x 8 flips and rotations of the crop
CHUNK = 16  # training crops blurred together


def random_psfs(seeds, length_range=KERNEL_LENGTHS, size=KERNEL_SIZE):
    """Camera-shake PSFs [len(seeds), size, size], one per integer seed (numpy)."""
    rngs = [np.random.default_rng(seed) for seed in seeds]
    return random_kernels(rngs, size, length_range)


def camera_paths(seeds, frames=WARP_FRAMES, length_range=GOPRO_LENGTHS):
    """Poses [len(seeds), frames, 4] (shift row, shift column, rotation, zoom) along smooth random paths.

    The shift follows a camera-shake trajectory; rotation and zoom drift
    linearly to random end values; each path is centred on its middle frame.
    """
    rngs = [np.random.default_rng(seed) for seed in seeds]
    positions = camera_shake_trajectories(rngs, [rng.uniform(*length_range) for rng in rngs], steps=frames)
    positions -= positions.mean(axis=1, keepdims=True)
    ramp = np.linspace(-0.5, 0.5, frames)
    rotation = ramp * np.array([[rng.uniform(-MAX_ROTATION, MAX_ROTATION)] for rng in rngs])
    zoom = ramp * np.array([[rng.uniform(-MAX_ZOOM, MAX_ZOOM)] for rng in rngs])
    return np.stack([positions.imag, positions.real, rotation, zoom], axis=-1).astype(np.float32)


def blur_bank(seed, kind="kernel", size=BANK_SIZE):
    """`size` random blurs of `kind` for training crops: a float32 tensor of PSFs [size, k, k]
    (kernel, gopro: k = CANVAS[kind]) or camera paths [size, WARP_FRAMES, 4] (warp), drawn from
    seeds (seed, i) for kernel, (seed, KINDS.index(kind), i) for the others."""
    if kind not in KINDS:
        raise ValueError(f"blur kind must be one of {KINDS}, got {kind!r}")
    if kind == "kernel":
        seeds = [(seed, index) for index in range(size)]
    else:
        seeds = [(seed, KINDS.index(kind), index) for index in range(size)]
    return tf.constant(_blurs(kind, seeds))


def _blurs(kind, seeds):
    """One blur of `kind` per integer seed (numpy): PSFs of `PSF_KINDS`, or camera paths (warp)."""
    return random_psfs(seeds, *PSF_KINDS[kind]) if kind in PSF_KINDS else camera_paths(seeds)


def _transforms(poses, height, width):
    """ImageProjectiveTransform rows mapping output pixels to input pixels for each pose."""
    shift_y, shift_x, angle, zoom = tf.unstack(poses, axis=-1)
    centre_y, centre_x = (tf.cast(height, tf.float32) - 1) / 2, (tf.cast(width, tf.float32) - 1) / 2
    scale = 1.0 + zoom
    cos, sin = tf.cos(angle) / scale, tf.sin(angle) / scale
    # input = R(angle) / scale * (output - centre) + centre - shift
    a0, a1 = cos, -sin
    b0, b1 = sin, cos
    a2 = centre_x - a0 * centre_x - a1 * centre_y - shift_x
    b2 = centre_y - b0 * centre_x - b1 * centre_y - shift_y
    zeros = tf.zeros_like(a0)
    return tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=-1)


def warp_blur(sharp, poses, noise_std=0.0, seed=(0, 0), gamma=GAMMA, exposure=NO_EXPOSURE):
    """Averages uint8 `sharp` [H, W, 3] warped to every pose [F, 4], in linear light; uint8 out.

    Batched: images [N, H, W, 3], poses [N, F, 4], `noise_std` a scalar or one per image and
    `gamma` (the camera response's exponent) a scalar or [N, 1, 1, 1]; `exposure` is the sensor's
    (`tfdeblur.data.blur.Exposure`).
    """
    batched = sharp.shape.rank == 4
    images, poses = (sharp, poses) if batched else (sharp[tf.newaxis], poses[tf.newaxis])
    count, frames = tf.shape(poses)[0], tf.shape(poses)[1]
    height, width = tf.shape(images)[1], tf.shape(images)[2]
    linear = light(tf.cast(images, tf.float32) / 255.0, gamma, exposure)
    warped = tf.raw_ops.ImageProjectiveTransformV3(
        images=tf.repeat(linear, frames, axis=0),  # image i's frames are rows i*F ... i*F + F - 1
        transforms=_transforms(tf.reshape(poses, [-1, 4]), height, width),
        output_shape=tf.stack([height, width]),
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="REFLECT",
    )
    warped = tf.reshape(warped, [count, frames, height, width, 3])
    return develop(tf.reduce_mean(warped, axis=1), gamma, noise_std, seed, batched, exposure)


def blurred_crops(images, crop_size, seed, mix, gammas=(GAMMA,), capture=DEFAULT_CAPTURE):
    """An endless dataset of {"blur", "sharp"} uint8 crop_size^2 pairs from an endless dataset of
    sharp uint8 `images` [H, W, 3]: a random window per image, blurred `CHUNK` at a time by a kind
    drawn from `mix` ({kind: weight}) and a random member of its `blur_bank`, each under a camera
    response drawn from `gammas` and a sensor drawn from `capture`.

    Each window has a margin of the largest kind's canvas, so the blur at a crop's border sees
    real pixels.
    """
    kinds = list(mix)
    banks = [blur_bank(seed, kind) for kind in kinds]
    logits = tf.math.log(tf.constant([[mix[kind] for kind in kinds]], tf.float32))
    margin = max(CANVAS[kind] for kind in kinds) - 1
    window = [crop_size + margin, crop_size + margin, 3]
    windows = map_with_seeds(
        images, lambda image, crop_seed: tf.image.stateless_random_crop(image, window, crop_seed), seed
    )

    def blur_chunk(chunk, chunk_seed):
        if len(banks) == 1:
            return blur_windows(chunk, chunk_seed, banks[0], crop_size, gammas, capture)
        kind_seed = tf.random.experimental.stateless_fold_in(chunk_seed, 1)
        pick = tf.random.stateless_categorical(logits, 1, kind_seed)
        branches = [
            lambda bank=bank: blur_windows(chunk, chunk_seed, bank, crop_size, gammas, capture)
            for bank in banks
        ]
        return tf.switch_case(tf.cast(pick[0, 0], tf.int32), branches)

    return map_with_seeds(windows.batch(CHUNK), blur_chunk, seed + 1).unbatch()


def blur_windows(windows, seed, bank, crop_size, gammas=(GAMMA,), capture=DEFAULT_CAPTURE):
    """{"blur", "sharp"} central crop_size^2 crops of uint8 windows [N, S, S, 3], each blurred by a
    random member of `bank` with its own camera response of `gammas` and sensor drawn from
    `capture` (a graph op)."""
    index_seed, noise_seed, std_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 3))
    count = tf.shape(windows)[0]
    gamma = draw_gammas(gammas, count, tf.random.experimental.stateless_fold_in(seed, 3))
    members = tf.gather(
        bank, tf.random.stateless_uniform([count], index_seed, maxval=bank.shape[0], dtype=tf.int32)
    )
    noise_std, exposure = capture.draw(count, std_seed)
    if bank.shape[1] == bank.shape[2]:  # PSFs: the valid convolution loses k - 1 pixels
        blurred = blur(windows, members, noise_std, noise_seed, gamma=gamma, exposure=exposure)
    else:
        blurred = warp_blur(windows, members, noise_std, noise_seed, gamma, exposure)
    return {"blur": _centre(blurred, crop_size), "sharp": _centre(windows, crop_size)}


def _centre(images, size):
    """The central size x size pixels of images [N, S, S, C] (S - size even)."""
    start = (images.shape[1] - size) // 2
    return images[:, start : start + size, start : start + size]


def blurred_frame(sharp, seed, mix=None, gammas=(GAMMA,), capture=DEFAULT_CAPTURE):
    """`sharp` uint8 [H, W, 3] blurred whole for an integer `seed` (eager; the same forever) by a
    kind of `mix` ({kind: weight}, default {"kernel": 1}) under a camera response of `gammas` and a
    sensor of `capture`, all drawn from the seed."""
    mix = mix or {"kernel": 1.0}
    rng = np.random.default_rng(seed)
    noise_std = rng.uniform(0.0, MAX_NOISE_STD)
    noise_seed = (int(rng.integers(2**31)), int(rng.integers(2**31)))
    blur_seed = int(rng.integers(2**63))
    kinds, weights = list(mix), np.array(list(mix.values()))
    kind = kinds[rng.choice(len(kinds), p=weights / weights.sum())] if len(kinds) > 1 else kinds[0]
    gamma = gammas[rng.choice(len(gammas))] if len(gammas) > 1 else gammas[0]
    members = _blurs(kind, [blur_seed])
    exposure = NO_EXPOSURE
    if capture != DEFAULT_CAPTURE:  # drawn after the others: the default capture's frames stay as they were
        noise_std, exposure = capture.draw(1, [int(rng.integers(2**31)), int(rng.integers(2**31))])
    if kind == "warp":
        return warp_blur(tf.constant(sharp), members[0], noise_std, noise_seed, gamma, exposure).numpy()
    return blur(tf.constant(sharp), members[0], noise_std, noise_seed, "REFLECT", gamma, exposure).numpy()
