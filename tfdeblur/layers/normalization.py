"""Normalisation by name, so generators and discriminators take it as a switch."""

import keras

NORMALIZATIONS = ("batch", "instance", "none")


def normalization(kind, name=None):
    """Returns the normalisation layer `kind` ("batch", "instance" or "none").

    Instance norm is `GroupNormalization(groups=-1)` with PyTorch's epsilon 1e-5
    and no affine parameters (docs/paper-notes.md, "Conventions"), as in DeblurGAN. Batch norm takes
    its statistics over the global batch under `tf.distribute` (`synchronized`),
    so R replicas train as one device with the same global batch.
    """
    if kind == "batch":
        return keras.layers.BatchNormalization(
            momentum=0.9,
            epsilon=1e-5,
            synchronized=True,
            gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02),
            name=name,
        )
    if kind == "instance":
        return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, center=False, scale=False, name=name)
    if kind == "none":
        return keras.layers.Identity(name=name)
    raise ValueError(f"Unknown normalization {kind!r}: expected one of {NORMALIZATIONS}")
