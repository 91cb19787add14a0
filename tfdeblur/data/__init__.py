"""Datasets by spec: files -> tf.data pairs of uint8 {"blur", "sharp"} images (design.md §4, §6).

Specs:
- `embedded` (default): scikit-image photos blurred on the fly, fixed held-out split;
- `gopro/blur`, `gopro/blur_gamma`: the GoPro TFDS builder (`data_dir`, `manual_dir`);
- `folder:PATH`: your pairs, `PATH/blur/*` and `PATH/sharp/*` matched by name
  (or `PATH/<split>/blur` ... when PATH holds splits);
- `synthetic:PATH`: sharp images in PATH (or `PATH/<split>`) blurred with camera-shake
  kernels: random ones for training crops (from a bank drawn per run), fixed seeds for evaluation.

`train_pairs` gives an endless stream of random crops, `evaluation_pairs` the
full-size frames of a split, never resized.
"""

import os

import tensorflow as tf

from tfdeblur.data import embedded, folder, synthetic
from tfdeblur.data.files import check_images, decode, image_files
from tfdeblur.data.pipeline import (
    FRAME_SIGNATURE,
    augment_batch,
    endless,
    random_crops,
    training_batches,
)
from tfdeblur.errors import InputError

SPECS = ("embedded", "gopro/blur", "gopro/blur_gamma", "folder:PATH", "synthetic:PATH")
GOPRO_CONFIGS = ("blur", "blur_gamma")
CACHE_BUDGET_BYTES = 2 * 1024**3  # decoded pairs are kept in memory below this
SYNTHETIC_TEST_SEED = 20171225  # fixed forever, like embedded.TEST_SEED


def parse_spec(spec):
    """("embedded" | "gopro" | "folder" | "synthetic", argument); InputError naming a bad spec."""
    if spec == "embedded":
        return "embedded", None
    if spec.startswith("gopro/") and spec.split("/", 1)[1] in GOPRO_CONFIGS:
        return "gopro", spec.split("/", 1)[1]
    for kind in ("folder", "synthetic"):
        if spec.startswith(f"{kind}:") and spec[len(kind) + 1 :]:
            path = spec[len(kind) + 1 :]
            if not os.path.isdir(path):
                raise InputError(f"dataset spec {spec!r}: {path} is not a folder")
            return kind, path
    raise InputError(f"unknown dataset spec {spec!r}: expected one of {', '.join(SPECS)}")


def check_spec(spec):
    """Raises InputError naming `spec` unless it is a dataset spec tfdeblur knows."""
    parse_spec(spec)


def train_pairs(spec, crop_size, seed=0, data_dir=None, manual_dir=None):
    """An endless, shuffled dataset of {"blur", "sharp"} uint8 crop_size^2 pairs."""
    kind, argument = parse_spec(spec)
    if kind == "embedded":
        return embedded.train_pairs(crop_size, seed=seed)
    if kind == "gopro":
        return random_crops(_gopro(argument, "train", data_dir, manual_dir), crop_size, seed)
    if kind == "folder":
        *files, shapes = folder.checked_pairs(folder.split_root(argument, "train"), min_side=crop_size)
        frames = folder.pairs_dataset(*files)
        return random_crops(frames, crop_size, seed, cache=_fits(shapes, images_per_shape=2))
    paths = _sharp_images(argument, "train")
    shapes = check_images(paths, min_side=crop_size + synthetic.KERNEL_SIZE - 1)
    images = tf.data.Dataset.from_tensor_slices(paths).map(lambda path: decode(tf.io.read_file(path)))
    return synthetic.blurred_crops(
        endless(images, seed, cache=_fits(shapes)), crop_size, seed, synthetic.blur_bank(seed)
    )


def evaluation_pairs(spec, split="test", data_dir=None, manual_dir=None):
    """A finite dataset of full-size {"blur", "sharp", "name"} uint8 pairs of `split`."""
    kind, argument = parse_spec(spec)
    if kind == "embedded":
        if split != "test":
            raise InputError(f"dataset {spec!r} has no split {split!r} for evaluation: use 'test'")
        return embedded.test_pairs()
    if kind == "gopro":
        return _gopro(argument, split, data_dir, manual_dir)
    if kind == "folder":
        *files, _ = folder.checked_pairs(folder.split_root(argument, split))
        return folder.pairs_dataset(*files)
    paths = _sharp_images(argument, split)
    check_images(paths)

    def blurred_frames():
        for index, path in enumerate(paths):
            sharp = decode(tf.io.read_file(path)).numpy()
            blurred = synthetic.blurred_frame(sharp, seed=[SYNTHETIC_TEST_SEED, index])
            yield {"blur": blurred, "sharp": sharp, "name": os.path.splitext(os.path.basename(path))[0]}

    return tf.data.Dataset.from_generator(
        blurred_frames,
        output_signature=FRAME_SIGNATURE,
    )


def _sharp_images(root, split):
    """The sharp images of `synthetic:root`: in `root/<split>` if it exists, else in `root`."""
    directory = os.path.join(root, split) if os.path.isdir(os.path.join(root, split)) else root
    paths = sorted(image_files(directory).values())
    if not paths:
        raise InputError(f"{directory}: no PNG, JPEG or BMP images to blur")
    return paths


def _fits(shapes, images_per_shape=1):
    """Whether decoded uint8 RGB images of these [H, W] shapes fit the in-memory cache budget."""
    return sum(height * width for height, width in shapes) * 3 * images_per_shape <= CACHE_BUDGET_BYTES


def _gopro(config, split, data_dir, manual_dir):
    """GoPro frames of `split` as {"blur", "sharp", "name": "<sequence>/<frame>"}, prepared if needed."""
    import tensorflow_datasets as tfds  # imported here: it is slow to import

    from tfdeblur.data.gopro import Gopro

    builder = Gopro(config=config, data_dir=data_dir)
    try:
        builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=manual_dir))
    except AssertionError as error:  # TFDS: the manual directory is missing or empty
        raise InputError(f"gopro/{config}: {error}") from None
    if split not in builder.info.splits:
        raise InputError(f"gopro/{config} has no split {split!r}: use 'train' or 'test'")
    return builder.as_dataset(split=split, shuffle_files=split == "train").map(
        lambda example: {
            "blur": example["blur"],
            "sharp": example["sharp"],
            "name": tf.strings.join([example["sequence"], example["frame"]], "/"),
        }
    )


__all__ = [
    "SPECS",
    "augment_batch",
    "check_spec",
    "evaluation_pairs",
    "parse_spec",
    "train_pairs",
    "training_batches",
]
