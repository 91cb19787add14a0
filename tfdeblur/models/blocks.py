"""What every generator shares: its input (padding, edge channel), attention placement, output.

Attention placement is given as strides: a self-attention block at stride s
acts on the feature map entering the encoder (or decoder) block whose input is
1/s of the image side. The paper's U-Net placement for 256x256 inputs (encoder
blocks 4 and 7, decoder blocks at 1x1, 8x8 and 64x64) is encoder strides 8, 64
and decoder strides 256, 32, 4, and it carries over to any input size.
"""

import keras

from tfdeblur.errors import InputError
from tfdeblur.layers import (
    CannyEdges,
    ChannelAttention,
    CropToMatch,
    GlobalResidual,
    MeanPreservation,
    ReflectPadToMultiple,
    SelfAttention,
)

# The `ModelConfig` fields these blocks read: the techniques every generator takes as switches.
SHARED_SETTINGS = frozenset(
    {
        "edge_input",
        "global_residual",
        "preserve_mean",
        "encoder_attention",
        "decoder_attention",
        "attention_value_ratio",
        "attention_max_positions",
        "channel_attention",
        "channel_reduction",
        "generator_spectral_norm",
        "generator_norm",
        "batchnorm_statistics",
        "generator_filters",
    }
)


def generator_input(config, multiple):
    """The RGB `Input` and the network's input: with the edge channel if `edge_input`, padded."""
    blurred = keras.Input((None, None, 3), name="blurred")
    x = blurred
    if config.edge_input:
        x = keras.layers.Concatenate(name="with_edges")([x, CannyEdges(name="edges")(x)])
    return blurred, ReflectPadToMultiple(multiple, name="pad")(x)


def generator_output(x, blurred, config):
    """tanh, crop to the input size, global residual if `global_residual`, the input's mean level
    if `preserve_mean`: all float32,
    so a mixed-precision generator still outputs float32 images (docs/paper-notes.md, "Conventions")."""
    x = keras.layers.Activation("tanh", dtype="float32", name="output_tanh")(x)
    restored = CropToMatch(dtype="float32", name="crop")([x, blurred])
    if config.global_residual:
        restored = GlobalResidual(dtype="float32", name="global_residual")([blurred, restored])
    if config.preserve_mean:
        restored = MeanPreservation(dtype="float32", name="mean_preservation")([blurred, restored])
    return restored


def level_widths(config):
    """Filters of each of `generator_depth` levels: doubling from `generator_filters`, capped."""
    return [
        min(config.generator_filters * 2**level, config.generator_max_filters)
        for level in range(config.generator_depth)
    ]


def check_attention_strides(config, levels):
    """Refuses attention placements that an encoder-decoder of `levels` stride-2 levels lacks.

    Its encoder blocks take inputs at strides 1 .. 2**(levels-1), its decoder blocks at 2**levels .. 2.
    """
    for where, wanted, available in (
        ("encoder_attention", config.encoder_attention, [2**level for level in range(levels)]),
        ("decoder_attention", config.decoder_attention, [2**level for level in range(1, levels + 1)]),
    ):
        missing = sorted(set(wanted) - set(available))
        if missing:
            raise InputError(
                f"{where}={list(wanted)}: the {config.generator} generator has no block at stride "
                f"{missing}; available strides: {available}"
            )


def self_attention(x, stride, strides, config, name):
    """`SelfAttention` on `x` (at `stride`) if `stride` is one of `strides`; else `x`."""
    if stride not in strides:
        return x
    return SelfAttention(config.attention_value_ratio, config.attention_max_positions, name=name)(x)


def channel_attention(x, config, name):
    """`ChannelAttention` on `x` if the config's `channel_attention` switch is on; else `x`."""
    if not config.channel_attention:
        return x
    return ChannelAttention(config.channel_reduction, name=name)(x)
