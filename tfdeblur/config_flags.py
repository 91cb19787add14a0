"""The command-line flags of the settings: one flag per `ModelConfig` and `TrainConfig` field.

An experiment flagfile (a recipe, `tfdeblur.flagfiles`) is a list of these flags.
Each field's flag is typed, bounded and (with `choices`) an enum as the field is,
and is grouped in `--help` under its config's name (`GROUPS`). Nothing here needs
TensorFlow, so a command parses and checks its flags before TensorFlow starts.
"""

import dataclasses
import typing

from absl import flags

from tfdeblur.config import ModelConfig, TrainConfig, value_type

# The --help section of each config's flags (absl groups flags by the module that defined them).
GROUPS = {ModelConfig: "model settings (ModelConfig)", TrainConfig: "training settings (TrainConfig)"}
DATA_SETTINGS = ("dataset", "data_dir", "manual_dir")  # where a dataset spec's files are


def define_settings(config, names=None, flag_values=flags.FLAGS):
    """A flag for every field of `config` (or those in `names`)."""
    for field in dataclasses.fields(config):
        if names is None or field.name in names:
            define(field, config, flag_values)


def define_experiment_flags(flag_values=flags.FLAGS):
    """Everything an experiment flagfile may set: every setting, and `--output_dir` (the run)."""
    define_settings(ModelConfig, flag_values=flag_values)
    define_settings(TrainConfig, flag_values=flag_values)
    flags.DEFINE_string(
        "output_dir",
        None,
        "The run directory (checkpoints, logs, samples).",
        flag_values=flag_values,
        module_name=GROUPS[TrainConfig],
    )


def define_inference_flags(flag_values=flags.FLAGS):
    """The one model setting a trained model may run with otherwise (`ModelConfig.for_inference`),
    defaulting to the model's own: `--batchnorm_statistics`."""
    (field,) = [field for field in dataclasses.fields(ModelConfig) if field.name == "batchnorm_statistics"]
    define(field, ModelConfig, flag_values, default=None)


def values(config, flag_values=flags.FLAGS):
    """The `config` (a settings class) of parsed flags; fields without a flag keep their defaults."""
    fields = [field.name for field in dataclasses.fields(config) if field.name in flag_values]
    return config(**{name: flag_values[name].value for name in fields})


def define(field, config, flag_values, default=dataclasses.MISSING):
    """One flag for one field, typed (and bounded, or an enum) as the field is; `default`, when
    given, in place of the field's (None: the loaded model's own setting)."""
    options = dict(field.metadata)
    help_text = options.pop("help")
    choices = options.pop("choices", None)
    if default is dataclasses.MISSING:
        default = field.default
    elif default is None:
        help_text += " Default: the model's own (its config.json)."
    kind = value_type(field)
    common = {"flag_values": flag_values, "module_name": GROUPS[config], **options}
    if choices:
        flags.DEFINE_enum(field.name, default, choices, help_text, **common)
    elif typing.get_origin(kind) is tuple:
        flags.DEFINE_list(field.name, [str(value) for value in default], help_text, **common)
        flags.register_validator(
            field.name, _integers, message="expected comma-separated integers", flag_values=flag_values
        )
    else:
        typed = {bool: flags.DEFINE_bool, int: flags.DEFINE_integer, float: flags.DEFINE_float}
        typed.get(kind, flags.DEFINE_string)(field.name, default, help_text, **common)


def _integers(values):
    try:
        [int(value) for value in values]
    except ValueError:
        return False
    return True
