"""PatchGAN discriminator (Isola et al. 2017): a grid of real/fake scores per patch.

    C64 - C128 - C256 (stride 2) - C512 (stride 1) - 1 (stride 1),  4x4 kernels

With `n_layers=3` each score sees a 70x70 patch. The output is raw scores (no
sigmoid: the losses take logits, and a WGAN critic must not squash its score,
bug 5 of the paper's code). Spectral norm wraps every conv if asked.
"""

import keras

from tfdeblur.layers import conv, conv_block


def patchgan_discriminator(
    n_layers=3,
    filters=64,
    max_filters=512,
    norm="batch",
    spectral_norm=False,
    in_channels=6,
    score_bias=True,
    name="patchgan",
):
    """Builds the PatchGAN as a functional `keras.Model`: [N, H, W, in_channels] -> scores.

    `in_channels` is 6 for a conditional discriminator (blurred ++ candidate) and 3
    for an unconditional one. A WGAN critic takes `score_bias=False`: its losses
    are differences of mean scores, which a bias cannot change.
    """
    images = keras.Input((None, None, in_channels), name="images")
    x = images
    for layer in range(n_layers + 1):
        x = conv_block(
            x,
            min(filters * 2**layer, max_filters),
            4,
            2 if layer < n_layers else 1,
            norm="none" if layer == 0 else norm,
            activation="lrelu",
            spectral_norm=spectral_norm,
            name=f"layer{layer + 1}",
        )
    scores = conv(1, 4, use_bias=score_bias, spectral_norm=spectral_norm, dtype="float32", name="scores")(x)
    return keras.Model(images, scores, name=name)
