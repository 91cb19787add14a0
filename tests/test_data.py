import numpy as np
import pytest
import scipy.signal
import tensorflow as tf

from tfdeblur import data
from tfdeblur.data import synthetic
from tfdeblur.data.blur import GAMMA, READ_NOISE_LINE, RESPONSES, SHOT_NOISE, Capture, Exposure, blur, develop
from tfdeblur.data.kernels import random_kernel, random_kernels
from tfdeblur.data.pipeline import spread_subset
from tfdeblur.data.sources import embedded
from tfdeblur.errors import InputError
from tfdeblur.evaluation import metrics


def _reference_blur(sharp, kernel, noise_std=0.0, seed=(0, 0), padding="VALID", convolve=None, gamma=GAMMA):
    """Eq. 1 computed plainly in float64: linear light, a convolution per channel, noise, uint8."""
    convolve = convolve or (lambda plane: scipy.signal.convolve2d(plane, kernel.astype(np.float64), "valid"))
    linear = (sharp.astype(np.float64) / 255.0) ** gamma
    if padding == "REFLECT":
        half = kernel.shape[0] // 2
        linear = np.pad(linear, [(half, half), (half, half), (0, 0)], mode="reflect")
    blurred = np.stack([convolve(linear[..., c]) for c in range(3)], axis=-1)
    blurred = np.maximum(blurred, 0.0) ** (1.0 / gamma)
    blurred += noise_std * tf.random.stateless_normal(blurred.shape, seed).numpy()
    return np.round(np.clip(blurred * 255.0, 0.0, 255.0)).astype(np.uint8)


def test_kernels_are_normalised_centred_and_deterministic():
    for seed in range(20):
        kernel = random_kernel(np.random.default_rng(seed), 19, (4, 17))
        assert kernel.shape == (19, 19)
        assert kernel.sum() == pytest.approx(1.0, abs=1e-5)
        rows, cols = np.mgrid[:19, :19]
        # Centre of mass on the centre pixel, so blurring does not shift the image
        # (up to the rare move that keeps a hooked path on the canvas).
        assert abs((kernel * rows).sum() - 9) < 1.5 and abs((kernel * cols).sum() - 9) < 1.5
        np.testing.assert_array_equal(kernel, random_kernel(np.random.default_rng(seed), 19, (4, 17)))


def test_kernel_length_must_fit_the_canvas():
    with pytest.raises(ValueError, match="kernel size 9"):
        random_kernel(np.random.default_rng(0), 9, (4, 12))


def test_blur_with_a_delta_kernel_is_the_identity():
    image = tf.random.uniform([20, 30, 3], 0, 256, dtype=tf.int32)
    image = tf.cast(image, tf.uint8)
    delta = np.zeros((5, 5), np.float32)
    delta[2, 2] = 1.0
    np.testing.assert_array_equal(blur(image, delta, padding="REFLECT"), image)
    assert blur(image, delta).shape == (16, 26, 3)


@pytest.mark.parametrize("padding", ["VALID", "REFLECT"])
@pytest.mark.parametrize("seed", range(4))
def test_fft_blur_equals_a_direct_convolution(padding, seed):
    rng = np.random.default_rng(seed)
    sharp = rng.integers(0, 256, (90 + 7 * seed, 83, 3), dtype=np.uint8)  # odd and even sides
    kernel = random_kernel(rng, synthetic.KERNEL_SIZE, synthetic.KERNEL_LENGTHS)
    noise_std = 0.01 * seed
    gamma = RESPONSES["linear" if seed % 2 else "gamma"]  # both camera responses
    ours = blur(tf.constant(sharp), kernel, noise_std, (seed, 1), padding, gamma).numpy()
    reference = _reference_blur(sharp, kernel, noise_std, (seed, 1), padding, gamma=gamma)
    assert ours.shape == reference.shape
    difference = np.abs(ours.astype(int) - reference)
    assert difference.max() <= 1  # float32 round-off can tip a rounding by one level
    assert (difference > 0).mean() < 1e-3


def test_embedded_test_split_keeps_its_pixels():
    """The held-out pairs are eq. 1 of their fixed kernels to 1 LSB, and their input PSNR stays 24.60 dB."""
    pairs = list(data.evaluation_pairs("embedded").as_numpy_iterator())
    input_psnr = []
    for pair, (photo_index, k) in zip(pairs, np.ndindex(len(embedded.TEST_PHOTOS), 4)):
        rng = np.random.default_rng([embedded.TEST_SEED, photo_index, k])
        kernel = random_kernel(rng, synthetic.KERNEL_SIZE, synthetic.KERNEL_LENGTHS)
        noise_std = rng.uniform(0.0, synthetic.MAX_NOISE_STD)
        reference = _reference_blur(
            pair["sharp"],
            kernel,
            noise_std,
            (embedded.TEST_SEED, 2 * photo_index + k),
            padding="REFLECT",
            convolve=lambda plane, kernel=kernel: scipy.signal.fftconvolve(plane, kernel, "valid"),
        )
        assert np.abs(pair["blur"].astype(int) - reference).max() <= 1, pair["name"]
        input_psnr.append(float(metrics.psnr(pair["blur"], pair["sharp"])))
    assert np.mean(input_psnr) == pytest.approx(24.60, abs=0.005)


