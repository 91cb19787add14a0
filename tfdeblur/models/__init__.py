"""Generators and discriminators of the paper, built from a `ModelConfig`."""

from tfdeblur.models.config import ModelConfig
from tfdeblur.models.patchgan import patchgan_discriminator
from tfdeblur.models.unet import unet_generator

GENERATORS = ("unet",)
DISCRIMINATORS = ("patchgan",)


def build_generator(config):
    """The generator `config.generator`: [N, H, W, 3] in [-1, 1], any H and W."""
    if config.generator == "unet":
        return unet_generator(
            depth=config.generator_depth,
            filters=config.generator_filters,
            max_filters=config.generator_max_filters,
            norm=config.generator_norm,
            dropout=config.dropout,
            global_residual=config.global_residual,
        )
    raise ValueError(f"Unknown generator {config.generator!r}: expected one of {GENERATORS}")


def build_discriminator(config):
    """The discriminator `config.discriminator`, conditional on the blurred image or not."""
    if config.discriminator == "patchgan":
        return patchgan_discriminator(
            n_layers=config.discriminator_layers,
            filters=config.discriminator_filters,
            norm=config.discriminator_norm,
            in_channels=6 if config.conditional else 3,
        )
    raise ValueError(f"Unknown discriminator {config.discriminator!r}: expected one of {DISCRIMINATORS}")


__all__ = [
    "DISCRIMINATORS",
    "GENERATORS",
    "ModelConfig",
    "build_discriminator",
    "build_generator",
    "patchgan_discriminator",
    "unet_generator",
]
