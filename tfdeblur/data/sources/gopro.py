"""GoPro (Nah et al. 2017) through its TFDS builder: `--dataset=gopro/blur` or `gopro/blur_gamma`.

The builder (`tfdeblur.data.gopro`) prepares the manual download from
`manual_dir` into `data_dir` on first use (`tfdeblur prepare` does it ahead).
"""

import tensorflow as tf

from tfdeblur.data.pipeline import random_crops
from tfdeblur.errors import InputError

SPEC = "gopro/blur|blur_gamma"
OPTIONS = {}
CONFIGS = ("blur", "blur_gamma")


def check(spec):
    if spec.argument not in CONFIGS:
        configs = " or ".join(f"gopro/{config}" for config in CONFIGS)
        raise InputError(f"unknown dataset spec {spec.text!r}: expected {configs}")


def prepare(config, data_dir=None, manual_dir=None):
    """The prepared TFDS builder of `config`; InputError if the manual download is missing."""
    import tensorflow_datasets as tfds  # imported here: it is slow to import

    from tfdeblur.data.gopro import Gopro

    builder = Gopro(config=config, data_dir=data_dir)
    try:
        builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=manual_dir))
    except AssertionError as error:  # TFDS: the manual directory is missing or empty
        raise InputError(f"gopro/{config}: {error}") from None
    return builder


def evaluation_pairs(spec, split="test", data_dir=None, manual_dir=None):
    """GoPro frames of `split` as {"blur", "sharp", "name": "<sequence>/<frame>"}, prepared if needed."""
    builder = prepare(spec.argument, data_dir, manual_dir)
    if split not in builder.info.splits:
        raise InputError(f"gopro/{spec.argument} has no split {split!r}: use 'train' or 'test'")
    return builder.as_dataset(split=split, shuffle_files=split == "train").map(
        lambda example: {
            "blur": example["blur"],
            "sharp": example["sharp"],
            "name": tf.strings.join([example["sequence"], example["frame"]], "/"),
        }
    )


def train_pairs(spec, crop_size, seed=0, data_dir=None, manual_dir=None):
    """An endless dataset of random {"blur", "sharp"} crops of the `train` frames."""
    return random_crops(evaluation_pairs(spec, "train", data_dir, manual_dir), crop_size, seed)
