"""Synthetic motion blur from sharp images, deterministic for a seed.

Two modes:
- `kernel`: one camera-shake PSF per image (Boracchi & Foi 2012) convolved in
  linear light, plus noise (`tfdeblur.data.blur`): uniform blur, as DeblurGAN's
  synthetic data.
- `warp`: GoPro-like, spatially varying blur. The sharp image is warped along a
  random camera path (shift, small rotation and zoom about the centre) and the
  warped frames are averaged in linear light, as GoPro's blurred frames average
  consecutive sharp frames of a moving camera. Rotation and zoom make the blur
  grow from the centre outwards.

Training crops draw their blur from a `blur_bank`: thousands of PSFs or camera
paths drawn once per pipeline (in NumPy, vectorised), then picked by a
stateless random index inside the `tf.data` graph, and are blurred in chunks
(`blurred_crops`). The pipeline thus runs no Python per example, never waits
for the GIL, and costs a few TensorFlow ops per chunk rather than per crop: on
2 cores it leaves the CPU to the training step.
"""

import numpy as np
import tensorflow as tf

from tfdeblur.data.blur import blur, from_linear, quantize, to_linear
from tfdeblur.data.kernels import camera_shake_trajectories, random_kernels
from tfdeblur.data.pipeline import map_with_seeds

MODES = ("kernel", "warp")
KERNEL_SIZE = 27
KERNEL_LENGTHS = (10.0, 25.0)
MAX_NOISE_STD = 0.01
WARP_FRAMES = 15
MAX_ROTATION = np.deg2rad(1.5)
MAX_ZOOM = 0.015
BANK_SIZE = 2048  # blurs per training pipeline; x 8 flips and rotations of the crop
CHUNK = 16  # training crops blurred together


def random_psfs(seeds, length_range=KERNEL_LENGTHS):
    """Camera-shake PSFs [len(seeds), KERNEL_SIZE, KERNEL_SIZE], one per integer seed (numpy)."""
    rngs = [np.random.default_rng(seed) for seed in seeds]
    return random_kernels(rngs, KERNEL_SIZE, length_range)


def camera_paths(seeds, frames=WARP_FRAMES, length_range=KERNEL_LENGTHS):
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


def blur_bank(seed, mode="kernel", size=BANK_SIZE):
    """`size` random blurs of `mode` for training crops, drawn from seeds (seed, i): a float32
    tensor of PSFs [size, KERNEL_SIZE, KERNEL_SIZE] (kernel) or camera paths [size, WARP_FRAMES, 4] (warp)."""
    if mode not in MODES:
        raise ValueError(f"blur mode must be one of {MODES}, got {mode!r}")
    seeds = [(seed, index) for index in range(size)]
    return tf.constant(random_psfs(seeds) if mode == "kernel" else camera_paths(seeds))


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


def warp_blur(sharp, poses, noise_std=0.0, seed=(0, 0)):
    """Averages uint8 `sharp` [H, W, 3] warped to every pose [F, 4], in linear light; uint8 out.

    Batched: images [N, H, W, 3], poses [N, F, 4] and `noise_std` a scalar or one per image.
    """
    batched = sharp.shape.rank == 4
    images, poses = (sharp, poses) if batched else (sharp[tf.newaxis], poses[tf.newaxis])
    count, frames = tf.shape(poses)[0], tf.shape(poses)[1]
    height, width = tf.shape(images)[1], tf.shape(images)[2]
    linear = to_linear(tf.cast(images, tf.float32) / 255.0)
    warped = tf.raw_ops.ImageProjectiveTransformV3(
        images=tf.repeat(linear, frames, axis=0),  # image i's frames are rows i*F ... i*F + F - 1
        transforms=_transforms(tf.reshape(poses, [-1, 4]), height, width),
        output_shape=tf.stack([height, width]),
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="REFLECT",
    )
    warped = tf.reshape(warped, [count, frames, height, width, 3])
    return quantize(from_linear(tf.reduce_mean(warped, axis=1)), noise_std, seed, batched)


def blurred_crops(images, crop_size, seed, bank):
    """An endless dataset of {"blur", "sharp"} uint8 crop_size^2 pairs from an endless dataset of
    sharp uint8 `images` [H, W, 3]: a random window per image, blurred `CHUNK` at a time by
    random members of `bank` (a `blur_bank`; its shape says the mode).

    Each window has a kernel-sized margin, so the blur at a crop's border sees real pixels.
    """
    margin = KERNEL_SIZE - 1
    window = [crop_size + margin, crop_size + margin, 3]
    windows = map_with_seeds(
        images, lambda image, crop_seed: tf.image.stateless_random_crop(image, window, crop_seed), seed
    )
    return map_with_seeds(
        windows.batch(CHUNK), lambda chunk, chunk_seed: blur_windows(chunk, chunk_seed, bank), seed + 1
    ).unbatch()


def blur_windows(windows, seed, bank):
    """{"blur", "sharp"} crops of uint8 windows [N, S, S, 3], each blurred by a random member of
    `bank` with its own noise level, cut to [N, S - KERNEL_SIZE + 1, ...] (a graph op)."""
    index_seed, noise_seed, std_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 3))
    count = tf.shape(windows)[0]
    members = tf.gather(
        bank, tf.random.stateless_uniform([count], index_seed, maxval=bank.shape[0], dtype=tf.int32)
    )
    noise_std = tf.random.stateless_uniform([count], std_seed, maxval=MAX_NOISE_STD)
    half = (KERNEL_SIZE - 1) // 2
    inner = slice(half, windows.shape[1] - half)
    if bank.shape[1:] == (KERNEL_SIZE, KERNEL_SIZE):
        blurred = blur(windows, members, noise_std, noise_seed)
    else:
        blurred = warp_blur(windows, members, noise_std, noise_seed)[:, inner, inner]
    return {"blur": blurred, "sharp": windows[:, inner, inner]}


def blurred_frame(sharp, seed, mode="kernel"):
    """`sharp` uint8 [H, W, 3] blurred whole by `mode` for an integer `seed` (eager; the same forever)."""
    rng = np.random.default_rng(seed)
    noise_std = rng.uniform(0.0, MAX_NOISE_STD)
    noise_seed = (int(rng.integers(2**31)), int(rng.integers(2**31)))
    blur_seed = int(rng.integers(2**63))
    if mode == "kernel":
        kernel = random_psfs([blur_seed])[0]
        return blur(tf.constant(sharp), kernel, noise_std, noise_seed, padding="REFLECT").numpy()
    return warp_blur(tf.constant(sharp), camera_paths([blur_seed])[0], noise_std, noise_seed).numpy()
