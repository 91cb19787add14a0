"""Any-size inputs: reflect-pad to the network's stride, crop back after.

Fixes bug 2 of the paper's code (defect 2 in docs/paper-notes.md): a 720-pixel-high frame reaches
the 8-level U-Net's skip connections as 23 vs 24 rows. Every generator pads
inside the model, so users never resize.
"""

import keras
import tensorflow as tf


def _reflect_indices(size, padded_size):
    """Indices 0..padded_size-1 folded back into [0, size) by mirror reflection.

    Unlike ``tf.pad(mode="REFLECT")`` this works for padding larger than the
    image itself (a 77-pixel side padded to 256), by reflecting repeatedly.
    """
    period = tf.maximum(2 * size - 2, 1)
    index = tf.math.floormod(tf.range(padded_size), period)
    return tf.where(index >= size, period - index, index)


def padded_side(side, multiple):
    """`side` rounded up to a multiple of `multiple` (ints or integer tensors).

    Ceiling division on non-negative integers: ONNX's integer Div truncates, so the usual
    -(-side // multiple) would round down once converted (tf2onnx).
    """
    return (side + multiple - 1) // multiple * multiple


@keras.saving.register_keras_serializable(package="tfdeblur")
class ReflectPadToMultiple(keras.layers.Layer):
    """Reflect-pads the bottom and right of NHWC images to a multiple of `multiple`."""

    def __init__(self, multiple, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = keras.InputSpec(ndim=4)
        self.multiple = int(multiple)

    def call(self, images):
        for axis in (1, 2):
            size = tf.shape(images)[axis]
            images = tf.gather(images, _reflect_indices(size, padded_side(size, self.multiple)), axis=axis)
        return images

    def compute_output_shape(self, input_shape):
        def padded(side):
            return None if side is None else padded_side(side, self.multiple)

        batch, height, width, channels = input_shape
        return (batch, padded(height), padded(width), channels)

    def get_config(self):
        return {**super().get_config(), "multiple": self.multiple}


@keras.saving.register_keras_serializable(package="tfdeblur")
class CropToMatch(keras.layers.Layer):
    """Crops the top-left of `inputs[0]` to the height and width of `inputs[1]`."""

    def call(self, inputs):
        images, reference = inputs
        shape = tf.shape(reference)
        return images[:, : shape[1], : shape[2], :]

    def compute_output_shape(self, input_shapes):
        images, reference = input_shapes
        return (images[0], reference[1], reference[2], images[3])


@keras.saving.register_keras_serializable(package="tfdeblur")
class ReflectionPadding2D(keras.layers.Layer):
    """Reflect-pads `padding` pixels on every side (PyTorch's `nn.ReflectionPad2d`)."""

    def __init__(self, padding, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = keras.InputSpec(ndim=4)
        self.padding = int(padding)

    def call(self, images):
        pad = self.padding
        return tf.pad(images, [[0, 0], [pad, pad], [pad, pad], [0, 0]], mode="REFLECT")

    def compute_output_shape(self, input_shape):
        def padded(side):
            return None if side is None else side + 2 * self.padding

        batch, height, width, channels = input_shape
        return (batch, padded(height), padded(width), channels)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}
