"""The blur mix of the photo sources (`embedded`, `synthetic:`): `mix=`, `frames=`, `holdout=`.

`mix=KIND[:WEIGHT]+KIND[:WEIGHT]...` weighs the kinds of blur a training crop is
drawn from: the synthetic kinds of `tfdeblur.data.synthetic` (`kernel`, `gopro`,
`warp`) applied to the source's sharp photos, and `frames`: real motion blur,
windows of consecutive high-frame-rate frames of the clips in `frames=PATH`
(as `frames:PATH` makes them, `holdout=N` keeping each clip's last N frames out and
`window=` drawing their frame counts, default 7-13, `scale=` their resize factors).
`response=gamma|linear|gamma+linear` is the camera response every kind averages
light under (`tfdeblur.data.blur.RESPONSES`; default gamma, several: one per crop).
E.g. `embedded,mix=kernel+gopro+warp+frames:3,frames=clips,holdout=39`: half the
crops real blur, the other half the three synthetic kinds alike.
"""

import tensorflow as tf

from tfdeblur.data import clips, synthetic
from tfdeblur.data.blur import RESPONSE_OPTION
from tfdeblur.data.sources import frames
from tfdeblur.errors import InputError

KINDS = (*synthetic.KINDS, "frames")
_TERM = rf"({'|'.join(KINDS)})(:\d+(\.\d*)?)?"
OPTIONS = {
    "mix": rf"{_TERM}(\+{_TERM})*",
    "frames": r".+",
    "holdout": r"[1-9]\d*",
    "window": frames.OPTIONS["window"],
    "response": RESPONSE_OPTION,
    "scale": frames.OPTIONS["scale"],
}


def parse(spec, default):
    """{kind: weight} of `spec`'s `mix` setting (or `default`, a mix string), checked against its
    `frames` and `holdout` settings; InputError naming the spec."""
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
    frames.frame_counts(spec)
    frames.response_gammas(spec)
    frames.scale_range(spec)
    return {kind: weight for kind, weight in mix.items() if weight}


def margin(mix):
    """The margin around a crop the synthetic kinds of `mix` need (their largest canvas - 1)."""
    return max((synthetic.CANVAS[kind] - 1 for kind in mix if kind != "frames"), default=0)


def train_pairs(spec, mix, images, crop_size, seed):
    """An endless dataset of {"blur", "sharp"} crops drawn by `mix` (from `parse`): synthetic kinds
    blur crops of the endless dataset of sharp uint8 `images`, `frames` averages clip windows."""
    blurs = {kind: weight for kind, weight in mix.items() if kind != "frames"}
    gammas = frames.response_gammas(spec)
    streams, weights = [], []
    if blurs:
        streams.append(synthetic.blurred_crops(images, crop_size, seed, blurs, gammas))
        weights.append(sum(blurs.values()))
    if "frames" in mix:
        found = clips.find(spec.options["frames"], "train", frames.holdout(spec))
        sizes = frames.frame_counts(spec)
        scales = frames.scale_range(spec)
        streams.append(frames.clip_crops(spec.text, found, sizes, crop_size, seed, gammas, scales))
        weights.append(mix["frames"])
    if len(streams) == 1:
        return streams[0]
    return tf.data.Dataset.sample_from_datasets(streams, [w / sum(weights) for w in weights], seed=seed)
