"""Datasets by spec: files -> tf.data pairs of uint8 {"blur", "sharp"} images.

Specs (design.md §6): `embedded` (default; scikit-image photos blurred on the
fly, fixed held-out split).
"""

from tfdeblur.data import embedded
from tfdeblur.data.pipeline import augment_pair, training_batches
from tfdeblur.errors import InputError

SPECS = ("embedded",)
SPLITS = ("train", "test")


def check_spec(spec):
    """Raises InputError naming `spec` unless it is a dataset spec tfdeblur knows."""
    if spec not in SPECS:
        raise InputError(f"unknown dataset spec {spec!r}: expected one of {', '.join(SPECS)}")


def train_pairs(spec, crop_size, seed=0):
    """An endless, shuffled dataset of {"blur", "sharp"} uint8 crop_size^2 pairs."""
    check_spec(spec)
    return embedded.train_pairs(crop_size, seed=seed)


def evaluation_pairs(spec, split="test"):
    """A finite dataset of full-size {"blur", "sharp", "name"} uint8 pairs."""
    check_spec(spec)
    if split != "test":
        raise InputError(f"dataset {spec!r} has no split {split!r} for evaluation: use 'test'")
    return embedded.test_pairs()


__all__ = ["SPECS", "augment_pair", "check_spec", "evaluation_pairs", "train_pairs", "training_batches"]
