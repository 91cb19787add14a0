"""Convolutions as every model of the paper builds them, with the "SN" switch.

Spectral normalisation (Miyato et al. 2018) divides a kernel by its largest
singular value, estimated by power iteration; the paper applies it to every
convolution of G and/or D. `conv(..., spectral_norm=True)` wraps the layer in
`keras.layers.SpectralNormalization`. `conv_block` is the conv -> norm ->
activation unit of every generator and of the PatchGAN.
"""

import keras

from tfdeblur.layers.normalization import normalization


def initializer():
    """N(0, 0.02), as Pix2Pix and DeblurGAN initialise every convolution: a new initializer per
    layer, seeded when the layer is built (`keras.utils.set_random_seed` decides it). One shared
    initializer would carry the seed Keras drew for it at import time, before any
    `set_random_seed`, and give every layer of one shape the same weights."""
    return keras.initializers.RandomNormal(0.0, 0.02)


def conv(
    filters,
    kernel_size,
    strides=1,
    *,
    name,
    transpose=False,
    spectral_norm=False,
    padding="same",
    use_bias=True,
    activation=None,
    dtype=None,
):
    """A `Conv2D` (or `Conv2DTranspose`), spectrally normalised if `spectral_norm`."""
    layer_class = keras.layers.Conv2DTranspose if transpose else keras.layers.Conv2D
    layer = layer_class(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=use_bias,
        activation=activation,
        kernel_initializer=initializer(),
        dtype=dtype,
        name=f"{name}_inner" if spectral_norm else name,
    )
    if spectral_norm:
        return keras.layers.SpectralNormalization(layer, dtype=dtype, name=name)
    return layer


def conv_block(
    x,
    filters,
    kernel_size,
    strides=1,
    *,
    norm,
    activation,
    name,
    batchnorm_statistics="moving",
    transpose=False,
    padding="same",
    spectral_norm=False,
    dropout=0.0,
):
    """conv -> `norm` -> dropout (if `dropout`) -> `activation` ("relu", "lrelu" (slope 0.2) or None).
    A batch norm normalises with `batchnorm_statistics` at inference (`normalization`).

    Layers are named `{name}_conv` (`{name}_deconv` if `transpose`), `{name}_norm`,
    `{name}_dropout` and `{name}_{activation}`. The conv has a bias only without
    normalisation (a norm's shift replaces it), as in Pix2Pix and DeblurGAN.
    """
    x = conv(
        filters,
        kernel_size,
        strides,
        transpose=transpose,
        padding=padding,
        use_bias=norm == "none",
        spectral_norm=spectral_norm,
        name=f"{name}_deconv" if transpose else f"{name}_conv",
    )(x)
    x = normalization(norm, name=f"{name}_norm", batchnorm_statistics=batchnorm_statistics)(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name=f"{name}_dropout")(x)
    if activation == "relu":
        x = keras.layers.ReLU(name=f"{name}_relu")(x)
    elif activation == "lrelu":
        x = keras.layers.LeakyReLU(0.2, name=f"{name}_lrelu")(x)
    elif activation is not None:
        raise ValueError(f"unknown activation {activation!r}: expected 'relu', 'lrelu' or None")
    return x
