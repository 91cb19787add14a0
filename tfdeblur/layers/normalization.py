"""Normalisation by name, so generators and discriminators take it as a switch."""

import keras
from keras import ops

from tfdeblur.config import ModelConfig

NORMALIZATIONS = ModelConfig.choices("generator_norm")
# What batch norm normalises with at inference: the moving averages of training, or each image's own
# statistics (the test batch's at batch size 1, as pix2pix does: Isola et al. 2017, section 3.3).
BATCHNORM_STATISTICS = ModelConfig.choices("batchnorm_statistics")


@keras.saving.register_keras_serializable(package="tfdeblur")
class BatchNormalization(keras.layers.BatchNormalization):
    """Batch norm whose inference normalises by `batchnorm_statistics`: "moving" (Keras's) or
    "batch", each image by its own mean and variance over height and width, with the trained
    scale and shift: pix2pix's test-time batch statistics at batch size 1 (Isola et al. 2017,
    section 3.3), per image so that an image's result does not depend on its batch. Training is
    Keras's batch norm either way, so one checkpoint evaluates both ways."""

    def __init__(self, batchnorm_statistics="moving", **kwargs):
        super().__init__(**kwargs)
        if batchnorm_statistics not in BATCHNORM_STATISTICS:
            raise ValueError(
                f"Unknown batch norm statistics {batchnorm_statistics!r}: "
                f"expected one of {BATCHNORM_STATISTICS}"
            )
        self.batchnorm_statistics = batchnorm_statistics

    def call(self, inputs, training=None, mask=None):
        if training or self.batchnorm_statistics == "moving":
            return super().call(inputs, training=training, mask=mask)
        x = ops.cast(inputs, self.variable_dtype)  # statistics in float32 under mixed precision
        image_axes = [axis for axis in range(1, len(inputs.shape)) if axis != self.axis % len(inputs.shape)]
        mean, variance = ops.moments(x, axes=image_axes, keepdims=True)
        x = (x - mean) * ops.rsqrt(variance + self.epsilon)
        if self.scale:
            x = x * self.gamma
        if self.center:
            x = x + self.beta
        return ops.cast(x, self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "batchnorm_statistics": self.batchnorm_statistics}


def normalization(kind, name=None, batchnorm_statistics="moving"):
    """Returns the normalisation layer `kind` ("batch", "instance" or "none").

    Batch norm takes its statistics over the global batch under `tf.distribute`
    (`synchronized`), so R replicas train as one device with the same global batch;
    at inference it normalises with `batchnorm_statistics` (`BatchNormalization`). Instance
    norm is `GroupNormalization(groups=-1)` with PyTorch's epsilon 1e-5 and no affine
    parameters (docs/paper-notes.md, "Conventions"), as in DeblurGAN.
    """
    if kind == "batch":
        return BatchNormalization(
            batchnorm_statistics=batchnorm_statistics,
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
