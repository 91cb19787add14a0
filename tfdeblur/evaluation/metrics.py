"""Image quality metrics, with the conventions stated (eqs. 8-10; docs/paper-notes.md, "Conventions").

All take uint8 RGB images ([H, W, 3] or [N, H, W, 3]) and return one value per
image; average per image, then over images.
- `psnr` (eqs. 8-9): `10 log10(255^2 / MSE)` on the uint8 RGB values, capped at
  `PSNR_CAP` = 100 dB: identical images (MSE 0) score the cap, not `inf`, so means stay
  finite and comparable (a 1-level error in one value of a 1280x720 frame is ~112 dB;
  restorations score 20-40 dB). Reports count the images at the cap (docs/evaluation.md).
- `ssim` (eq. 10): 11x11 Gaussian window, sigma 1.5, K1 = 0.01, K2 = 0.03, computed
  per channel and averaged (what `tf.image.ssim` and scikit-image's
  `structural_similarity(..., gaussian_weights=True, sigma=1.5,
  use_sample_covariance=False, data_range=255, channel_axis=-1)` compute). Our headline SSIM.
- `ssim_3d`: the MATLAB-style variant NAFNet and MPRNet report on GoPro: one
  11x11x11 Gaussian (sigma 1.5) window over the H x W x C volume, edges replicated.
  It mixes the channels and reads higher (0.9668 vs 0.9479 for NAFNet, per mmagic).
- `psnr_y`, `ssim_y`: the same on the ITU-R BT.601 luma Y (16-235, unrounded), as
  super-resolution papers and BasicSR's `test_y_channel` report.
"""

import numpy as np
import tensorflow as tf

MAX_VALUE = 255.0
PSNR_CAP = 100.0  # dB
WINDOW = 11
SIGMA = 1.5
# The SSIM graphs take images of any size, traced once: a retrace at another size could round
# differently, and the same image would not always score the same.
_ANY_IMAGES = tf.TensorSpec(None, tf.float64)
_RGB_BATCHES = tf.TensorSpec([None, None, None, 3], tf.float64)


def psnr(images, references):
    """Peak signal-to-noise ratio in dB of uint8 `images` against `references`."""
    return _psnr(tf.cast(images, tf.float64), tf.cast(references, tf.float64))


def ssim(images, references):
    """Structural similarity of uint8 `images` against `references`, per channel."""
    return _ssim(tf.cast(images, tf.float64), tf.cast(references, tf.float64))


def psnr_y(images, references):
    """PSNR on the BT.601 luma channel."""
    return _psnr(luma(images), luma(references))


def ssim_y(images, references):
    """SSIM on the BT.601 luma channel."""
    return _ssim(luma(images), luma(references))


def luma(images):
    """BT.601 Y in [16, 235] of uint8 RGB, float64 [..., H, W, 1] (not rounded, as BasicSR)."""
    weights = tf.constant([65.481, 128.553, 24.966], tf.float64) / 255.0
    return 16.0 + tf.reduce_sum(tf.cast(images, tf.float64) * weights, axis=-1, keepdims=True)


def ssim_3d(images, references):
    """SSIM with one 11x11x11 Gaussian window over H x W x C (edges replicated), per image."""
    batched = len(images.shape) == 4
    first = tf.cast(images if batched else images[tf.newaxis], tf.float64)
    second = tf.cast(references if batched else references[tf.newaxis], tf.float64)
    values = _ssim_3d(first, second)
    return values if batched else values[0]


@tf.function(input_signature=[_RGB_BATCHES, _RGB_BATCHES])
def _ssim_3d(first, second):
    return tf.reduce_mean(_ssim_map(first, second, _gaussian_3d), axis=[1, 2, 3])


def _psnr(images, references):
    mse = tf.reduce_mean(tf.square(images - references), axis=[-3, -2, -1])
    value = 10.0 * tf.math.log(MAX_VALUE**2 / mse) / tf.math.log(tf.constant(10.0, tf.float64))
    return tf.minimum(value, PSNR_CAP)  # MSE 0 gives inf before the cap


@tf.function(input_signature=[_ANY_IMAGES, _ANY_IMAGES])
def _ssim(images, references):
    """`tf.image.ssim`'s definition (its 'valid' window) in float64, the Gaussian applied as two
    1-D passes of shifted slices in one graph: several times faster than `tf.image.ssim`'s 2-D
    depthwise convolution where oneDNN is off, and not rounded to float32 as it is."""
    return tf.reduce_mean(_ssim_map(images, references, _gaussian_valid), axis=[-3, -2, -1])


def _ssim_map(first, second, gaussian):
    """Eq. 10 at each position, the local means, variances and covariance taken by `gaussian`."""
    c1, c2 = (0.01 * MAX_VALUE) ** 2, (0.03 * MAX_VALUE) ** 2
    mu1, mu2 = gaussian(first), gaussian(second)
    sigma1 = gaussian(first * first) - mu1 * mu1
    sigma2 = gaussian(second * second) - mu2 * mu2
    sigma12 = gaussian(first * second) - mu1 * mu2
    return ((2 * mu1 * mu2 + c1) * (2 * sigma12 + c2)) / (
        (mu1 * mu1 + mu2 * mu2 + c1) * (sigma1 + sigma2 + c2)
    )


def _gaussian_taps():
    """The 11-tap Gaussian of sigma 1.5, normalised (OpenCV's getGaussianKernel(11, 1.5))."""
    taps = np.exp(-((np.arange(WINDOW) - WINDOW // 2) ** 2) / (2 * SIGMA**2))
    return taps / taps.sum()


def _gaussian_valid(images):
    """The 11x11 Gaussian of [..., H, W, C] `images` where the window fits: [..., H-10, W-10, C]."""
    taps = _gaussian_taps()
    for axis in (-3, -2):
        length = tf.shape(images)[axis] - (WINDOW - 1)
        images = tf.add_n([tap * _slice(images, axis, offset, length) for offset, tap in enumerate(taps)])
    return images


def _slice(images, axis, begin, length):
    """`images[..., begin:begin + length, ...]` along `axis`, counted from the end (-1 the last)."""
    return images[(Ellipsis, slice(begin, begin + length), *[slice(None)] * (-axis - 1))]


def _gaussian_3d(volumes):
    """Separable 11x11x11 Gaussian filter of [N, H, W, C] volumes, replicating the edges ('same' size).

    Rows and columns: `_gaussian_valid` of the edge-replicated volume. Channels
    (few, so the window always reaches past the edges): a fixed C x C mixing matrix.
    """
    half = WINDOW // 2
    for axis in (1, 2):
        size = tf.shape(volumes)[axis]
        volumes = tf.gather(volumes, tf.clip_by_value(tf.range(-half, size + half), 0, size - 1), axis=axis)
    volumes = _gaussian_valid(volumes)
    return tf.tensordot(
        volumes, _edge_replicated_filter(_gaussian_taps(), volumes.shape[-1]), axes=[[3], [0]]
    )


def _edge_replicated_filter(taps, channels):
    """[C, C] matrix M with (x M)[c] = sum_k taps[k] * x[clip(c + k - half, 0, C - 1)]."""
    half = len(taps) // 2
    matrix = np.zeros((channels, channels))
    for output in range(channels):
        for offset, tap in enumerate(taps):
            matrix[np.clip(output + offset - half, 0, channels - 1), output] += tap
    return tf.constant(matrix, tf.float64)
