"""Blur pairs from high-frame-rate frames, as GoPro made them: `frames:PATH[,window=7-13][,stride=K]`.

PATH is a folder of consecutive frames (sorted by name), or a folder of such
folders, one per clip (and `PATH/<split>` when it holds splits). A blurred image
is the average of N consecutive frames in linear light, the sharp target their
centre frame (index N // 2), as in GoPro (Nah et al. 2017). The camera response
is taken as gamma 2.2 (`tfdeblur.data.blur`): the curve GoPro's `blur_gamma`
images were averaged with, and the one our synthetic blur uses, so real and
synthetic blur share one light model (a phone's HDR or log video needs its own).

`window` is N: one number, or an inclusive range from which each window draws an
odd N (default 7-13, GoPro's). Training draws a fresh clip, window, N and crop
per example from frames decoded once into memory; evaluation takes consecutive
windows every `stride` frames (default: the largest N, so windows never
overlap), N drawn from a fixed seed per window: the same pairs every time.
"""

import os

import numpy as np
import tensorflow as tf

from tfdeblur.data.blur import from_linear, quantize, to_linear
from tfdeblur.data.files import (
    check_images,
    folder_argument,
    image_files,
    read_image,
    read_images,
    split_folder,
)
from tfdeblur.data.pipeline import CACHE_BUDGET_BYTES, FRAME_SIGNATURE
from tfdeblur.errors import InputError

SPEC = "frames:PATH"
OPTIONS = {"window": r"\d+(-\d+)?", "stride": r"[1-9]\d*"}
DEFAULT_WINDOW = "7-13"
TEST_SEED = 20240611  # fixed forever: the evaluation windows' sizes


def check(spec):
    folder_argument(spec)
    window_sizes(spec.options.get("window", DEFAULT_WINDOW))


def window_sizes(window):
    """The frame counts a `window` setting allows: "9" -> [9], "7-13" -> [7, 9, 11, 13] (odd ones)."""
    low, _, high = window.partition("-")
    low, high = int(low), int(high or low)
    sizes = [low] if low == high else [size for size in range(low, high + 1) if size % 2]
    if low < 2 or high < low or not sizes:
        raise InputError(
            f"window={window}: give a frame count >= 2, or a range low-high holding an odd count"
        )
    return sizes


def clips(root, split=None):
    """{clip name: sorted frame paths} under `root` (or `root/<split>`): `root` itself if it holds
    frames, else each sub-folder that does. InputError if there are none."""
    root = split_folder(root, split)
    found = {}
    frames = image_files(root)
    if frames:
        found[os.path.basename(os.path.normpath(root))] = [frames[name] for name in sorted(frames)]
    else:
        for name in sorted(os.listdir(root)):
            if os.path.isdir(os.path.join(root, name)):
                frames = image_files(os.path.join(root, name))
                if frames:
                    found[name] = [frames[stem] for stem in sorted(frames)]
    if not found:
        raise InputError(f"{root}: no frames (PNG, JPEG or BMP images, or folders of them)")
    return found


def check_clip(name, paths, window, shapes=None):
    """InputError naming a clip shorter than the window or a frame whose size differs from the
    clip's first; `shapes` are the frames' [H, W], found by decoding each once if not given.
    Returns the clip's [H, W]."""
    if len(paths) < window:
        folder = os.path.dirname(paths[0])
        raise InputError(
            f"{folder}: {len(paths)} frames in clip {name!r}, fewer than the {window}-frame window"
        )
    shapes = check_images(paths) if shapes is None else shapes
    for path, shape in zip(paths, shapes):
        if shape != shapes[0]:
            raise InputError(
                f"{path} is {shape[0]}x{shape[1]} but {paths[0]} is {shapes[0][0]}x{shapes[0][1]}: "
                "the frames of a clip must have one size"
            )
    return shapes[0]


def checked_clips(root, sizes, split=None):
    """`clips`, each checked (`check_clip`) for the largest window of `sizes`."""
    found = clips(root, split)
    for name, paths in found.items():
        check_clip(name, paths, max(sizes))
    return found


