import numpy as np
import pytest
import tensorflow as tf

from tfdeblur import data
from tfdeblur.data import embedded
from tfdeblur.data.blur import blur
from tfdeblur.data.kernels import random_kernel
from tfdeblur.errors import InputError


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


def test_augmentation_moves_both_images_alike():
    image = tf.random.uniform([32, 32, 3], 0, 256, dtype=tf.int32)
    for seed in range(8):
        pair = data.augment_pair({"blur": image, "sharp": image}, tf.constant([seed, 0], tf.int64))
        np.testing.assert_array_equal(pair["blur"], pair["sharp"])


def test_training_batches_are_float_in_minus_one_one():
    blurred, sharp = next(iter(data.training_batches(data.train_pairs("embedded", 32), 2)))
    assert blurred.shape == sharp.shape == (2, 32, 32, 3)
    assert blurred.dtype == tf.float32
    assert float(tf.reduce_min(blurred)) >= -1.0 and float(tf.reduce_max(blurred)) <= 1.0


@pytest.mark.parametrize("spec", ["imagenet", "gopro/nope", ""])
def test_unknown_dataset_spec_is_named(spec):
    with pytest.raises(InputError, match=f"unknown dataset spec '{spec}'"):
        data.train_pairs(spec, 32)
