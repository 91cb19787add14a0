"""Blur pairs averaged from windows of consecutive high-frame-rate frames, as GoPro made them
(Nah et al. 2017), and `FramesOptions`, the settings that choose them: the machinery under the
`frames:` source and a photo source's `frames=` mix (`tfdeblur.data.mix`).

A blurred image is the average of N consecutive frames in linear light (under the camera
response, `tfdeblur.data.blur.RESPONSES`), the sharp target their centre frame (index N // 2).
Training draws a fresh clip, window, N and crop per example from frames decoded once into
memory; evaluation takes consecutive windows every `stride` frames, N drawn from a fixed seed
per window: the same pairs every time.
"""

import dataclasses

import numpy as np
import tensorflow as tf

from tfdeblur.data import clips
from tfdeblur.data.blur import (
    GAMMA,
    RESPONSE_OPTION,
    RESPONSES,
    draw_gammas,
    from_linear,
    quantize,
    responses,
    to_linear,
)
from tfdeblur.data.pipeline import CACHE_BUDGET_BYTES
from tfdeblur.errors import InputError
from tfdeblur.images import to_float, to_uint8

# The spec settings of frame windows: {name: regex of its values}.
OPTIONS = {
    "window": r"\d+(-\d+)?(\+\d+(-\d+)?)*",
    "stride": r"[1-9]\d*",
    "holdout": r"[1-9]\d*",
    "response": RESPONSE_OPTION,
    "scale": r"\d+(\.\d*)?-\d+(\.\d*)?",
}
DEFAULT_WINDOW = "7-13"
MAX_WINDOW = 1000  # frames in one blurred image: 4 s at 240 fps
TEST_SEED = 20240611  # fixed forever: the evaluation windows' sizes


@dataclasses.dataclass(frozen=True)
class FramesOptions:
    """The frame-window settings of a spec, parsed once (`parse`).

    `sizes`: the frame counts N of `window=` (`window_sizes`); `stride`: frames between
    evaluation windows (`stride=`, default the largest N, so windows never overlap);
    `holdout`: each clip's last frames kept for the `test` split (`holdout=`); `gammas`: the
    camera responses' exponents of `response=`; `scales`: the (low, high) resize factors of
    training windows (`scale=`, (1, 1) without one).
    """

    sizes: tuple = (7, 9, 11, 13)
    stride: int | None = None
    holdout: int | None = None
    gammas: tuple = (GAMMA,)
    scales: tuple = (1.0, 1.0)

    @classmethod
    def parse(cls, options, spec_text):
        """From a spec's {setting: value} strings; InputError naming the spec `spec_text`."""
        sizes = tuple(window_sizes(options.get("window", DEFAULT_WINDOW)))
        gammas = tuple(responses(options.get("response", "gamma")))
        low, _, high = options.get("scale", "1-1").partition("-")
        low, high = float(low), float(high)
        if not 0 < low <= high:
            raise InputError(f"dataset spec {spec_text!r}: scale={low:g}-{high:g} needs 0 < low <= high")
        return cls(
            sizes=sizes,
            stride=int(options["stride"]) if "stride" in options else None,
            holdout=int(options["holdout"]) if "holdout" in options else None,
            gammas=gammas,
            scales=(low, high),
        )

    @property
    def evaluation_stride(self):
        return self.stride or max(self.sizes)


def window_sizes(window):
    """The frame counts a `window` setting allows, sorted: "9" -> [9], "7-13" -> [7, 9, 11, 13]
    (a range's odd counts), "7-11+8" -> [7, 8, 9, 11]. A count of 1 pairs a sharp frame with itself:
    training examples of what to leave alone."""
    sizes = set()
    for term in window.split("+"):
        low, _, high = term.partition("-")
        numbers = (low, high or low)
        low, high = (int(number) if number.isdigit() else 0 for number in numbers)
        if low < 1 or high < low or high > MAX_WINDOW:
            raise InputError(
                f"window={window}: give frame counts from 1 to {MAX_WINDOW} joined by '+', each a number "
                "or a range low-high holding an odd count"
            )
        found = [low] if low == high else [size for size in range(low, high + 1) if size % 2]
        if not found:
            raise InputError(f"window={window}: the range {term} holds no odd frame count")
        sizes.update(found)
    return sorted(sizes)


def checked_clips(root, sizes, split=None, holdout=None):
    """`clips.find`, each clip checked (`Clip.check`) for the largest window of `sizes`."""
    found = clips.find(root, split, holdout)
    for clip in found.values():
        clip.check(max(sizes))
    return found


