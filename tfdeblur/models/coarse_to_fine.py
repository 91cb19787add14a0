"""Coarse-to-fine: one generator run at several scales, sharing its weights.

Real motion blur can be longer than a generator trained on crops undoes; at half
scale it is half as long. As in the scale-recurrent network of Tao et al. (CVPR 2018,
"Scale-recurrent Network for Deep Image Deblurring"), the same weights restore the
coarsest level of an image pyramid first; each finer level adds the correction found
below it, upsampled, to its own blurred image before the generator restores it.
"""

import keras
import tensorflow as tf

from tfdeblur.errors import InputError
from tfdeblur.layers import CropToMatch, ReflectPadToMultiple


@keras.saving.register_keras_serializable(package="tfdeblur")
class Upsample2x(keras.layers.Layer):
    """Bilinear 2x upsampling of NHWC images of any size (the inverse grid of 2x2 average pooling).

    `keras.layers.UpSampling2D` needs static sizes in a traced graph; exports take any size."""

    def call(self, images):
        return tf.image.resize(images, 2 * tf.shape(images)[1:3], method="bilinear")

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        return (batch, height and 2 * height, width and 2 * width, channels)


def coarse_to_fine_generator(generator, scales, name="coarse_to_fine"):
    """`generator` run over a `scales`-level pyramid (each level half the size of the one above):
    restored_s = G(blurred_s + up(restored_{s+1} - blurred_{s+1})), restored_coarsest = G(blurred).
    `scales=1` is `generator` itself; the weights are `generator`'s, whatever `scales`."""
    if scales < 1:
        raise InputError(f"generator_scales={scales}: give 1 or more")
    if scales == 1:
        return generator
    blurred = keras.Input((None, None, 3), name="blurred")
    pyramid = [ReflectPadToMultiple(2 ** (scales - 1), name="pad_pyramid")(blurred)]
    for level in range(1, scales):
        pyramid.append(keras.layers.AveragePooling2D(2, name=f"downscale{level}")(pyramid[-1]))
    restored = generator(pyramid[-1])
    for level in reversed(range(scales - 1)):
        correction = keras.layers.Subtract(name=f"correction{level + 1}")([restored, pyramid[level + 1]])
        correction = Upsample2x(name=f"upscale{level + 1}")(correction)
        restored = generator(keras.layers.Add(name=f"corrected{level}")([pyramid[level], correction]))
    restored = CropToMatch(dtype="float32", name="crop_pyramid")([restored, blurred])
    return keras.Model(blurred, restored, name=name)
