"""The blur mix of the photo sources (`embedded`, `synthetic:`): `mix=`, `frames=`, `holdout=`.

`mix=KIND[:WEIGHT]+KIND[:WEIGHT]...` weighs the kinds of blur a training crop is
drawn from: the synthetic kinds of `tfdeblur.data.synthetic` (`kernel`, `gopro`,
`warp`) applied to the source's sharp photos, and `frames`: real motion blur,
windows of consecutive high-frame-rate frames of the clips in `frames=PATH`
(as `frames:PATH` makes them, `holdout=N` keeping each clip's last N frames out and
`window=` drawing their frame counts, default 7-13, `scale=` their resize factors).
`response=gamma|linear|gamma+linear` is the camera response every kind averages
light under (`tfdeblur.data.blur.RESPONSES`; default gamma, several: one per crop).
`noise=encoded|sensor` and `saturation=GAIN` set the synthetic kinds' sensor
(`tfdeblur.data.blur.Capture`, after RSBlur): Gaussian noise on the encoded values
(default) or Poisson-Gaussian noise in linear light; highlights up to GAIN times
brighter than they show, clipped after blurring (default 1: none).
E.g. `embedded,mix=kernel+gopro+warp+frames:3,frames=clips,holdout=39`: half the
crops real blur, the other half the three synthetic kinds alike.
"""

import dataclasses

import tensorflow as tf

from tfdeblur.data import clips, synthetic, windows
from tfdeblur.data.blur import DEFAULT_CAPTURE, NOISES, RESPONSE_OPTION, Capture
from tfdeblur.data.windows import FramesOptions
from tfdeblur.errors import InputError

KINDS = (*synthetic.KINDS, "frames")
_TERM = rf"({'|'.join(KINDS)})(:\d+(\.\d*)?)?"
OPTIONS = {
    "mix": rf"{_TERM}(\+{_TERM})*",
    "frames": r".+",
    "holdout": windows.OPTIONS["holdout"],
    "window": windows.OPTIONS["window"],
    "response": RESPONSE_OPTION,
    "scale": windows.OPTIONS["scale"],
    "noise": "|".join(NOISES),
    "saturation": r"\d+(\.\d*)?",
}


@dataclasses.dataclass(frozen=True)
class MixOptions:
    """A photo source's blur settings, parsed once (`parse`): `weights` ({kind: weight} of `mix=`,
    zero weights dropped), `clips` (the folder of `frames=`, or None), `frames` (the windows'
    `FramesOptions`, whose camera responses every kind averages light under) and `capture` (the
    synthetic kinds' sensor)."""

    weights: dict
    clips: str | None
    frames: FramesOptions
    capture: Capture = DEFAULT_CAPTURE

    @property
    def gammas(self):
        return self.frames.gammas

    @property
    def synthetic(self):
        """{kind: weight} of the synthetic kinds alone."""
        return {kind: weight for kind, weight in self.weights.items() if kind != "frames"}

    @property
    def margin(self):
        """The margin around a crop the synthetic kinds need (their largest canvas - 1)."""
        return max((synthetic.CANVAS[kind] - 1 for kind in self.synthetic), default=0)


def parse(spec, default):
    """The `MixOptions` of `spec`'s settings (`mix=`, or `default`, a mix string), checked against
    its `frames` and `holdout` settings; InputError naming the spec."""
    mix = {}
    for term in spec.options.get("mix", default).split("+"):
        kind, _, weight = term.partition(":")
        if kind in mix:
            raise InputError(f"dataset spec {spec.text!r}: {kind!r} appears twice in the mix")
        mix[kind] = float(weight or 1)
    if not sum(mix.values()):
        raise InputError(f"dataset spec {spec.text!r}: the mix's weights are all 0")
    location = spec.options.get("frames")
    if ("frames" in mix) != (location is not None):
        raise InputError(
            f"dataset spec {spec.text!r}: real frame windows need both a frames weight in mix= "
            "and the clips' folder, frames=PATH"
        )
    for setting in ("holdout", "window", "scale"):
        if setting in spec.options and location is None:
            raise InputError(f"dataset spec {spec.text!r}: {setting}= applies to frames=PATH, not given")
    if location is not None:
        clips.check_location(location, f"dataset spec {spec.text!r}")
    weights = {kind: weight for kind, weight in mix.items() if weight}
    saturation = float(spec.options.get("saturation", 1))
    if saturation < 1:
        raise InputError(f"dataset spec {spec.text!r}: saturation={saturation:g} is a gain, at least 1")
    capture = Capture(spec.options.get("noise", "encoded"), saturation)
    return MixOptions(weights, location, FramesOptions.parse(spec.options, spec.text), capture)


def train_pairs(source, options, images, crop_size, seed):
    """An endless dataset of {"blur", "sharp"} crops drawn by `options` (`MixOptions`; `source` names
    the spec in errors): synthetic kinds blur crops of the endless dataset of sharp uint8 `images`,
    `frames` averages clip windows."""
    streams, weights = [], []
    if options.synthetic:
        blurs, gammas, capture = options.synthetic, options.gammas, options.capture
        streams.append(synthetic.blurred_crops(images, crop_size, seed, blurs, gammas, capture))
        weights.append(sum(options.synthetic.values()))
    if "frames" in options.weights:
        frames = options.frames
        found = clips.find(options.clips, "train", frames.holdout)
        streams.append(
            windows.clip_crops(source, found, frames.sizes, crop_size, seed, frames.gammas, frames.scales)
        )
        weights.append(options.weights["frames"])
    if len(streams) == 1:
        return streams[0]
    return tf.data.Dataset.sample_from_datasets(streams, [w / sum(weights) for w in weights], seed=seed)
