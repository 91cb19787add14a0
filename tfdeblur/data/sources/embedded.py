"""The embedded default dataset: photos shipped with scikit-image, blurred on the fly.

Nothing is downloaded. Training draws random crops of the training photos and
blurs each with a random camera-shake kernel of a bank drawn per run (or by
another blur mix, `embedded,mix=...`: see `tfdeblur.data.mix`); the test
split is fixed: held-out photos, full size, each blurred with
`KERNELS_PER_TEST_PHOTO` kernels from fixed seeds, so every run evaluates on
the same pixels.
"""

import numpy as np
import skimage.data
import tensorflow as tf

from tfdeblur.data import mix
from tfdeblur.data.blur import MAX_NOISE_STD, blur
from tfdeblur.data.kernels import random_kernel
from tfdeblur.data.pipeline import FRAME_SIGNATURE
from tfdeblur.data.synthetic import KERNEL_LENGTHS, KERNEL_SIZE
from tfdeblur.errors import InputError

TRAIN_PHOTOS = {
    "chelsea": skimage.data.chelsea,
    "coffee": skimage.data.coffee,
    "immunohistochemistry": skimage.data.immunohistochemistry,
    "motorcycle_left": lambda: skimage.data.stereo_motorcycle()[0],
    "motorcycle_right": lambda: skimage.data.stereo_motorcycle()[1],
    # Grayscale photos, as RGB: more scenes and textures for the same blur.
    "brick": lambda: _rgb(skimage.data.brick()),
    "camera": lambda: _rgb(skimage.data.camera()),
    "coins": lambda: _rgb(skimage.data.coins()),
    "grass": lambda: _rgb(skimage.data.grass()),
    "gravel": lambda: _rgb(skimage.data.gravel()),
    "moon": lambda: _rgb(skimage.data.moon()),
    "page": lambda: _rgb(skimage.data.page()),
}
# Held-out photos are in focus everywhere: in a shallow depth-of-field photo
# (chelsea's background) the "sharp" target is itself blurry, and PSNR would
# punish a model for sharpening it.
TEST_PHOTOS = {
    "astronaut": skimage.data.astronaut,
    "rocket": skimage.data.rocket,
}
KERNELS_PER_TEST_PHOTO = 4
TEST_SEED = 20170721  # fixed forever: changing it changes every reported number


def _rgb(gray):
    return np.repeat(gray[..., np.newaxis], 3, axis=-1)


SPEC = "embedded"
OPTIONS = mix.OPTIONS
# The test split's blur: a model trained on the default mix is measured on what it learned.
DEFAULT_MIX = "kernel"


def check(spec):
    if spec.argument is not None:
        raise InputError(f"dataset spec {spec.text!r}: 'embedded' takes no argument")
    return mix.parse(spec, DEFAULT_MIX)


def train_pairs(spec, crop_size, seed=0, **locations):
    """An endless dataset of {"blur", "sharp"} uint8 crops of crop_size x crop_size.

    Photos smaller than a crop (plus the blur's margin) are left out.
    """
    del locations
    window = crop_size + spec.options.margin
    photos = [photo for photo in (load() for load in TRAIN_PHOTOS.values()) if min(photo.shape[:2]) >= window]
    if not photos:
        raise InputError(f"--crop_size={crop_size} is too large for the embedded photos")
    photos = [tf.data.Dataset.from_tensors(tf.constant(photo)).repeat() for photo in photos]
    photo_stream = tf.data.Dataset.sample_from_datasets(photos, seed=seed)
    return mix.train_pairs(spec.text, spec.options, photo_stream, crop_size, seed)


def evaluation_pairs(spec, split="test", **locations):
    """The fixed held-out set (`test_pairs`): the only split kept for evaluation."""
    del locations
    if split != "test":
        raise InputError(f"dataset {spec.text!r} has no split {split!r} for evaluation: use 'test'")
    return test_pairs()


def test_pairs():
    """The fixed held-out set: {"blur", "sharp", "name"} full-size uint8 pairs."""
    pairs = {"blur": [], "sharp": [], "name": []}
    for photo_index, (name, load) in enumerate(TEST_PHOTOS.items()):
        sharp = load()
        for k in range(KERNELS_PER_TEST_PHOTO):
            rng = np.random.default_rng([TEST_SEED, photo_index, k])
            kernel = random_kernel(rng, KERNEL_SIZE, KERNEL_LENGTHS)
            noise_std = rng.uniform(0.0, MAX_NOISE_STD)
            blurred = blur(
                tf.constant(sharp),
                kernel,
                noise_std,
                seed=(TEST_SEED, 2 * photo_index + k),
                padding="REFLECT",
            )
            pairs["blur"].append(blurred.numpy())
            pairs["sharp"].append(sharp)
            pairs["name"].append(f"{name}_k{k}")
    return tf.data.Dataset.from_generator(
        lambda: (dict(zip(pairs, values)) for values in zip(*pairs.values())),
        output_signature=FRAME_SIGNATURE,
    )
