"""Synthetic motion blur, eq. 1 of the paper: B = K * S + N.

The convolution happens in linear light (sRGB approximated by gamma 2.2),
where a moving camera really averages light, then light Gaussian noise is
added and the result is quantised to uint8 like a real photo.
"""

import tensorflow as tf

GAMMA = 2.2


def blur(sharp, kernel, noise_std=0.0, seed=(0, 0), padding="VALID"):
    """Blurs uint8 images [H, W, 3] or [N, H, W, 3] with one PSF [k, k].

    With "VALID" padding the output loses k - 1 rows and columns (crop the sharp
    target to match); "REFLECT" keeps the size by mirroring the borders.
    `noise_std` is in units of the [0, 1] intensity range; `seed` makes the
    noise deterministic.
    """
    batched = sharp.shape.rank == 4
    images = tf.cast(sharp if batched else sharp[tf.newaxis], tf.float32) / 255.0
    if padding == "REFLECT":
        half = tf.shape(kernel)[0] // 2
        images = tf.pad(images, [[0, 0], [half, half], [half, half], [0, 0]], mode="REFLECT")
    elif padding != "VALID":
        raise ValueError(f"padding must be 'VALID' or 'REFLECT', got {padding!r}")
    # conv2d correlates: flip the PSF to convolve. One PSF for all three channels.
    filters = tf.tile(tf.reverse(kernel, [0, 1])[:, :, tf.newaxis, tf.newaxis], [1, 1, 3, 1])
    linear = tf.nn.depthwise_conv2d(images**GAMMA, filters, [1, 1, 1, 1], "VALID")
    blurred = tf.maximum(linear, 0.0) ** (1.0 / GAMMA)
    blurred += noise_std * tf.random.stateless_normal(tf.shape(blurred), seed)
    blurred = tf.cast(tf.round(tf.clip_by_value(blurred * 255.0, 0.0, 255.0)), tf.uint8)
    return blurred if batched else blurred[0]
