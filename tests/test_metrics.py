import numpy as np
import pytest
import scipy.ndimage
import skimage.data
import tensorflow as tf
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from tfdeblur.evaluation import metrics


def _skimage_ssim(image, reference):
    # The arguments that make scikit-image compute our definition (eq. 10; docs/paper-notes.md).
    return structural_similarity(
        reference,
        image,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        data_range=255,
        channel_axis=-1,
    )


def _pairs():
    rng = np.random.default_rng(0)
    random = rng.integers(0, 256, (64, 80, 3), dtype=np.uint8)
    yield random, np.clip(random + rng.normal(0, 20, random.shape), 0, 255).astype(np.uint8)
    for photo in (skimage.data.astronaut(), skimage.data.chelsea()):
        noisy = np.clip(photo + rng.normal(0, 8, photo.shape), 0, 255).astype(np.uint8)
        yield photo, noisy


@pytest.mark.parametrize("reference, image", list(_pairs()))
def test_psnr_and_ssim_match_scikit_image(reference, image):
    assert float(metrics.psnr(image, reference)) == pytest.approx(
        peak_signal_noise_ratio(reference, image, data_range=255), abs=1e-3
    )
    assert float(metrics.ssim(image, reference)) == pytest.approx(_skimage_ssim(image, reference), abs=1e-3)


@pytest.mark.parametrize("reference, image", list(_pairs()))
def test_ssim_is_computed_in_float64(reference, image):
    # tf.image.ssim (which we used before) computes in float32: within 1e-4 of it, and of
    # scikit-image's float64 to rounding.
    single = tf.image.ssim(tf.constant(image), tf.constant(reference), 255, 11, 1.5, 0.01, 0.03)
    assert float(metrics.ssim(image, reference)) == pytest.approx(float(single), abs=1e-4)
    assert float(metrics.ssim(image, reference)) == pytest.approx(_skimage_ssim(image, reference), abs=1e-9)


def test_batched_metrics_are_per_image():
    pairs = [(reference[:60, :60], image[:60, :60]) for reference, image in _pairs()]
    references, images = np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])
    np.testing.assert_allclose(
        metrics.psnr(images, references), [metrics.psnr(i, r) for r, i in pairs], rtol=1e-9
    )
    np.testing.assert_allclose(
        metrics.ssim(images, references), [metrics.ssim(i, r) for r, i in pairs], rtol=1e-6
    )


def test_identical_images_score_the_psnr_cap_and_unit_ssim():
    photo = skimage.data.chelsea()
    assert float(metrics.psnr(photo, photo)) == metrics.PSNR_CAP == 100.0
    assert float(metrics.psnr_y(photo, photo)) == metrics.PSNR_CAP
    assert float(metrics.ssim(photo, photo)) == pytest.approx(1.0)
    # Below the cap, PSNR is eq. 8 as before: one value of 300x451x3 off by 64 levels is 68 dB.
    nearly = photo.copy()
    nearly[0, 0, 0] ^= 64
    mse = 64**2 / photo.size
    assert float(metrics.psnr(nearly, photo)) == pytest.approx(10 * np.log10(255**2 / mse))
    assert float(metrics.psnr(nearly, photo)) < metrics.PSNR_CAP


def _ssim_3d_reference(image, reference):
    """NAFNet's 3-D SSIM, written plainly: an 11x11x11 Gaussian over H x W x C, edges replicated."""
    taps = np.exp(-((np.arange(11) - 5) ** 2) / (2 * 1.5**2))
    taps /= taps.sum()

    def blur(volume):
        for axis in range(3):
            volume = scipy.ndimage.correlate1d(volume, taps, axis=axis, mode="nearest")
        return volume

    x, y = image.astype(np.float64), reference.astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_x, mu_y = blur(x), blur(y)
    var_x, var_y, cov = blur(x * x) - mu_x**2, blur(y * y) - mu_y**2, blur(x * y) - mu_x * mu_y
    return np.mean(
        ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    )


@pytest.mark.parametrize("reference, image", [(r[:40, :50], i[:40, :50]) for r, i in _pairs()])
def test_ssim_3d_matches_a_numpy_reference(reference, image):
    assert float(metrics.ssim_3d(image, reference)) == pytest.approx(
        _ssim_3d_reference(image, reference), abs=1e-6
    )
    assert float(metrics.ssim_3d(reference, reference)) == pytest.approx(1.0)


def test_3d_ssim_reads_higher_than_per_channel_ssim_on_colour_noise():
    reference, image = next(p for i, p in enumerate(_pairs()) if i == 1)
    assert float(metrics.ssim_3d(image, reference)) > float(metrics.ssim(image, reference))


def test_y_channel_metrics_match_scikit_image_on_bt601_luma():
    for reference, image in _pairs():
        luma = lambda rgb: 16.0 + rgb.astype(np.float64) @ np.array([65.481, 128.553, 24.966]) / 255.0  # noqa: E731
        assert float(metrics.psnr_y(image, reference)) == pytest.approx(
            peak_signal_noise_ratio(luma(reference), luma(image), data_range=255), abs=1e-3
        )
        expected = structural_similarity(
            luma(reference),
            luma(image),
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            data_range=255,
        )
        assert float(metrics.ssim_y(image, reference)) == pytest.approx(expected, abs=1e-3)
