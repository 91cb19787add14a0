"""An experiment's GAN, built from its flags (`tfdeblur.cli.define_experiment_flags`).

Shared by `tfdeblur.train`, the benchmarks and the tests, so every one of them
trains exactly what a row flagfile describes.
"""

from tfdeblur.errors import InputError
from tfdeblur.gan import GAN
from tfdeblur.losses import PerceptualLoss, l1_loss, l2_loss
from tfdeblur.models import build_discriminator, build_generator


def content_losses(flag_values, vgg_weights=None):
    """{name: (weight, loss)} for every content loss with a non-zero weight flag.

    `vgg_weights` overrides `--vgg_weights` (tests pass None: random VGG19 weights).
    """
    losses = {}
    if flag_values.l1_weight:
        losses["l1"] = (flag_values.l1_weight, l1_loss)
    if flag_values.l2_weight:
        losses["l2"] = (flag_values.l2_weight, l2_loss)
    if flag_values.perceptual_weight:
        weights = flag_values.vgg_weights if vgg_weights == "flag" else vgg_weights
        perceptual = PerceptualLoss(flag_values.perceptual_layer, weights)
        losses["perceptual"] = (flag_values.perceptual_weight, perceptual)
    return losses


def build_gan(flag_values, config, vgg_weights="flag"):
    """The `GAN` of the model and loss flags."""
    wasserstein = flag_values.adversarial_loss == "wgan-gp"
    if wasserstein and config.discriminator_norm == "batch":
        raise InputError(
            "--adversarial_loss=wgan-gp with --discriminator_norm=batch: the gradient penalty is per "
            "sample and batch norm mixes samples; use --discriminator_norm=instance or none"
        )
    return GAN(
        build_generator(config),
        build_discriminator(config, score_bias=not wasserstein),
        adversarial=flag_values.adversarial_loss,
        content_losses=content_losses(flag_values, vgg_weights),
        conditional=config.conditional,
        critic_steps=flag_values.critic_steps,
        gradient_penalty_weight=flag_values.gradient_penalty_weight,
    )
