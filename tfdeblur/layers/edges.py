"""Canny edge maps computed inside the model graph (the paper's "+ Edge" input).

Computing the edge channel in-graph from the blurred RGB input fixes bug 6 of
the paper's code (defect 6 in docs/paper-notes.md): the edges can never go out of sync with the
image (augmentation, test time), and an exported edge model takes RGB alone.
"""

import math

import keras
import tensorflow as tf

# ITU-R 709 luma, as skimage.color.rgb2gray.
_LUMA = (0.2125, 0.7154, 0.0721)


def _gaussian_taps(sigma):
    """1-D Gaussian truncated at 4 sigma, as scipy.ndimage.gaussian_filter."""
    radius = int(4.0 * sigma + 0.5)
    taps = [math.exp(-0.5 * (x / sigma) ** 2) for x in range(-radius, radius + 1)]
    return tf.constant(taps, tf.float32) / sum(taps)


def _separable(images, column, row):
    """Zero-padded 'same' correlation of [N, H, W, 1] images with column x row taps."""
    images = tf.nn.conv2d(images, tf.reshape(column, [-1, 1, 1, 1]), 1, "SAME")
    return tf.nn.conv2d(images, tf.reshape(row, [1, -1, 1, 1]), 1, "SAME")


def _smooth(gray, sigma):
    """Gaussian smoothing with zero padding renormalised by the window's weight inside the image.

    This is skimage.feature.canny's default (mode="constant" and "bleed-over" correction).
    """
    taps = _gaussian_taps(sigma)
    return _separable(gray, taps, taps) / (_separable(tf.ones_like(gray), taps, taps) + 1e-7)


def _sobel(image):
    """Sobel derivatives along rows (i) and columns (j), with symmetric padding (scipy's "reflect")."""
    padded = tf.pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="SYMMETRIC")
    derivative = tf.constant([-1.0, 0.0, 1.0])
    smoothing = tf.constant([1.0, 2.0, 1.0])
    along_i = _separable(padded, derivative, smoothing)[:, 1:-1, 1:-1]
    along_j = _separable(padded, smoothing, derivative)[:, 1:-1, 1:-1]
    return along_i, along_j


def _shift(image, di, dj):
    """`out[i, j] = image[i + di, j + dj]`, zero outside the image."""
    height, width = tf.shape(image)[1], tf.shape(image)[2]
    padded = tf.pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]])
    return padded[:, 1 + di : 1 + di + height, 1 + dj : 1 + dj + width]


def _non_maximum_suppression(grad_i, grad_j, magnitude):
    """Keeps pixels whose magnitude is no less than both neighbours along the gradient.

    Neighbour magnitudes are interpolated between the two pixels that bracket the
    gradient direction (skimage's bilinear scheme), one sector of 45 degrees at a
    time; a pixel on a sector boundary takes the last sector, as skimage does.
    """
    abs_i, abs_j = tf.abs(grad_i), tf.abs(grad_j)
    same_sign = ((grad_i >= 0) & (grad_j >= 0)) | ((grad_i <= 0) & (grad_j <= 0))
    opposite_sign = ((grad_i <= 0) & (grad_j >= 0)) | ((grad_i >= 0) & (grad_j <= 0))
    mostly_i = abs_i >= abs_j
    mostly_j = abs_i <= abs_j
    ratio_j = tf.math.divide_no_nan(abs_j, abs_i)
    ratio_i = tf.math.divide_no_nan(abs_i, abs_j)

    def neighbour(ratio, near, far):
        return _shift(magnitude, *far) * ratio + _shift(magnitude, *near) * (1.0 - ratio)

    # (sector mask, interpolation weight, (near, far) forwards, (near, far) backwards)
    sectors = [
        (same_sign & mostly_i, ratio_j, ((1, 0), (1, 1)), ((-1, 0), (-1, -1))),
        (same_sign & mostly_j, ratio_i, ((0, 1), (1, 1)), ((0, -1), (-1, -1))),
        (opposite_sign & mostly_j, ratio_i, ((0, 1), (-1, 1)), ((0, -1), (1, -1))),
        (opposite_sign & mostly_i, ratio_j, ((-1, 0), (-1, 1)), ((1, 0), (1, -1))),
    ]
    is_maximum = tf.zeros_like(magnitude, tf.bool)
    for mask, ratio, forwards, backwards in sectors:
        maximum = (neighbour(ratio, *forwards) <= magnitude) & (neighbour(ratio, *backwards) <= magnitude)
        is_maximum = tf.where(mask, maximum, is_maximum)
    return is_maximum & (magnitude > 0)


def _interior(image):
    """True everywhere except the one-pixel border, where Canny reports no edges."""
    height, width = tf.shape(image)[1], tf.shape(image)[2]
    inside = tf.ones([height - 2, width - 2], tf.bool)
    return tf.reshape(tf.pad(inside, [[1, 1], [1, 1]]), [1, height, width, 1])  # LiteRT: no bool newaxis


def _hysteresis(weak, strong):
    """Keeps the weak pixels 8-connected to a strong one: dilate the strong set until it stops growing."""

    def grow(edges, _):
        dilated = tf.nn.max_pool2d(tf.cast(edges, tf.float32), 3, 1, "SAME") > 0
        return dilated & weak, edges

    edges, _ = tf.while_loop(
        lambda edges, previous: tf.reduce_any(edges != previous),
        grow,
        (strong, tf.zeros_like(strong)),
    )
    return edges


@keras.saving.register_keras_serializable(package="tfdeblur")
class CannyEdges(keras.layers.Layer):
    """Canny edge map (Canny 1986) of RGB images in [-1, 1]: [N, H, W, 3] -> [N, H, W, 1] in {0, 1}.

    Grayscale (rgb2gray luma) in [0, 1] -> Gaussian smoothing (`sigma`) -> Sobel
    gradient magnitude -> non-maximum suppression -> double threshold
    (`low`, `high`, on the magnitude of the [0, 1] image) -> hysteresis by iterated
    3x3 dilation. Matches `skimage.feature.canny(rgb2gray(image), sigma, low, high)`.
    The map is a constant of the input: no gradient flows through it.
    """

    def __init__(self, sigma=1.0, low_threshold=0.1, high_threshold=0.2, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = keras.InputSpec(ndim=4, axes={-1: 3})  # RGB images
        if not 0 <= low_threshold <= high_threshold:
            raise ValueError(
                f"need 0 <= low_threshold <= high_threshold, got {low_threshold}, {high_threshold}"
            )
        self.sigma = sigma
        self.low_threshold = low_threshold
        self.high_threshold = high_threshold

    def call(self, images):
        images = tf.stop_gradient(tf.cast(images, tf.float32))
        gray = tf.reduce_sum((images + 1.0) / 2.0 * tf.constant(_LUMA), axis=-1, keepdims=True)
        grad_i, grad_j = _sobel(_smooth(gray, self.sigma))
        magnitude = tf.sqrt(grad_i**2 + grad_j**2)
        candidates = _non_maximum_suppression(grad_i, grad_j, magnitude) & _interior(magnitude)
        weak = candidates & (magnitude >= self.low_threshold)
        strong = weak & (magnitude >= self.high_threshold)
        return tf.cast(_hysteresis(weak, strong), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], 1)

    def get_config(self):
        return {
            **super().get_config(),
            "sigma": self.sigma,
            "low_threshold": self.low_threshold,
            "high_threshold": self.high_threshold,
        }
