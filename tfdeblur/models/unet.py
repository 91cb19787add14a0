"""Pix2Pix U-Net generator (Isola et al. 2017), the paper's baseline (Table 1).

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

DROPOUT_BLOCKS = 3
# The `ModelConfig` fields `unet_generator` reads.
SETTINGS = SHARED_SETTINGS | {"generator_depth", "generator_max_filters", "dropout"}


def input_stride(config):
    """The side every input is padded to a multiple of: one halving per level."""
    return 2**config.generator_depth


def unet_generator(config, name="unet_generator"):
    """Builds the U-Net of `config` (its fields in `SETTINGS`) as a functional `keras.Model`:
    [N, H, W, 3] in [-1, 1] -> same."""
    depth = config.generator_depth
    if depth < 2:
        raise InputError(f"U-Net depth must be at least 2, got {depth}")
    widths = level_widths(config)
    check_attention_strides(config, levels=depth)

    sn = config.generator_spectral_norm
    blurred, x = generator_input(config, multiple=input_stride(config))
    skips = []
    for level, width in enumerate(widths):
        x = self_attention(
            x, 2**level, config.encoder_attention, config, name=f"encoder{level + 1}_attention"
        )
        innermost = level == depth - 1
        norm = "none" if level == 0 or innermost else config.generator_norm
        block = f"encoder{level + 1}"
        x = conv_block(
            x,
            width,
            4,
            2,
            norm=norm,
            batchnorm_statistics=config.batchnorm_statistics,
            activation="lrelu",
            spectral_norm=sn,
            name=block,
        )
        skips.append(x)
    x = channel_attention(x, config, name="bottleneck_channel_attention")

    for index, level in enumerate(reversed(range(depth - 1))):
        x = self_attention(
            x, 2 ** (level + 2), config.decoder_attention, config, name=f"decoder{index + 1}_attention"
        )
        rate = config.dropout if index < DROPOUT_BLOCKS else 0.0
        block = f"decoder{index + 1}"
        x = conv_block(
            x,
            widths[level],
            4,
            2,
            transpose=True,
            norm=config.generator_norm,
            batchnorm_statistics=config.batchnorm_statistics,
            activation="relu",
            dropout=rate,
            spectral_norm=sn,
            name=block,
        )
        x = keras.layers.Concatenate(name=f"{block}_skip")([x, skips[level]])

    x = self_attention(x, 2, config.decoder_attention, config, name="output_attention")
    x = conv(3, 4, 2, transpose=True, spectral_norm=sn, name="output_deconv")(x)
    return keras.Model(blurred, generator_output(x, blurred, config), name=name)
