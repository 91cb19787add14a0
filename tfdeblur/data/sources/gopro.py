"""GoPro (Nah et al. 2017) through its TFDS builder: `--dataset=gopro/blur` or `gopro/blur_gamma`.

The builder (`tfdeblur.data.gopro`) prepares the manual download from
`manual_dir` into `data_dir` on first use (`tfdeblur prepare` does it ahead).
"""

import tensorflow as tf

from tfdeblur.data.pipeline import shuffled_crops
from tfdeblur.errors import InputError

SPEC = "gopro/blur|blur_gamma"
OPTIONS = {}
CONFIGS = ("blur", "blur_gamma")
# Training reads this many of the prepared record files at once, one frame from each in turn.
INTERLEAVED_FILES = 16


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
    return builder.as_dataset(split=split).map(_pair)


def _pair(example):
    return {
        "blur": example["blur"],
        "sharp": example["sharp"],
        "name": tf.strings.join([example["sequence"], example["frame"]], "/"),
    }


def train_pairs(spec, crop_size, seed=0, data_dir=None, manual_dir=None):
    """An endless dataset of random {"blur", "sharp"} crops of the `train` frames, the same for the
    same `seed`.

    The prepared files are read in an order drawn from `seed`, drawn again every pass
    (`tfds.ReadConfig`), `INTERLEAVED_FILES` at a time; each frame is cropped as it is
    decoded and the crops are shuffled (`shuffled_crops`), so memory holds crops, not
    frames: ~100 MB at 256x256, where 256 decoded 1280x720 pairs would hold 1.4 GB.
    """
    import tensorflow_datasets as tfds

    builder = prepare(spec.argument, data_dir, manual_dir)
    read_config = tfds.ReadConfig(
        shuffle_seed=seed,
        shuffle_reshuffle_each_iteration=True,
        interleave_cycle_length=INTERLEAVED_FILES,
        interleave_block_length=1,
    )
    frames = builder.as_dataset(split="train", shuffle_files=True, read_config=read_config)
    return shuffled_crops(frames.repeat().map(_pair), crop_size, seed)
