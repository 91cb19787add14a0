"""The paper's feedback module (§4.1.6): a ConvLSTM between encoder and decoder."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfdeblur")
class ConvLSTMFeedback(keras.layers.Layer):
    """Runs the same features through a ConvLSTM cell (Shi et al. 2015) `iterations` times.

    Each pass starts from the state (h, c) the previous pass left, as in the
    paper's Fig. 3; the last pass's h goes on to the decoder:

        i, f, o, g = W_x * x + W_h * h_{t-1} + b      (convolutions, `kernel_size`)
        c_t = sigmoid(f) c_{t-1} + sigmoid(i) tanh(g),   h_t = sigmoid(o) tanh(c_t)

    Written with two convolutions rather than `keras.layers.ConvLSTM2D`, which
    needs static spatial shapes; this one takes any H x W. [N, H, W, C] -> [N, H, W, filters].
    """

    def __init__(self, filters, iterations=4, kernel_size=3, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = keras.InputSpec(ndim=4)
        if iterations < 1:
            raise ValueError(f"feedback iterations must be at least 1, got {iterations}")
        self.filters = int(filters)
        self.iterations = int(iterations)
        self.kernel_size = int(kernel_size)

    def build(self, input_shape):
        gates = 4 * self.filters
        # Forget-gate bias 1 (Jozefowicz et al. 2015), as Keras' LSTMs' unit_forget_bias.
        bias = [0.0] * self.filters + [1.0] * self.filters + [0.0] * 2 * self.filters
        self.input_conv = keras.layers.Conv2D(
            gates,
            self.kernel_size,
            padding="same",
            bias_initializer=keras.initializers.Constant(bias),
            name="input_conv",
        )
        self.input_conv.build(input_shape)
        self.recurrent_conv = keras.layers.Conv2D(
            gates, self.kernel_size, padding="same", use_bias=False, name="recurrent_conv"
        )
        self.recurrent_conv.build((*input_shape[:-1], self.filters))

    def call(self, features):
        from_input = self.input_conv(features)  # the same image every pass
        hidden = cell = tf.zeros_like(from_input[..., : self.filters])
        for _ in range(self.iterations):
            gates = from_input + self.recurrent_conv(hidden)
            input_gate, forget_gate, output_gate, candidate = tf.split(gates, 4, axis=-1)
            cell = tf.sigmoid(forget_gate) * cell + tf.sigmoid(input_gate) * tf.tanh(candidate)
            hidden = tf.sigmoid(output_gate) * tf.tanh(cell)
        return hidden

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "iterations": self.iterations,
            "kernel_size": self.kernel_size,
        }
