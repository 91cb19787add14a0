"""Dataset specs: `SOURCE[:ARGUMENT][,option=value...]` parsed and checked by their source module."""

import dataclasses
import re

from tfdeblur.data import sources
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
