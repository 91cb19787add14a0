"""Residual-in-Residual generator: the paper's "RiR" rows (Table 2, §4.2.2, Fig. 5(d)).

    stem     conv 3x3, F filters
    encoder  `generator_depth` RiR levels, each halving the side; widths F, 2F, 4F...,
             capped at `generator_max_filters`
    decoder  as many RiR levels, each doubling the side and concatenating the
             mirrored encoder output (as in the U-Net)
    output   conv 3x3 to 3 channels, tanh

A residual-in-residual level is two ResBlocks (conv 3x3 -> ReLU -> channel
attention -> conv 3x3 -> channel attention, plus identity), a stride-2
(transposed) 4x4 conv, normalisation and ReLU, plus its input through its own
stride-2 (transposed) conv. ResBlock convs are 3x3 (the paper's code used 4x4
and reached ~233 M parameters). Self-attention goes where `encoder_attention` /
`decoder_attention` say. The paper's rows are set by `experiments/base/rir.cfg`
and `experiments/rir.cfg` / `rir_large.cfg` (F = 64 capped at 1024, 5 or 6
levels, self-attention at the bottleneck).
"""

import keras

from tfdeblur.layers import conv, conv_block
from tfdeblur.models.blocks import (
    SHARED_SETTINGS,
    channel_attention,
    check_attention_strides,
    generator_input,
    generator_output,
    level_widths,
    self_attention,
)


def _residual_block(x, config, name):
    """conv 3x3 -> ReLU -> CA -> conv 3x3 -> CA, plus identity."""
    channels = x.shape[-1]
    sn = config.generator_spectral_norm
    y = conv(channels, 3, spectral_norm=sn, name=f"{name}_conv1")(x)
    y = keras.layers.ReLU(name=f"{name}_relu")(y)
    y = channel_attention(y, config, name=f"{name}_channel_attention1")
    y = conv(channels, 3, spectral_norm=sn, name=f"{name}_conv2")(y)
    y = channel_attention(y, config, name=f"{name}_channel_attention2")
    return keras.layers.Add(name=f"{name}_add")([x, y])


def _residual_in_residual_level(x, filters, transpose, norm, config, name):
    """Two ResBlocks, a stride-2 (transposed) conv, `norm`, ReLU; plus the resampled input."""
    sn = config.generator_spectral_norm
    y = _residual_block(x, config, name=f"{name}_block1")
    y = _residual_block(y, config, name=f"{name}_block2")
    y = conv_block(
        y,
        filters,
        4,
        2,
        transpose=transpose,
        norm=norm,
        batchnorm_statistics=config.batchnorm_statistics,
        activation="relu",
        spectral_norm=sn,
        name=f"{name}_resample",
    )
    shortcut = conv(filters, 4, 2, transpose=transpose, spectral_norm=sn, name=f"{name}_shortcut")(x)
    return keras.layers.Add(name=f"{name}_add")([y, shortcut])


# The `ModelConfig` fields `rir_generator` reads.
SETTINGS = SHARED_SETTINGS | {"generator_depth", "generator_max_filters"}


def input_stride(config):
    """The side every input is padded to a multiple of: one halving per level."""
    return 2**config.generator_depth


def rir_generator(config, name="rir_generator"):
    """Builds the RiR generator of `config` (its fields in `SETTINGS`): [N, H, W, 3] in [-1, 1] -> same."""
    depth = config.generator_depth
    widths = level_widths(config)
    check_attention_strides(config, levels=depth)

    blurred, x = generator_input(config, multiple=input_stride(config))
    x = conv(config.generator_filters, 3, spectral_norm=config.generator_spectral_norm, name="stem")(x)
    skips = [x]
    for level, width in enumerate(widths):
        x = self_attention(
            x, 2**level, config.encoder_attention, config, name=f"encoder{level + 1}_attention"
        )
        # The innermost level is unnormalised, as in the U-Net: at 1x1 with batch 1, BatchNorm zeroes it.
        norm = "none" if level == depth - 1 else config.generator_norm
        x = _residual_in_residual_level(x, width, False, norm, config, name=f"encoder{level + 1}")
        skips.append(x)

    for index, skip in enumerate(reversed(skips[:-1])):
        stride = 2 ** (depth - index)
        x = self_attention(x, stride, config.decoder_attention, config, name=f"decoder{index + 1}_attention")
        x = _residual_in_residual_level(
            x, skip.shape[-1], True, config.generator_norm, config, name=f"decoder{index + 1}"
        )
        x = keras.layers.Concatenate(name=f"decoder{index + 1}_skip")([x, skip])

    x = conv(3, 3, spectral_norm=config.generator_spectral_norm, name="output_conv")(x)
    return keras.Model(blurred, generator_output(x, blurred, config), name=name)
