"""An experiment: its `ModelConfig` and `TrainConfig`, read from flags or a flagfile, and its GAN.

Every field of both configs is a flag of the same name (`tfdeblur.config_flags`), so an
experiment flagfile (`experiments/<row>.cfg`) is a list of config overrides,
and `Experiment.from_flagfile` reads one without touching absl's global flags
(tests and benchmarks build exactly what a row describes). `build_gan` turns an
experiment into the `GAN` that `tfdeblur train` fits.
"""

import dataclasses

import keras
from absl import flags

from tfdeblur import config_flags, data, flagfiles
from tfdeblur.config import ModelConfig, TrainConfig
from tfdeblur.errors import InputError
from tfdeblur.models import build_discriminator, build_generator
from tfdeblur.training import distribute
from tfdeblur.training.gan import GAN
from tfdeblur.training.losses import PerceptualLoss, l1_loss, l2_loss
from tfdeblur.training.schedules import AtTrainingStep, ConstantThenLinearDecay

DATASET_SPECS = ("dataset", "eval_dataset")


@dataclasses.dataclass(frozen=True)
class Experiment:
    model: ModelConfig = dataclasses.field(default_factory=ModelConfig)
    train: TrainConfig = dataclasses.field(default_factory=TrainConfig)

    def __post_init__(self):
        for name in DATASET_SPECS:
            spec = getattr(self.train, name)
            if spec is not None:
                try:
                    data.check_spec(spec)
                except InputError as error:
                    raise InputError(f"--{name}={spec}: {error}") from None

    @classmethod
    def from_flags(cls, flag_values):
        """The experiment of parsed flags defined by `config_flags.define_experiment_flags`."""
        return cls(
            config_flags.values(ModelConfig, flag_values), config_flags.values(TrainConfig, flag_values)
        )

    @classmethod
    def from_flagfile(cls, path, *overrides):
        """The experiment of a flagfile (includes resolved), then `overrides` (e.g. "--batch_size=4")."""
        flag_values = flags.FlagValues()
        config_flags.define_experiment_flags(flag_values)
        try:
            flag_values(["experiment", *flagfiles.expand([f"--flagfile={path}", *overrides])])
        except flags.Error as error:
            raise InputError(f"--flagfile={path}: {error}") from None
        return cls.from_flags(flag_values)


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


def optimizers(train, precision):
    """The generator's and the discriminator's Adam of `train`, wrapped for `precision` (loss scaling
    under float16): both rates follow `learning_rate(train)` at the training step, which the
    generator's optimizer counts (the discriminator's takes `critic_steps` per training step)."""
    schedule = learning_rate(train)
    generator = distribute.optimizer_for(keras.optimizers.Adam(schedule, beta_1=train.beta_1), precision)
    critic_schedule = AtTrainingStep(schedule, generator.iterations)
    discriminator = distribute.optimizer_for(
        keras.optimizers.Adam(critic_schedule, beta_1=train.beta_1), precision
    )
    return generator, discriminator
