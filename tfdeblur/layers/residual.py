"""How a generator's output relates to its input: the global residual and the kept mean level."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfdeblur")
class GlobalResidual(keras.layers.Layer):
    """`clip(x + r, -1, 1)`: the network learns only the correction r to the blurred x.

    DeblurGAN (Kupyn et al. 2018, eq. in §3.1) and the paper's "GR" rows add the
    blurred input to the tanh output; clipping keeps the result in the image range.
    We use this form (not `(x + r) / 2`) for every generator.
    """

    def call(self, inputs):
        blurred, correction = inputs
        return tf.clip_by_value(blurred + correction, -1.0, 1.0)

    def compute_output_shape(self, input_shapes):
        return input_shapes[0]


@keras.saving.register_keras_serializable(package="tfdeblur")
class MeanPreservation(keras.layers.Layer):
    """`clip(y - mean(y) + mean(x), -1, 1)` per image and channel: the restored y keeps the blurred
    x's mean level, so the generator cannot shift brightness or colour.

    Blur redistributes light without adding or removing it (eq. 1 with a PSF summing to 1 and
    zero-mean noise), so a sharp image's mean equals its blurred one's up to the camera response's
    curvature (< 3 grey levels on GoPro and our synthetic blur, docs/real-blur.md).
    """

    def call(self, inputs):
        blurred, restored = inputs
        shift = tf.reduce_mean(blurred, axis=[1, 2], keepdims=True) - tf.reduce_mean(
            restored, axis=[1, 2], keepdims=True
        )
        return tf.clip_by_value(restored + shift, -1.0, 1.0)

    def compute_output_shape(self, input_shapes):
        return input_shapes[0]