def average(frames, gamma=GAMMA):
    """{"blur", "sharp"} of uint8 frames [N, H, W, 3]: their mean in linear light (under the camera
    response of exponent `gamma`), and the centre frame."""
    linear = to_linear(tf.cast(frames, tf.float32) / 255.0, gamma)
    mean = tf.reduce_mean(linear, axis=0, keepdims=True)
    blurred = quantize(from_linear(mean, gamma), 0.0, [0, 0], batched=False)
    return {"blur": blurred, "sharp": frames[tf.shape(frames)[0] // 2]}


def windows(count, sizes, stride, seeds, gammas=(GAMMA,)):
    """[(first frame, N, gamma)] of the evaluation windows of a clip of `count` frames, every `stride`
    frames, N drawn from `sizes` and the camera response from `gammas` by
    `np.random.default_rng(seeds + [window index])`."""
    found = []
    for index, first in enumerate(range(0, count - max(sizes) + 1, stride)):
        rng = np.random.default_rng([*seeds, index])
        size = int(rng.choice(sizes))
        found.append((first, size, gammas[rng.choice(len(gammas))] if len(gammas) > 1 else gammas[0]))
    return found


def window_pairs(found, sizes, stride, gammas=(GAMMA,)):
    """Every window (`windows`) of every clip of `found` ({name: Clip}, checked) as full-size uint8
    {"blur", "sharp", "name": "<clip>/<first frame>_<N>"} (and "_<response>" when `gammas` has
    several). Frames are decoded once, in order, and held only while a window still needs them."""
    names = {gamma: f"_{name}" if len(gammas) > 1 else "" for name, gamma in RESPONSES.items()}
    for clip_index, clip in enumerate(found.values()):
        wanted = windows(len(clip), sizes, stride, [TEST_SEED, clip_index], gammas)
        decoded, held = enumerate(clip.frames()), {}
        for window_index, (first, size, gamma) in enumerate(wanted):
            while first + size - 1 not in held:
                index, frame = next(decoded)
                held[index] = frame
            frames = tf.constant(np.stack([held[index] for index in range(first, first + size)]))
            pair = average(frames, gamma)
            yield {
                **{key: value.numpy() for key, value in pair.items()},
                "name": f"{clip.name}/{clip.frame_name(first)}_{size}{names[gamma]}",
            }
            following = wanted[window_index + 1][0] if window_index + 1 < len(wanted) else len(clip)
            held = {index: frame for index, frame in held.items() if index >= following}


def clip_crops(source, found, sizes, crop_size, seed, gammas=(GAMMA,), scales=(1.0, 1.0)):
    """An endless dataset of {"blur", "sharp"} crops of clips `found` ({name: Clip}; `source` names
    them in errors): per example a random clip (by its length), window size of `sizes`, first
    frame, crop, camera response of `gammas` and resize factor (log-uniform in `scales`),
    averaged from frames held in memory."""
    # The memory the decoded clips need, from each clip's first frame, before decoding them all.
    shapes = {name: next(clip.frames()).shape[:2] for name, clip in found.items()}
    total = sum(len(found[name]) * height * width * 3 for name, (height, width) in shapes.items())
    if total > CACHE_BUDGET_BYTES:
        raise InputError(
            f"{source}: {total / 2**30:.1f} GiB of decoded frames exceed the "
            f"{CACHE_BUDGET_BYTES / 2**30:.0f} GiB in-memory budget; write pairs with "
            "`tfdeblur synthesize --mode=frames` and train on folder:OUT"
        )
    for name, (height, width) in shapes.items():
        if min(height, width) < crop_size:
            raise InputError(
                f"clip {name!r}: {height}x{width} frames are smaller than --crop_size={crop_size}"
            )
    streams = []
    for index, clip in enumerate(found.values()):
        frames = clip.read()  # decoded once: checked, then held for training
        clip.check(max(sizes), frames)
        streams.append(_crops_of_clip(np.stack(frames), sizes, crop_size, seed + index, gammas, scales))
    weights = [len(clip) for clip in found.values()]
    return tf.data.Dataset.sample_from_datasets(streams, [w / sum(weights) for w in weights], seed=seed)


def _crops_of_clip(frames, sizes, crop_size, seed, gammas, scales):
    """Endless random window crops of one clip's uint8 frames [T, H, W, 3] (held in a variable)."""
    clip = tf.Variable(frames, trainable=False)
    count, height, width = frames.shape[:3]
    choices = tf.constant(sizes)
    log_scales, resize = np.log(scales), scales != (1.0, 1.0)

    def crop(window_seed):
        size_seed, first_seed, crop_seed = tf.unstack(tf.random.experimental.stateless_split(window_seed, 3))
        pick = tf.random.stateless_uniform([], size_seed, maxval=len(sizes), dtype=tf.int32)
        size = tf.gather(choices, pick)
        first = tf.random.stateless_uniform([], first_seed, maxval=count - size + 1, dtype=tf.int32)
        side = crop_size
        if resize:  # its own seed: the other draws of a window are the same with or without it
            scale_seed = tf.random.experimental.stateless_fold_in(window_seed, 4)
            scale = tf.exp(tf.random.stateless_uniform([], scale_seed, *log_scales))
            side = tf.minimum(tf.cast(tf.round(crop_size / scale), tf.int32), min(height, width))
        top, left = tf.unstack(
            tf.random.stateless_uniform([2], crop_seed, maxval=tf.int32.max, dtype=tf.int32)
            % [height - side + 1, width - side + 1]
        )
        window = clip[first : first + size, top : top + side, left : left + side]
        gamma = draw_gammas(gammas, 1, tf.random.experimental.stateless_fold_in(window_seed, 3))
        pair = average(window, gamma)
        if resize:
            return {key: _resized(image, crop_size) for key, image in pair.items()}
        return {key: tf.ensure_shape(image, [crop_size, crop_size, 3]) for key, image in pair.items()}

    seeds = tf.data.Dataset.random(seed=seed).batch(2)  # endless: one stateless seed per example
    return seeds.map(crop, num_parallel_calls=tf.data.AUTOTUNE)


def _resized(image, side):
    """A uint8 image [S, S, 3] resized to [side, side, 3] (antialiased: area-like when shrinking)."""
    return to_uint8(tf.image.resize(to_float(image), [side, side], antialias=True))
