"""The one pair of conversions between uint8 images and model tensors.

Convention (docs/paper-notes.md): images are uint8 RGB at every boundary (files,
command line, serving) and float32 in [-1, 1] inside models.
"""

import tensorflow as tf


def to_float(images):
    """uint8 [0, 255] -> float32 [-1, 1]."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def to_uint8(images):
    """float [-1, 1] -> uint8 [0, 255], rounded to nearest and clipped."""
    images = tf.cast(images, tf.float32)
    return tf.cast(tf.round(tf.clip_by_value((images + 1.0) * 127.5, 0.0, 255.0)), tf.uint8)
