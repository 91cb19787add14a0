"""PatchGAN discriminator (Isola et al. 2017): a grid of real/fake scores per patch.

    C64 - C128 - C256 (stride 2) - C512 (stride 1) - 1 (stride 1),  4x4 kernels

With `n_layers=3` each score sees a 70x70 patch. The output is raw logits (no
sigmoid: the losses take logits, and a WGAN critic must not squash its score).
"""

import keras

from tfdeblur.layers import normalization

_INIT = keras.initializers.RandomNormal(0.0, 0.02)


def patchgan_discriminator(
    n_layers=3, filters=64, max_filters=512, norm="batch", in_channels=6, name="patchgan"
):
    """Builds the PatchGAN as a functional `keras.Model`: [N, H, W, in_channels] -> logits.

    `in_channels` is 6 for a conditional discriminator (blurred ++ candidate) and 3
    for an unconditional one.
    """
    images = keras.Input((None, None, in_channels), name="images")
    x = images
    for layer in range(n_layers + 1):
        width = min(filters * 2**layer, max_filters)
        layer_norm = "none" if layer == 0 else norm
        x = keras.layers.Conv2D(
            width,
            4,
            strides=2 if layer < n_layers else 1,
            padding="same",
            kernel_initializer=_INIT,
            use_bias=layer_norm == "none",
            name=f"conv{layer + 1}",
        )(x)
        x = normalization(layer_norm, name=f"norm{layer + 1}")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"lrelu{layer + 1}")(x)
    logits = keras.layers.Conv2D(
        1, 4, padding="same", kernel_initializer=_INIT, dtype="float32", name="logits"
    )(x)
    return keras.Model(images, logits, name=name)
