"""Convolutions as every model of the paper builds them, with the "SN" switch.

Spectral normalisation (Miyato et al. 2018) divides a kernel by its largest
singular value, estimated by power iteration; the paper applies it to every
convolution of G and/or D. `conv(..., spectral_norm=True)` wraps the layer in
`keras.layers.SpectralNormalization`.
"""

import keras

# Pix2Pix and DeblurGAN initialise every convolution with N(0, 0.02).
INITIALIZER = keras.initializers.RandomNormal(0.0, 0.02)


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
        kernel_initializer=INITIALIZER,
        dtype=dtype,
        name=f"{name}_inner" if spectral_norm else name,
    )
    if spectral_norm:
        return keras.layers.SpectralNormalization(layer, dtype=dtype, name=name)
    return layer
