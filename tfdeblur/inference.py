"""Running a generator on uint8 images of any size."""

import tensorflow as tf

from tfdeblur.images import to_float, to_uint8


def restore_function(generator):
    """A traced `uint8 [N, H, W, 3] -> uint8 [N, H, W, 3]` deblurring function.

    One trace serves every image size (the generators pad to their stride
    inside); the generator runs in inference mode (BatchNorm statistics frozen,
    dropout off: bug 1 of the paper's code, design.md §3).
    """

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8)])
    def restore(blurred):
        return to_uint8(generator(to_float(blurred), training=False))

    return restore