def average(frames):
    """{"blur", "sharp"} of uint8 frames [N, H, W, 3]: their mean in linear light, and the centre frame."""
    linear = to_linear(tf.cast(frames, tf.float32) / 255.0)
    blurred = quantize(from_linear(tf.reduce_mean(linear, axis=0, keepdims=True)), 0.0, [0, 0], batched=False)
    return {"blur": blurred, "sharp": frames[tf.shape(frames)[0] // 2]}


def windows(count, sizes, stride, seeds):
    """[(first frame, N)] of the evaluation windows of a clip of `count` frames, every `stride` frames,
    N drawn from `sizes` by `np.random.default_rng(seeds + [window index])`."""
    found = []
    for index, first in enumerate(range(0, count - max(sizes) + 1, stride)):
        found.append((first, int(np.random.default_rng([*seeds, index]).choice(sizes))))
    return found


def window_pairs(found, sizes, stride):
    """Every window (`windows`) of every clip of `found` ({name: frame paths}, checked) as full-size
    uint8 {"blur", "sharp", "name": "<clip>/<first frame>_<N>"}, read eagerly."""
    for clip_index, (name, paths) in enumerate(found.items()):
        for first, size in windows(len(paths), sizes, stride, [TEST_SEED, clip_index]):
            frames = tf.constant(np.stack([read_image(path) for path in paths[first : first + size]]))
            stem = os.path.splitext(os.path.basename(paths[first]))[0]
            yield {
                **{key: value.numpy() for key, value in average(frames).items()},
                "name": f"{name}/{stem}_{size}",
            }


def evaluation_pairs(spec, split="test", **locations):
    """The windows of every clip of `split` (or of PATH itself when it has no splits)."""
    del locations
    sizes = window_sizes(spec.options.get("window", DEFAULT_WINDOW))
    found = checked_clips(spec.argument, sizes, split)
    stride = int(spec.options.get("stride", max(sizes)))
    return tf.data.Dataset.from_generator(
        lambda: window_pairs(found, sizes, stride), output_signature=FRAME_SIGNATURE
    )


def train_pairs(spec, crop_size, seed=0, **locations):
    """An endless dataset of {"blur", "sharp"} crops: per example a random clip (by its length),
    window size, first frame and crop, averaged from frames held in memory."""
    del locations
    sizes = window_sizes(spec.options.get("window", DEFAULT_WINDOW))
    found = clips(spec.argument, "train")
    # The memory the decoded clips need, from each clip's first frame, before decoding them all.
    shapes = {name: read_image(paths[0]).shape[:2] for name, paths in found.items()}
    total = sum(len(found[name]) * height * width * 3 for name, (height, width) in shapes.items())
    if total > CACHE_BUDGET_BYTES:
        raise InputError(
            f"{spec.text}: {total / 2**30:.1f} GiB of decoded frames exceed the "
            f"{CACHE_BUDGET_BYTES / 2**30:.0f} GiB in-memory budget; write pairs with "
            "`tfdeblur synthesize --mode=frames` and train on folder:OUT"
        )
    for name, (height, width) in shapes.items():
        if min(height, width) < crop_size:
            raise InputError(
                f"clip {name!r}: {height}x{width} frames are smaller than --crop_size={crop_size}"
            )
    streams = []
    for index, (name, paths) in enumerate(found.items()):
        frames = read_images(paths)  # decoded once: checked, then held for training
        check_clip(name, paths, max(sizes), [frame.shape[:2] for frame in frames])
        streams.append(_clip_crops(np.stack(frames), sizes, crop_size, seed + index))
    weights = [len(paths) for paths in found.values()]
    return tf.data.Dataset.sample_from_datasets(streams, [w / sum(weights) for w in weights], seed=seed)


def _clip_crops(frames, sizes, crop_size, seed):
    """Endless random window crops of one clip's uint8 frames [T, H, W, 3] (held in a variable)."""
    clip = tf.Variable(frames, trainable=False)
    count, height, width = frames.shape[:3]
    choices = tf.constant(sizes)

    def crop(window_seed):
        size_seed, first_seed, crop_seed = tf.unstack(tf.random.experimental.stateless_split(window_seed, 3))
        pick = tf.random.stateless_uniform([], size_seed, maxval=len(sizes), dtype=tf.int32)
        size = tf.gather(choices, pick)
        first = tf.random.stateless_uniform([], first_seed, maxval=count - size + 1, dtype=tf.int32)
        top, left = tf.unstack(
            tf.random.stateless_uniform([2], crop_seed, maxval=tf.int32.max, dtype=tf.int32)
            % [height - crop_size + 1, width - crop_size + 1]
        )
        window = clip[first : first + size, top : top + crop_size, left : left + crop_size]
        return average(tf.ensure_shape(window, [None, crop_size, crop_size, 3]))

    seeds = tf.data.Dataset.random(seed=seed).batch(2)  # endless: one stateless seed per example
    return seeds.map(crop, num_parallel_calls=tf.data.AUTOTUNE)
