"""Pix2Pix U-Net generator (Isola et al. 2017), the paper's baseline (design.md §2).

    encoder  C64 - C128 - C256 - C512 - C512 - C512 - C512 - C512     (4x4, stride 2)
    decoder  CD512 - CD512 - CD512 - C512 - C256 - C128 - C64 - out  (transposed)

Every encoder block but the first has BatchNorm (the innermost has none, as in
the reference PyTorch code: at 1x1 with batch 1, BatchNorm zeroes the
bottleneck); decoder blocks have BatchNorm, ReLU, dropout on the first three,
and concatenate the mirrored encoder block. `depth` and `filters` shrink the
network for CPUs; any input size works (reflect-padded to 2**depth inside).
"""

import keras

from tfdeblur.layers import CropToMatch, GlobalResidual, ReflectPadToMultiple, normalization

_INIT = keras.initializers.RandomNormal(0.0, 0.02)


def _encoder_block(x, filters, norm, name):
    x = keras.layers.Conv2D(
        filters,
        4,
        strides=2,
        padding="same",
        kernel_initializer=_INIT,
        use_bias=norm == "none",
        name=f"{name}_conv",
    )(x)
    x = normalization(norm, name=f"{name}_norm")(x)
    return keras.layers.LeakyReLU(0.2, name=f"{name}_lrelu")(x)


def _decoder_block(x, skip, filters, norm, dropout, name):
    x = keras.layers.Conv2DTranspose(
        filters,
        4,
        strides=2,
        padding="same",
        kernel_initializer=_INIT,
        use_bias=norm == "none",
        name=f"{name}_deconv",
    )(x)
    x = normalization(norm, name=f"{name}_norm")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name=f"{name}_dropout")(x)
    x = keras.layers.ReLU(name=f"{name}_relu")(x)
    return keras.layers.Concatenate(name=f"{name}_skip")([x, skip])


def unet_generator(
    depth=8,
    filters=64,
    max_filters=512,
    norm="batch",
    dropout=0.5,
    dropout_blocks=3,
    global_residual=False,
    name="unet_generator",
):
    """Builds the U-Net as a functional `keras.Model`: [N, H, W, 3] in [-1, 1] -> same."""
    if depth < 2:
        raise ValueError(f"U-Net depth must be at least 2, got {depth}")
    widths = [min(filters * 2**level, max_filters) for level in range(depth)]

    blurred = keras.Input((None, None, 3), name="blurred")
    x = ReflectPadToMultiple(2**depth, name="pad")(blurred)

    skips = []
    for level, width in enumerate(widths):
        innermost = level == depth - 1
        block_norm = "none" if level == 0 or innermost else norm
        x = _encoder_block(x, width, block_norm, name=f"encoder{level + 1}")
        skips.append(x)

    for index, level in enumerate(reversed(range(depth - 1))):
        rate = dropout if index < dropout_blocks else 0.0
        x = _decoder_block(x, skips[level], widths[level], norm, rate, name=f"decoder{index + 1}")

    x = keras.layers.Conv2DTranspose(
        3, 4, strides=2, padding="same", kernel_initializer=_INIT, name="output_deconv"
    )(x)
    x = keras.layers.Activation("tanh", dtype="float32", name="output_tanh")(x)
    restored = CropToMatch(name="crop")([x, blurred])
    if global_residual:
        restored = GlobalResidual(name="global_residual")([blurred, restored])
    return keras.Model(blurred, restored, name=name)