def test_a_kernel_bank_holds_the_kernels_of_its_seeds():
    bank = synthetic.blur_bank(5, size=16).numpy()
    rngs = [np.random.default_rng((5, index)) for index in range(16)]
    np.testing.assert_array_equal(bank, random_kernels(rngs, synthetic.KERNEL_SIZE, synthetic.KERNEL_LENGTHS))
    # Drawn together or one by one, a kernel is the same.
    np.testing.assert_array_equal(
        bank[3], random_kernel(np.random.default_rng((5, 3)), synthetic.KERNEL_SIZE, synthetic.KERNEL_LENGTHS)
    )
    assert synthetic.blur_bank(5, "warp", size=4).shape == (4, synthetic.WARP_FRAMES, 4)


@pytest.mark.parametrize("spec", ["embedded", "synthetic"])
def test_training_pipelines_run_no_python_per_example(spec, tmp_path):
    """No py_function/numpy_function: the pipeline never waits for the GIL (nor hangs on it at exit)."""
    if spec == "synthetic":
        tf.io.write_file(str(tmp_path / "a.png"), tf.io.encode_png(np.zeros((100, 100, 3), np.uint8)))
        spec = f"synthetic:{tmp_path}"
    pipeline = data.training_batches(data.train_pairs(spec, 32), 2)
    if spec.startswith("synthetic"):
        message = r"a\.png: 100x100 is smaller than the 116x116 window a 64x64 crop is blurred from"
        with pytest.raises(InputError, match=message):
            data.train_pairs(spec, 64)
    graph = pipeline._as_serialized_graph().numpy()
    assert b"PyFunc" not in graph and b"EagerPyFunc" not in graph


def test_embedded_training_pairs_are_blurred_crops_and_reproducible():
    take = lambda: list(data.train_pairs("embedded", 48, seed=3).take(4).as_numpy_iterator())  # noqa: E731
    first, second = take(), take()
    for a, b in zip(first, second):
        assert a["blur"].shape == a["sharp"].shape == (48, 48, 3)
        assert a["blur"].dtype == np.uint8
        np.testing.assert_array_equal(a["blur"], b["blur"])
        assert not np.array_equal(a["blur"], a["sharp"])


def test_embedded_test_split_is_fixed_and_held_out():
    first = list(data.evaluation_pairs("embedded").as_numpy_iterator())
    second = list(data.evaluation_pairs("embedded").as_numpy_iterator())
    assert len(first) == len(embedded.TEST_PHOTOS) * embedded.KERNELS_PER_TEST_PHOTO
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a["blur"], b["blur"])
        assert a["blur"].shape == a["sharp"].shape
    assert not set(embedded.TEST_PHOTOS) & set(embedded.TRAIN_PHOTOS)


def test_augmentation_moves_both_images_of_a_pair_alike_and_pairs_differently():
    images = tf.random.uniform([8, 32, 32, 3], 0, 256, dtype=tf.int32)
    for seed in range(4):
        pairs = data.augment_batch({"blur": images, "sharp": images}, tf.constant([seed, 0], tf.int64))
        np.testing.assert_array_equal(pairs["blur"], pairs["sharp"])
        # Each pair is one of the 8 flips/rotations of its input, drawn on its own.
        for augmented, image in zip(pairs["blur"].numpy(), images.numpy()):
            variants = [np.rot90(flipped, k) for flipped in (image, image[:, ::-1]) for k in range(4)]
            assert any(np.array_equal(augmented, variant) for variant in variants)
    unchanged = [np.array_equal(a, b) for a, b in zip(pairs["blur"].numpy(), images.numpy())]
    assert not all(unchanged)


def test_training_batches_are_float_in_minus_one_one():
    blurred, sharp = next(iter(data.training_batches(data.train_pairs("embedded", 32), 2)))
    assert blurred.shape == sharp.shape == (2, 32, 32, 3)
    assert blurred.dtype == tf.float32
    assert float(tf.reduce_min(blurred)) >= -1.0 and float(tf.reduce_max(blurred)) <= 1.0


@pytest.mark.parametrize("spec", ["imagenet", "gopro/nope", ""])
def test_unknown_dataset_spec_is_named(spec):
    with pytest.raises(InputError, match=f"unknown dataset spec '{spec}'"):
        data.train_pairs(spec, 32)


