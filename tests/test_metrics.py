import numpy as np
import pytest
import skimage.data
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from tfdeblur import metrics


def _skimage_ssim(image, reference):
    # The arguments that make scikit-image compute our definition (design.md §1).
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


def test_batched_metrics_are_per_image():
    pairs = [(reference[:60, :60], image[:60, :60]) for reference, image in _pairs()]
    references, images = np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])
    np.testing.assert_allclose(
        metrics.psnr(images, references), [metrics.psnr(i, r) for r, i in pairs], rtol=1e-9
    )
    np.testing.assert_allclose(
        metrics.ssim(images, references), [metrics.ssim(i, r) for r, i in pairs], rtol=1e-6
    )


def test_identical_images_have_infinite_psnr_and_unit_ssim():
    photo = skimage.data.chelsea()
    assert float(metrics.psnr(photo, photo)) == float("inf")
    assert float(metrics.ssim(photo, photo)) == pytest.approx(1.0)
