"""Pix2Pix U-Net generator (Isola et al. 2017), the paper's baseline (design.md §2).

    encoder  C64 - C128 - C256 - C512 - C512 - C512 - C512 - C512     (4x4, stride 2)
    decoder  CD512 - CD512 - CD512 - C512 - C256 - C128 - C64 - out  (transposed)

Every encoder block but the first has normalisation (the innermost has none, as
in the reference PyTorch code: at 1x1 with batch 1, BatchNorm zeroes the
bottleneck); decoder blocks have normalisation, ReLU, dropout on the first
three, and concatenate the mirrored encoder block. `generator_depth` and
`generator_filters` shrink it for CPUs; any input size works (reflect-padded to
2**depth inside). Switches: self-attention by stride, channel attention at the
bottleneck, spectral norm, edge input, global residual.
"""

import keras

from tfdeblur.errors import InputError
from tfdeblur.layers import conv, normalization
from tfdeblur.models.blocks import (
    channel_attention,
    check_attention_strides,
    generator_input,
    generator_output,
    level_widths,
    self_attention,
)

DROPOUT_BLOCKS = 3


def _encoder_block(x, filters, norm, config, name):
    x = conv(
        filters,
        4,
        2,
        use_bias=norm == "none",
        spectral_norm=config.generator_spectral_norm,
        name=f"{name}_conv",
    )(x)
    x = normalization(norm, name=f"{name}_norm")(x)
    return keras.layers.LeakyReLU(0.2, name=f"{name}_lrelu")(x)


def _decoder_block(x, skip, filters, dropout, config, name):
    norm = config.generator_norm
    x = conv(
        filters,
        4,
        2,
        transpose=True,
        use_bias=norm == "none",
        spectral_norm=config.generator_spectral_norm,
        name=f"{name}_deconv",
    )(x)
    x = normalization(norm, name=f"{name}_norm")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name=f"{name}_dropout")(x)
    x = keras.layers.ReLU(name=f"{name}_relu")(x)
    return keras.layers.Concatenate(name=f"{name}_skip")([x, skip])


def unet_generator(config, name="unet_generator"):
    """Builds the U-Net of `config` as a functional `keras.Model`: [N, H, W, 3] in [-1, 1] -> same."""
    depth = config.generator_depth
    if depth < 2:
        raise InputError(f"U-Net depth must be at least 2, got {depth}")
    widths = level_widths(config)
    check_attention_strides(config, levels=depth)

    blurred, x = generator_input(config, multiple=2**depth)
    skips = []
    for level, width in enumerate(widths):
        x = self_attention(
            x, 2**level, config.encoder_attention, config, name=f"encoder{level + 1}_attention"
        )
        innermost = level == depth - 1
        norm = "none" if level == 0 or innermost else config.generator_norm
        x = _encoder_block(x, width, norm, config, name=f"encoder{level + 1}")
        skips.append(x)
    x = channel_attention(x, config, name="bottleneck_channel_attention")

    for index, level in enumerate(reversed(range(depth - 1))):
        x = self_attention(
            x, 2 ** (level + 2), config.decoder_attention, config, name=f"decoder{index + 1}_attention"
        )
        rate = config.dropout if index < DROPOUT_BLOCKS else 0.0
        x = _decoder_block(x, skips[level], widths[level], rate, config, name=f"decoder{index + 1}")

    x = self_attention(x, 2, config.decoder_attention, config, name="output_attention")
    x = conv(3, 4, 2, transpose=True, spectral_norm=config.generator_spectral_norm, name="output_deconv")(x)
    return keras.Model(blurred, generator_output(x, blurred, config), name=name)
