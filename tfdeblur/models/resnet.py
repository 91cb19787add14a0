"""DeblurGAN ResNet generator (Kupyn et al. 2018), with the paper's edge and feedback variants.

    reflect-pad 3, conv 7x7 64, norm, ReLU
    conv 3x3 stride 2: 128, 256 (norm, ReLU)
    [ConvLSTM feedback, `feedback_iterations` passes]
    9 residual blocks at 256: reflect-pad 1, conv 3x3, norm, ReLU, dropout,
                              reflect-pad 1, conv 3x3, norm, plus identity
    transposed conv 3x3 stride 2: 128, 64 (norm, ReLU)
    reflect-pad 3, conv 7x7 3, tanh, global residual

Instance norm (`generator_norm=instance`) and dropout 0.5 as in DeblurGAN.
Input sides are padded to a multiple of 4 inside.
"""

import keras

from tfdeblur.layers import ConvLSTMFeedback, ReflectionPadding2D, conv, conv_block
from tfdeblur.models.blocks import (
    SHARED_SETTINGS,
    channel_attention,
    check_attention_strides,
    generator_input,
    generator_output,
    self_attention,
)

DOWNSAMPLINGS = 2
# The `ModelConfig` fields `resnet_generator` reads.
SETTINGS = SHARED_SETTINGS | {"generator_blocks", "dropout", "feedback_iterations"}


def _conv_norm(x, filters, kernel_size, config, name, strides=1, transpose=False, padding="same", relu=True):
    return conv_block(
        x,
        filters,
        kernel_size,
        strides,
        transpose=transpose,
        padding=padding,
        norm=config.generator_norm,
        batchnorm_statistics=config.batchnorm_statistics,
        activation="relu" if relu else None,
        spectral_norm=config.generator_spectral_norm,
        name=name,
    )


def input_stride(config):
    """The side every input is padded to a multiple of: one halving per downsampling."""
    del config
    return 2**DOWNSAMPLINGS


def _residual_block(x, config, name):
    channels = x.shape[-1]
    y = ReflectionPadding2D(1, name=f"{name}_pad1")(x)
    y = _conv_norm(y, channels, 3, config, padding="valid", name=f"{name}_1")
    if config.dropout:
        y = keras.layers.Dropout(config.dropout, name=f"{name}_dropout")(y)
    y = ReflectionPadding2D(1, name=f"{name}_pad2")(y)
    y = _conv_norm(y, channels, 3, config, padding="valid", relu=False, name=f"{name}_2")
    y = channel_attention(y, config, name=f"{name}_channel_attention")
    return keras.layers.Add(name=f"{name}_add")([x, y])


def resnet_generator(config, name="resnet_generator"):
    """Builds the ResNet generator of `config` (its fields in `SETTINGS`): [N, H, W, 3] in [-1, 1] -> same."""
    filters = config.generator_filters
    widths = [filters * 2**level for level in range(1, DOWNSAMPLINGS + 1)]
    check_attention_strides(config, levels=DOWNSAMPLINGS)

    blurred, x = generator_input(config, multiple=input_stride(config))
    x = ReflectionPadding2D(3, name="stem_pad")(x)
    x = _conv_norm(x, filters, 7, config, padding="valid", name="stem")
    for level, width in enumerate(widths):
        x = self_attention(x, 2**level, config.encoder_attention, config, name=f"down{level + 1}_attention")
        x = _conv_norm(x, width, 3, config, strides=2, name=f"down{level + 1}")
    if config.feedback_iterations:
        x = ConvLSTMFeedback(widths[-1], config.feedback_iterations, name="feedback")(x)
    for block in range(config.generator_blocks):
        x = _residual_block(x, config, name=f"block{block + 1}")
    for level, width in enumerate(reversed([filters, *widths[:-1]])):
        stride = 2 ** (DOWNSAMPLINGS - level)
        x = self_attention(x, stride, config.decoder_attention, config, name=f"up{level + 1}_attention")
        x = _conv_norm(x, width, 3, config, strides=2, transpose=True, name=f"up{level + 1}")
    x = ReflectionPadding2D(3, name="output_pad")(x)
    x = conv(3, 7, padding="valid", spectral_norm=config.generator_spectral_norm, name="output_conv")(x)
    return keras.Model(blurred, generator_output(x, blurred, config), name=name)
