"""An experiment: its `ModelConfig` and `TrainConfig`, read from flags or a flagfile, and its GAN.

Every field of both configs is a flag of the same name (`define_flags`), so an
experiment flagfile (`experiments/<row>.cfg`) is a list of config overrides,
and `Experiment.from_flagfile` reads one without touching absl's global flags
(tests and benchmarks build exactly what a row describes). `build_gan` turns an
experiment into the `GAN` that `tfdeblur train` fits.
"""

import dataclasses
import types
import typing

import keras
from absl import flags

from tfdeblur import data, flagfiles
from tfdeblur.config import TrainConfig
from tfdeblur.errors import InputError
from tfdeblur.layers import BATCHNORM_STATISTICS, NORMALIZATIONS
from tfdeblur.models import DISCRIMINATORS, GENERATORS, ModelConfig, build_discriminator, build_generator
from tfdeblur.training import distribute
from tfdeblur.training.gan import GAN
from tfdeblur.training.losses import ADVERSARIAL_LOSSES, PerceptualLoss, l1_loss, l2_loss
from tfdeblur.training.schedules import ConstantThenLinearDecay

CHOICES = {
    "generator": GENERATORS,
    "generator_norm": NORMALIZATIONS,
    "batchnorm_statistics": BATCHNORM_STATISTICS,
    "discriminator": DISCRIMINATORS,
    "discriminator_norm": NORMALIZATIONS,
    "adversarial_loss": sorted(ADVERSARIAL_LOSSES),
    "strategy": distribute.STRATEGIES,
    "mixed_precision": distribute.PRECISIONS,
}
DATASET_SPECS = ("dataset", "eval_dataset")
MODEL_FLAGS = tuple(field.name for field in dataclasses.fields(ModelConfig))
TRAIN_FLAGS = tuple(field.name for field in dataclasses.fields(TrainConfig))


@dataclasses.dataclass(frozen=True)
class Experiment:
    model: ModelConfig = dataclasses.field(default_factory=ModelConfig)
    train: TrainConfig = dataclasses.field(default_factory=TrainConfig)

    @classmethod
    def from_flags(cls, flag_values):
        """The experiment of parsed flags defined by `define_flags`."""
        return cls(
            ModelConfig(**{name: flag_values[name].value for name in MODEL_FLAGS}),
            TrainConfig(**{name: flag_values[name].value for name in TRAIN_FLAGS}),
        )

    @classmethod
    def from_flagfile(cls, path, *overrides):
        """The experiment of a flagfile (includes resolved), then `overrides` (e.g. "--batch_size=4")."""
        flag_values = flags.FlagValues()
        define_flags(flag_values)
        try:
            flag_values(["experiment", *flagfiles.expand([f"--flagfile={path}", *overrides])])
        except flags.Error as error:
            raise InputError(f"--flagfile={path}: {error}") from None
        return cls.from_flags(flag_values)


def define_flags(flag_values=flags.FLAGS):
    """A flag for every `ModelConfig` and `TrainConfig` field, and `--output_dir`:
    everything an experiment flagfile may set."""
    for config in (ModelConfig, TrainConfig):
        for field in dataclasses.fields(config):
            _define(field, flag_values)
    flags.DEFINE_string(
        "output_dir",
        None,
        "train: the run directory (checkpoints, logs, samples); evaluate: the report's.",
        flag_values=flag_values,
    )


def define_inference_flags(flag_values=flags.FLAGS):
    """The one model setting a trained model may run with otherwise (`ModelConfig.for_inference`),
    defaulting to the model's own: `--batchnorm_statistics`, the `ModelConfig` field's flag."""
    (field,) = [field for field in dataclasses.fields(ModelConfig) if field.name == "batchnorm_statistics"]
    _define(field, flag_values, default=None)


def _define(field, flag_values, default=dataclasses.MISSING):
    """One flag for one config field, typed (and bounded, or an enum) as the field is; `default`,
    when given, in place of the field's (None: the loaded model's own setting)."""
    options = dict(field.metadata)
    help_text = options.pop("help")
    if default is dataclasses.MISSING:
        default = field.default
    elif default is None:
        help_text += " Default: the model's own (its config.json)."
    kind = field.type
    if isinstance(kind, types.UnionType):  # `str | None`
        (kind,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
    common = {"flag_values": flag_values, **options}
    if field.name in CHOICES:
        flags.DEFINE_enum(field.name, default, CHOICES[field.name], help_text, **common)
    elif typing.get_origin(kind) is tuple:
        flags.DEFINE_list(field.name, [str(value) for value in default], help_text, **common)
        flags.register_validator(
            field.name, _integers, message="expected comma-separated integers", flag_values=flag_values
        )
    else:
        define = {bool: flags.DEFINE_bool, int: flags.DEFINE_integer, float: flags.DEFINE_float}
        define.get(kind, flags.DEFINE_string)(field.name, default, help_text, **common)
    if field.name in DATASET_SPECS:
        flags.register_validator(
            field.name, _valid_spec, message="unknown dataset spec", flag_values=flag_values
        )


def _integers(values):
    try:
        [int(value) for value in values]
    except ValueError:
        return False
    return True


def _valid_spec(spec):
    if spec is not None:
        try:
            data.check_spec(spec)
        except InputError as error:
            raise flags.ValidationError(str(error)) from None
    return True


def content_losses(train):
    """{name: (weight, loss)} for every content loss of `train` with a non-zero weight."""
    losses = {}
    if train.l1_weight:
        losses["l1"] = (train.l1_weight, l1_loss)
    if train.l2_weight:
        losses["l2"] = (train.l2_weight, l2_loss)
    if train.perceptual_weight:
        perceptual = PerceptualLoss(train.perceptual_layer, train.vgg_weights)
        losses["perceptual"] = (train.perceptual_weight, perceptual)
    return losses


def build_gan(experiment):
    """The `GAN` of an experiment: its networks, losses and critic steps (not yet compiled)."""
    model, train = experiment.model, experiment.train
    wasserstein = train.adversarial_loss == "wgan-gp"
    if wasserstein and model.discriminator_norm == "batch":
        raise InputError(
            "--adversarial_loss=wgan-gp with --discriminator_norm=batch: the gradient penalty is per "
            "sample and batch norm mixes samples; use --discriminator_norm=instance or none"
        )
    return GAN(
        build_generator(model),
        build_discriminator(model, score_bias=not wasserstein),
        adversarial=train.adversarial_loss,
        content_losses=content_losses(train),
        conditional=model.conditional,
        critic_steps=train.critic_steps,
        gradient_penalty_weight=train.gradient_penalty_weight,
        seed=train.seed,
    )


def learning_rate(train):
    """The schedule of `train`: constant, then linear decay to 0 from `decay_start * train_steps`.

    It is always the schedule of the current `train_steps`: a run resumed with more
    steps continues as if planned that long from the start (README, "The quickstart").
    """
    return ConstantThenLinearDecay(
        train.learning_rate, train.train_steps, decay_start=round(train.decay_start * train.train_steps)
    )


def optimizer(train, precision):
    """Adam of `train` with its schedule, wrapped for `precision` (loss scaling under float16)."""
    adam = keras.optimizers.Adam(learning_rate(train), beta_1=train.beta_1)
    return distribute.optimizer_for(adam, precision)
