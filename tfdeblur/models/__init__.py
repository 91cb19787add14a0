"""Generators and discriminators of the paper, built from a `ModelConfig`."""

import math
import typing

from tfdeblur.config import ModelConfig
from tfdeblur.errors import InputError
from tfdeblur.models import resnet, rir, unet
from tfdeblur.models.coarse_to_fine import coarse_to_fine_generator
from tfdeblur.models.patchgan import patchgan_discriminator
from tfdeblur.models.resnet import resnet_generator
from tfdeblur.models.rir import rir_generator
from tfdeblur.models.unet import unet_generator


class Architecture(typing.NamedTuple):
    build: typing.Callable  # ModelConfig -> keras.Model
    stride: typing.Callable  # ModelConfig -> the side inputs are padded to a multiple of
    settings: frozenset  # the ModelConfig fields `build` reads


# The registry of generators, by `--generator` name; each module knows its own stride.
GENERATOR_REGISTRY = {
    "unet": Architecture(unet_generator, unet.input_stride, unet.SETTINGS),
    "rir": Architecture(rir_generator, rir.input_stride, rir.SETTINGS),
    "resnet": Architecture(resnet_generator, resnet.input_stride, resnet.SETTINGS),
}
GENERATORS = tuple(GENERATOR_REGISTRY)
DISCRIMINATORS = ModelConfig.choices("discriminator")


def build_generator(config):
    """The generator `config.generator`: [N, H, W, 3] in [-1, 1] -> same, any H and W."""
    if config.generator not in GENERATOR_REGISTRY:
        raise InputError(f"Unknown generator {config.generator!r}: expected one of {GENERATORS}")
    if config.feedback_iterations and config.generator != "resnet":
        raise InputError(
            f"feedback_iterations={config.feedback_iterations}: only the resnet generator has feedback"
        )
    generator = GENERATOR_REGISTRY[config.generator].build(config)
    return coarse_to_fine_generator(generator, config.generator_scales)


def input_multiple(config):
    """The stride the generator of `config` pads its input to (its module's `input_stride`, at
    the coarsest of its `generator_scales`)."""
    return GENERATOR_REGISTRY[config.generator].stride(config) * 2 ** (config.generator_scales - 1)


def attention_tile(config):
    """The largest square image side (a multiple of the generator's stride) every self-attention
    block of `config` accepts, or None without self-attention: evaluate larger images in tiles."""
    strides = config.encoder_attention + config.decoder_attention
    if not strides:
        return None
    multiple = input_multiple(config)
    side = int(min(strides) * math.isqrt(config.attention_max_positions)) // multiple * multiple
    if side < multiple:
        raise InputError(
            f"--attention_max_positions={config.attention_max_positions} is too small for a "
            f"{multiple}x{multiple} input to the {config.generator} generator"
        )
    return side


def build_discriminator(config, score_bias=True):
    """The discriminator `config.discriminator`, conditional on the blurred image or not.

    `score_bias=False` for a WGAN critic (see `patchgan_discriminator`).
    """
    if config.discriminator == "patchgan":
        return patchgan_discriminator(
            n_layers=config.discriminator_layers,
            filters=config.discriminator_filters,
            norm=config.discriminator_norm,
            spectral_norm=config.discriminator_spectral_norm,
            in_channels=6 if config.conditional else 3,
            score_bias=score_bias,
        )
    raise InputError(f"Unknown discriminator {config.discriminator!r}: expected one of {DISCRIMINATORS}")


__all__ = [
    "DISCRIMINATORS",
    "GENERATORS",
    "ModelConfig",
    "attention_tile",
    "build_discriminator",
    "build_generator",
    "coarse_to_fine_generator",
    "input_multiple",
    "patchgan_discriminator",
    "resnet_generator",
    "rir_generator",
    "unet_generator",
]
