"""Image quality metrics, with the conventions stated (design.md §1, §5).

Both take uint8 RGB images ([H, W, 3] or [N, H, W, 3]) and return one value per
image; average per image, then over images.
- PSNR (eqs. 8-9): `10 log10(255^2 / MSE)` on the uint8 values; `inf` for
  identical images.
- SSIM (eq. 10): 11x11 Gaussian window, sigma 1.5, K1 = 0.01, K2 = 0.03, computed
  per channel and averaged (what `tf.image.ssim` and scikit-image's
  `structural_similarity(..., gaussian_weights=True, sigma=1.5,
  use_sample_covariance=False, data_range=255, channel_axis=-1)` compute).
"""

import tensorflow as tf

MAX_VALUE = 255.0


def psnr(images, references):
    """Peak signal-to-noise ratio in dB of uint8 `images` against `references`."""
    difference = tf.cast(images, tf.float64) - tf.cast(references, tf.float64)
    mse = tf.reduce_mean(tf.square(difference), axis=[-3, -2, -1])
    return 10.0 * tf.math.log(MAX_VALUE**2 / mse) / tf.math.log(tf.constant(10.0, tf.float64))


def ssim(images, references):
    """Structural similarity of uint8 `images` against `references`, per channel."""
    return tf.image.ssim(
        tf.cast(images, tf.float64),
        tf.cast(references, tf.float64),
        max_val=MAX_VALUE,
        filter_size=11,
        filter_sigma=1.5,
        k1=0.01,
        k2=0.03,
    )
