"""Image quality metrics, with the conventions stated (eqs. 8-10; docs/paper-notes.md, "Conventions").

All take uint8 RGB images ([H, W, 3] or [N, H, W, 3]) and return one value per
image; average per image, then over images.
- `psnr` (eqs. 8-9): `10 log10(255^2 / MSE)` on the uint8 RGB values; `inf` for
  identical images.
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
WINDOW = 11
SIGMA = 1.5


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
    c1, c2 = (0.01 * MAX_VALUE) ** 2, (0.03 * MAX_VALUE) ** 2
    mu1, mu2 = _gaussian_3d(first), _gaussian_3d(second)
    sigma1 = _gaussian_3d(first * first) - mu1 * mu1
    sigma2 = _gaussian_3d(second * second) - mu2 * mu2
    sigma12 = _gaussian_3d(first * second) - mu1 * mu2
    ssim_map = ((2 * mu1 * mu2 + c1) * (2 * sigma12 + c2)) / (
        (mu1 * mu1 + mu2 * mu2 + c1) * (sigma1 + sigma2 + c2)
    )
    values = tf.reduce_mean(ssim_map, axis=[1, 2, 3])
    return values if batched else values[0]


def _psnr(images, references):
    mse = tf.reduce_mean(tf.square(images - references), axis=[-3, -2, -1])
    return 10.0 * tf.math.log(MAX_VALUE**2 / mse) / tf.math.log(tf.constant(10.0, tf.float64))


def _ssim(images, references):
    return tf.image.ssim(
        images, references, max_val=MAX_VALUE, filter_size=WINDOW, filter_sigma=SIGMA, k1=0.01, k2=0.03
    )


def _gaussian_taps():
    """The 11-tap Gaussian of sigma 1.5, normalised (OpenCV's getGaussianKernel(11, 1.5))."""
    taps = np.exp(-((np.arange(WINDOW) - WINDOW // 2) ** 2) / (2 * SIGMA**2))
    return taps / taps.sum()


def _gaussian_3d(volumes):
    """Separable 11x11x11 Gaussian filter of [N, H, W, C] volumes, replicating the edges ('same' size).

    Rows and columns: weighted sums of 11 shifted slices of the edge-replicated
    volume. Channels (few, so the window always reaches past the edges): a
    fixed C x C mixing matrix.
    """
    taps = _gaussian_taps()
    half = WINDOW // 2
    for axis in (1, 2):
        size = tf.shape(volumes)[axis]
        padded = tf.gather(volumes, tf.clip_by_value(tf.range(-half, size + half), 0, size - 1), axis=axis)
        begin, length = [0, 0, 0, 0], [-1, -1, -1, -1]
        length[axis] = size
        terms = []
        for offset, tap in enumerate(taps):
            begin[axis] = offset
            terms.append(tap * tf.slice(padded, begin, length))
        volumes = tf.add_n(terms)
    return tf.tensordot(volumes, _edge_replicated_filter(taps, volumes.shape[-1]), axes=[[3], [0]])


def _edge_replicated_filter(taps, channels):
    """[C, C] matrix M with (x M)[c] = sum_k taps[k] * x[clip(c + k - half, 0, C - 1)]."""
    half = len(taps) // 2
    matrix = np.zeros((channels, channels))
    for output in range(channels):
        for offset, tap in enumerate(taps):
            matrix[np.clip(output + offset - half, 0, channels - 1), output] += tap
    return tf.constant(matrix, tf.float64)
