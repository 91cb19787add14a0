"""Blur pairs from high-frame-rate frames, as GoPro made them:
`frames:PATH[,window=7-13][,stride=K][,holdout=N][,response=gamma][,scale=0.5-2]`.

PATH is a clip: a folder of consecutive frames (sorted by name) or a video file
(`.mp4`, `.mov`, ...: a phone's slow-motion clip, read with PyAV), or a folder of
clips (and `PATH/<split>` when it holds splits; `tfdeblur.data.clips`). `holdout=N`
splits every clip in time instead: its last N frames are the `test` split (for
validation), the frames before them the `train` split. A blurred image
is the average of N consecutive frames in linear light, the sharp target their
centre frame (index N // 2), as in GoPro (Nah et al. 2017). The camera response
`response=` is gamma 2.2 by default (`tfdeblur.data.blur.RESPONSES`): the curve
GoPro's `blur_gamma` images were averaged with, and the one our synthetic blur
uses; `linear` averages the encoded values as GoPro's `blur` images do, and
`gamma+linear` draws one per window (a phone's HDR or log video needs its own).

`window` is N: one number, or an inclusive range from which each window draws an
odd N (default 7-13, GoPro's), or several of these joined by `+` (`5-13+8+10`: the
even counts too; with an even N the later of the two middle frames is the target).
Training draws a fresh clip, window, N and crop per example from frames decoded
once into memory; evaluation takes consecutive windows every `stride` frames
(default: the largest N, so windows never overlap), N drawn from a fixed seed per
window: the same pairs every time.

`scale=LOW-HIGH` (training only) resizes each training window by a factor drawn
log-uniformly from that range (a crop of side crop_size / factor, at most the
frames' shorter side, resized after averaging): the clip as if filmed from nearer
or farther, its blur and its textures longer or shorter together.
"""

import tensorflow as tf

from tfdeblur.data import clips, windows
from tfdeblur.data.pipeline import FRAME_SIGNATURE
from tfdeblur.data.windows import FramesOptions

SPEC = "frames:PATH"
OPTIONS = windows.OPTIONS


def check(spec):
    """The spec's `FramesOptions`; InputError naming the spec."""
    clips.check_location(spec.argument, f"dataset spec {spec.text!r}")
    return FramesOptions.parse(spec.options, spec.text)


def evaluation_pairs(spec, split="test", **locations):
    """The windows of every clip of `split` (or of PATH itself when it has no splits)."""
    del locations
    options = spec.options
    found = windows.checked_clips(spec.argument, options.sizes, split, options.holdout)
    return tf.data.Dataset.from_generator(
        lambda: windows.window_pairs(found, options.sizes, options.evaluation_stride, options.gammas),
        output_signature=FRAME_SIGNATURE,
    )


def train_pairs(spec, crop_size, seed=0, **locations):
    """An endless dataset of {"blur", "sharp"} crops of the `train` clips (`windows.clip_crops`)."""
    del locations
    options = spec.options
    found = clips.find(spec.argument, "train", options.holdout)
    return windows.clip_crops(
        spec.text, found, options.sizes, crop_size, seed, options.gammas, options.scales
    )