@pytest.mark.parametrize("level", [0.1, 0.4])
def test_sensor_noise_has_the_poisson_gaussian_variance_in_linear_light(level):
    """Noise of variance shot * x + read on linear light x, added before quantisation (seen through
    the linear response, whose encoding is the identity; rounding adds 1/12 of a level squared)."""
    shot, read = 4e-3, 1e-4
    light = tf.fill([1, 256, 256, 3], level)
    captured = develop(light, 1.0, 0.0, (3, 4), exposure=Exposure(shot=shot, read=read)).numpy() / 255.0
    assert captured.mean() == pytest.approx(level, abs=2e-3)
    assert captured.var() == pytest.approx(shot * level + read + 1 / 12 / 255**2, rel=0.03)
    noiseless = develop(light, 1.0, 0.0, (3, 4)).numpy()
    assert np.unique(noiseless) == [round(level * 255)]


def test_saturated_highlights_carry_their_gain_and_are_clipped_after_blurring():
    """A clipped highlight's light times the gain is spread by the PSF in linear light, then clipped
    to the sensor's range; pixels below the highlight level keep their light."""
    sharp = np.zeros((9, 21, 3), np.uint8)
    sharp[4, 14] = 255  # a highlight
    sharp[4, 5] = 200  # not one
    kernel = np.zeros((5, 5), np.float32)
    kernel[2] = 0.2  # a horizontal streak of 5 px

    def streak(gain):
        return blur(tf.constant(sharp), kernel, padding="REFLECT", exposure=Exposure(gain=gain)).numpy()[4]

    plain = streak(1.0)
    np.testing.assert_array_equal(plain[12:17], round(255 * 0.2 ** (1 / GAMMA)))
    np.testing.assert_array_equal(
        streak(2.5)[12:17], round(255 * 0.5 ** (1 / GAMMA))
    )  # 2.5 x 0.2 of the light
    np.testing.assert_array_equal(streak(10.0)[12:17], 255)  # 2.0 of the range: clipped
    np.testing.assert_array_equal(streak(10.0)[3:8], plain[3:8])
    np.testing.assert_array_equal(plain[3:8], round(255 * ((200 / 255) ** GAMMA * 0.2) ** (1 / GAMMA)))


def test_a_capture_draws_its_sensor_from_the_published_ranges():
    count, seed = 4096, tf.constant([5, 6])
    std, exposure = Capture("sensor", saturation=3.0).draw(count, seed)
    shot, read, gain = (np.ravel(value) for value in (exposure.shot, exposure.read, exposure.gain))
    assert np.all(std == 0.0)
    assert SHOT_NOISE[0] <= shot.min() and shot.max() <= SHOT_NOISE[1]
    slope, intercept, spread = READ_NOISE_LINE
    residual = np.log(read) - slope * np.log(shot) - intercept
    assert abs(residual.mean()) < 0.03 and residual.std() == pytest.approx(spread, rel=0.05)
    assert gain.min() >= 1.0 and gain.max() <= 3.0 and gain.mean() == pytest.approx(2.0, abs=0.05)
    # The default capture draws the encoded noise as the first synthesis always did, and no sensor.
    std, exposure = Capture().draw(count, seed)
    np.testing.assert_array_equal(
        std, tf.random.stateless_uniform([count], seed, maxval=synthetic.MAX_NOISE_STD)
    )
    assert exposure == (1.0, 0.0, 0.0)


def test_sensor_settings_are_read_from_the_spec_and_checked():
    options = data.specs.parse_spec("embedded,noise=sensor,saturation=4").options
    assert options.capture == Capture("sensor", 4.0)
    assert data.specs.parse_spec("embedded").options.capture == Capture()
    with pytest.raises(InputError, match=r"saturation=0\.5 is a gain, at least 1"):
        data.specs.parse_spec("embedded,saturation=0.5")
    with pytest.raises(InputError, match=r"unknown setting 'noise=poisson'.*noise=encoded\|sensor"):
        data.specs.parse_spec("embedded,noise=poisson")
    pairs = next(iter(data.train_pairs("embedded,noise=sensor,saturation=4,mix=kernel+warp", 32).batch(4)))
    assert pairs["blur"].shape == pairs["sharp"].shape == (4, 32, 32, 3)


def test_a_validation_subset_is_spread_over_a_set_of_known_size():
    numbers = tf.data.Dataset.range(10)
    subset, size = spread_subset(numbers, 4)
    assert size == 10 and list(subset.as_numpy_iterator()) == [0, 2, 5, 7]
    for count in (0, 10, 64):  # all of it
        assert list(spread_subset(numbers, count)[0].as_numpy_iterator()) == list(range(10))
    unknown = numbers.filter(lambda number: number >= 0)  # a size tf.data cannot know
    subset, size = spread_subset(unknown, 4)
    assert size is None and list(subset.as_numpy_iterator()) == [0, 1, 2, 3]
