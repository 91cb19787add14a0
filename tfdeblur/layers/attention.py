"""Attention modules of the paper (eqs. 2-4): self-attention and channel attention."""

import keras
import tensorflow as tf

_BYTES_PER_WEIGHT = 4  # float32 attention map


@keras.saving.register_keras_serializable(package="tfdeblur")
class SelfAttention(keras.layers.Layer):
    """Non-local self-attention block (SAGAN, Zhang et al. 2019; paper eq. 2).

    `f, g`: 1x1 convs to C/8 channels (queries, keys); `h`: 1x1 conv to
    `value_ratio * C` (the paper's code uses C, SAGAN C/2); `v`: 1x1 conv back to C.
    `A = softmax(f g^T)` over the keys, `Y = gamma * v(A h) + X`, gamma starts at 0
    so a fresh block is the identity. `g` has no bias: a key bias b adds `f . b` to
    every logit of a query's row, which the softmax cancels, so it never gets a gradient.

    Memory: A has (H*W)^2 entries per image, 16.7 M (67 MB) at a 64x64 feature
    map, 3.8 G (15 GB) at the stride-4 map of a 720p frame. Place blocks at coarse
    scales only; a map of more than `max_positions` positions is refused with an
    error (deblur large images in tiles instead).
    """

    def __init__(self, value_ratio=0.5, max_positions=128 * 128, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = keras.InputSpec(ndim=4)
        self.value_ratio = value_ratio
        self.max_positions = int(max_positions)

    def build(self, input_shape):
        channels = input_shape[-1]
        key_channels = max(channels // 8, 1)
        value_channels = max(round(channels * self.value_ratio), 1)

        def conv(in_channels, out_channels, name, use_bias=True):
            layer = keras.layers.Conv2D(out_channels, 1, use_bias=use_bias, name=name)
            layer.build((None, None, None, in_channels))
            return layer

        self.f = conv(channels, key_channels, "f")
        self.g = conv(channels, key_channels, "g", use_bias=False)
        self.h = conv(channels, value_channels, "h")
        self.v = conv(value_channels, channels, "v")
        self.gamma = self.add_weight(shape=(), initializer="zeros", name="gamma")

    def call(self, x):
        shape = tf.shape(x)
        positions = shape[1] * shape[2]
        tf.debugging.assert_less_equal(
            positions,
            self.max_positions,
            message=(
                f"{self.name}: feature map too large for self-attention (its N x N map "
                f"needs {_BYTES_PER_WEIGHT} * (H*W)^2 bytes per image); the limit is max_positions="
                f"{self.max_positions}. Deblur large images in tiles, or raise the limit"
            ),
        )

        def flat(features):
            return tf.reshape(features, [shape[0], positions, features.shape[-1]])

        queries, keys, values = flat(self.f(x)), flat(self.g(x)), flat(self.h(x))
        attention = tf.nn.softmax(tf.matmul(queries, keys, transpose_b=True), axis=-1)
        attended = tf.reshape(tf.matmul(attention, values), [shape[0], shape[1], shape[2], values.shape[-1]])
        return x + tf.cast(self.gamma, x.dtype) * self.v(attended)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "value_ratio": self.value_ratio, "max_positions": self.max_positions}


@keras.saving.register_keras_serializable(package="tfdeblur")
class ChannelAttention(keras.layers.Layer):
    """Squeeze-and-excitation channel attention (Hu et al. 2018; paper eqs. 3-4).

    `Z = mean_{i,j} X`, `A = sigmoid(W2 relu(W1 Z))`, `Y = A * X`, with W1: C -> C/r
    and W2: C/r -> C implemented as 1x1 convs, as in the paper.

    W1 starts at zero with bias 1, so every squeeze unit starts alive whatever the
    input: randomly initialised, a squeeze of C/r = 1-4 units had all its ReLUs
    negative on a batch-1 image about a third of the time, and a layer so started
    never learns (no gradient reaches W1). W2's random init tells the units apart.
    """

    def __init__(self, reduction=16, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = keras.InputSpec(ndim=4)
        self.reduction = int(reduction)

    def build(self, input_shape):
        channels = input_shape[-1]
        self.squeeze = keras.layers.Conv2D(
            max(channels // self.reduction, 1),
            1,
            activation="relu",
            kernel_initializer="zeros",
            bias_initializer=keras.initializers.Constant(1.0),
            name="w1",
        )
        self.squeeze.build((None, 1, 1, channels))
        self.excite = keras.layers.Conv2D(channels, 1, activation="sigmoid", name="w2")
        self.excite.build((None, 1, 1, self.squeeze.filters))

    def call(self, x):
        weights = self.excite(self.squeeze(tf.reduce_mean(x, axis=[1, 2], keepdims=True)))
        return x * weights

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "reduction": self.reduction}
