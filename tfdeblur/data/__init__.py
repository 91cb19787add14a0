"""Datasets by spec: files -> tf.data pairs of uint8 {"blur", "sharp"} images.

A spec is `SOURCE`, `SOURCE/ARGUMENT` or `SOURCE:ARGUMENT`, then optional
`,option=value` settings, e.g. `synthetic:photos,mix=warp`. Each source is one
module of `tfdeblur.data.sources`, registered in `SOURCES`:

- `embedded` (default): scikit-image photos blurred on the fly, fixed held-out split
  (`,mix=...,frames=PATH`: other blur, real frame windows too; `tfdeblur.data.mix`);
- `gopro/blur`, `gopro/blur_gamma`: the GoPro TFDS builder (`data_dir`, `manual_dir`);
- `folder:PATH`: your pairs, `PATH/blur/*` and `PATH/sharp/*` matched by name
  (or `PATH/<split>/blur` ... when PATH holds splits);
- `synthetic:PATH[,mix=...][,frames=PATH]`: sharp images in PATH (or `PATH/<split>`)
  blurred with camera-shake kernels and GoPro-like warps (`tfdeblur.data.mix`);
- `frames:PATH[,window=7-13][,stride=K][,holdout=N]`: consecutive high-frame-rate
  frames (one clip, or a folder of clips) averaged as GoPro's blurred images were.

`train_pairs` gives an endless stream of random crops, `evaluation_pairs` the
full-size frames of a split, never resized.
"""

import dataclasses
import re

from tfdeblur.data import sources
from tfdeblur.data.pipeline import augment_batch, training_batches
from tfdeblur.errors import InputError

# A source module has SPEC (its usage), OPTIONS ({name: regex of its values}), check(spec) (the
# spec's typed options from its setting strings), train_pairs(spec, crop_size, seed, **locations)
# and evaluation_pairs(spec, split, **locations), which read the typed `spec.options`.
SOURCES = {
    "embedded": sources.embedded,
    "gopro": sources.gopro,
    "folder": sources.folder,
    "synthetic": sources.synthetic,
    "frames": sources.frames,
}
SPECS = tuple(source.SPEC for source in SOURCES.values())


@dataclasses.dataclass(frozen=True)
class DataSpec:
    """A parsed spec: `options` is what its source's `check` made of the `,option=value`
    strings (a frozen dataclass, e.g. `FramesOptions`, `MixOptions`; None for sources without)."""

    text: str  # as the user wrote it, for messages
    source: str
    argument: str | None = None
    options: object = None


def parse_spec(spec):
    """The `DataSpec` of a spec string, checked by its source; InputError naming a bad spec."""
    head, *settings = spec.split(",")
    separator = next((char for char in ":/" if char in head), None)
    name, argument = head.split(separator, 1) if separator else (head, None)
    if name not in SOURCES:
        raise InputError(f"unknown dataset spec {spec!r}: expected one of {', '.join(SPECS)}")
    source = SOURCES[name]
    options = {}
    for setting in settings:
        key, _, value = setting.partition("=")
        if key not in source.OPTIONS or not re.fullmatch(source.OPTIONS[key], value):
            allowed = [f"{key}={pattern}" for key, pattern in source.OPTIONS.items()]
            raise InputError(
                f"dataset spec {spec!r}: unknown setting {setting!r} for {name} "
                f"(allowed: {', '.join(allowed) or 'none'})"
            )
        options[key] = value
    written = DataSpec(spec, name, argument, options)
    return dataclasses.replace(written, options=source.check(written))


def check_spec(spec):
    """Raises InputError naming `spec` unless it is a dataset spec tfdeblur knows."""
    parse_spec(spec)


def train_pairs(spec, crop_size, seed=0, data_dir=None, manual_dir=None):
    """An endless, shuffled dataset of {"blur", "sharp"} uint8 crop_size^2 pairs."""
    parsed = parse_spec(spec)
    return SOURCES[parsed.source].train_pairs(
        parsed, crop_size, seed, data_dir=data_dir, manual_dir=manual_dir
    )


def evaluation_pairs(spec, split="test", data_dir=None, manual_dir=None):
    """A finite dataset of full-size {"blur", "sharp", "name"} uint8 pairs of `split`."""
    parsed = parse_spec(spec)
    return SOURCES[parsed.source].evaluation_pairs(parsed, split, data_dir=data_dir, manual_dir=manual_dir)


__all__ = [
    "SOURCES",
    "SPECS",
    "DataSpec",
    "augment_batch",
    "check_spec",
    "evaluation_pairs",
    "parse_spec",
    "train_pairs",
    "training_batches",
]
