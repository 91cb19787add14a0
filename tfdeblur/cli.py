"""Flags shared by the command-line tools, and their error handling.

Every flag can also be set in a flagfile (`--flagfile=experiments/<row>.cfg`).
"""

import sys

from absl import app, flags

from tfdeblur import data
from tfdeblur.errors import InputError
from tfdeblur.layers import NORMALIZATIONS
from tfdeblur.models import DISCRIMINATORS, GENERATORS, ModelConfig


def define_model_flags():
    """Flags for every `ModelConfig` field, with its defaults."""
    defaults = ModelConfig()
    flags.DEFINE_enum("generator", defaults.generator, GENERATORS, "Generator architecture.")
    flags.DEFINE_integer(
        "generator_depth", defaults.generator_depth, "U-Net levels; inputs are padded to 2**depth."
    )
    flags.DEFINE_integer(
        "generator_filters", defaults.generator_filters, "Filters of the first generator level."
    )
    flags.DEFINE_integer(
        "generator_max_filters", defaults.generator_max_filters, "Filter cap of deeper levels."
    )
    flags.DEFINE_enum("generator_norm", defaults.generator_norm, NORMALIZATIONS, "Generator normalisation.")
    flags.DEFINE_float(
        "dropout", defaults.dropout, "Dropout rate of the first decoder blocks (training only)."
    )
    flags.DEFINE_bool(
        "global_residual", defaults.global_residual, "Add the blurred input to the output (GR)."
    )
    flags.DEFINE_enum("discriminator", defaults.discriminator, DISCRIMINATORS, "Discriminator architecture.")
    flags.DEFINE_integer(
        "discriminator_layers", defaults.discriminator_layers, "PatchGAN stride-2 layers (3 = 70x70)."
    )
    flags.DEFINE_integer(
        "discriminator_filters", defaults.discriminator_filters, "Filters of the first D layer."
    )
    flags.DEFINE_enum(
        "discriminator_norm", defaults.discriminator_norm, NORMALIZATIONS, "Discriminator normalisation."
    )
    flags.DEFINE_bool("conditional", defaults.conditional, "The discriminator also sees the blurred image.")


def define_dataset_flag(default="embedded"):
    flags.DEFINE_string("dataset", default, f"Dataset spec: {', '.join(data.SPECS)}.")
    flags.register_validator("dataset", _valid_spec, message="unknown dataset spec")


def _valid_spec(spec):
    try:
        data.check_spec(spec)
    except ValueError as error:
        raise flags.ValidationError(str(error)) from None
    return True


def run(main):
    """`absl.app.run(main)`, printing an `InputError` as one line and exiting with 2."""

    def guarded(argv):
        if len(argv) > 1:
            raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
        try:
            return main(argv)
        except InputError as error:
            print(f"error: {error}", file=sys.stderr)
            sys.exit(2)

    app.run(guarded)
