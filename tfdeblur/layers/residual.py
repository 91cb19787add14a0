"""Global residual (global skip) connection, used by every generator that wants it."""

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
