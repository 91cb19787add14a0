"""GoPro (Nah et al. 2017) as a TensorFlow Datasets builder: `--dataset=gopro/blur`.

Reads the manual download (`GOPRO_Large.zip`, or its extracted `GOPRO_Large/`
tree) from `manual_dir`. Configs: `blur` (the stored, gamma-encoded frames averaged
as they are: what most papers since DeblurGAN report) and `blur_gamma` (frames averaged
in linear light, gamma 2.2; docs/data.md, "The camera response"). Each example
is a full 1280x720 pair with its `sequence` and `frame` names; every file is
decoded while building, so a corrupt one is named at build time.

`datasets/gopro/` holds the same builder in the layout `tfds build` expects.
"""

import os
from typing import ClassVar

import tensorflow_datasets as tfds
from tensorflow.io import gfile

from tfdeblur.data.files import read_image
from tfdeblur.errors import InputError

ARCHIVE = "GOPRO_Large.zip"
MANUAL_DOWNLOAD_INSTRUCTIONS = f"""
Download {ARCHIVE} (about 9.5 GB) from the GoPro dataset page of Nah et al.,
https://seungjunnah.github.io/Datasets/gopro, and put the zip file (or the
GOPRO_Large/ folder extracted from it) in the manual directory,
`--manual_dir` (TFDS default: ~/tensorflow_datasets/downloads/manual/).
"""


def find_root(directory):
    """The GoPro tree (the folder with train/ and test/) in `directory`, or None.

    Paths go through `tf.io.gfile`, so the manual download may sit on GCS (Colab TPUs).
    """
    for candidate in (os.path.join(directory, "GOPRO_Large"), directory):
        if all(gfile.isdir(os.path.join(candidate, split)) for split in ("train", "test")):
            return candidate
    return None


class Gopro(tfds.core.GeneratorBasedBuilder):
    """GoPro_Large: 2103 train and 1111 test blurred/sharp 1280x720 pairs from 33 sequences."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES: ClassVar = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS: ClassVar = [
        tfds.core.BuilderConfig(
            name="blur", description="Blur from averaging the stored (gamma-encoded) frames."
        ),
        tfds.core.BuilderConfig(name="blur_gamma", description="Blur from averaging frames in linear light."),
    ]
    MANUAL_DOWNLOAD_INSTRUCTIONS = MANUAL_DOWNLOAD_INSTRUCTIONS

    def _info(self):
        image = tfds.features.Image(shape=(None, None, 3), encoding_format="png")
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "blur": image,
                    "sharp": image,
                    "sequence": tfds.features.Text(),
                    "frame": tfds.features.Text(),
                }
            ),
            supervised_keys=("blur", "sharp"),
            homepage="https://seungjunnah.github.io/Datasets/gopro",
            citation=(
                "@inproceedings{nah2017deep, title={Deep Multi-scale Convolutional Neural Network for "
                "Dynamic Scene Deblurring}, author={Nah, Seungjun and Kim, Tae Hyun and Lee, Kyoung Mu}, "
                "booktitle={CVPR}, year={2017}}"
            ),
        )

    def _split_generators(self, dl_manager):
        manual_dir = os.fspath(dl_manager.manual_dir)
        root = find_root(manual_dir)
        if root is None and gfile.exists(os.path.join(manual_dir, ARCHIVE)):
            root = find_root(os.fspath(dl_manager.extract(os.path.join(manual_dir, ARCHIVE))))
        if root is None:
            raise InputError(
                f"--manual_dir={manual_dir}: neither {ARCHIVE} nor a GOPRO_Large/ folder with train/ and "
                f"test/ in it.{MANUAL_DOWNLOAD_INSTRUCTIONS}"
            )
        return {split: self._generate_examples(os.path.join(root, split)) for split in ("train", "test")}

    def _generate_examples(self, split_dir):
        entries = [name.rstrip("/") for name in gfile.listdir(split_dir)]
        sequences = sorted(name for name in entries if gfile.isdir(os.path.join(split_dir, name)))
        if not sequences:
            raise InputError(f"{split_dir}: no sequence folders")
        for sequence in sequences:
            blur_dir = os.path.join(split_dir, sequence, self.builder_config.name)
            sharp_dir = os.path.join(split_dir, sequence, "sharp")
            for directory in (blur_dir, sharp_dir):
                if not gfile.isdir(directory):
                    raise InputError(f"{directory}: missing from the GoPro tree")
            for frame in sorted(gfile.listdir(blur_dir)):
                sharp_path = os.path.join(sharp_dir, frame)
                if not gfile.exists(sharp_path):
                    raise InputError(f"{os.path.join(blur_dir, frame)} has no sharp twin {sharp_path}")
                blurred, sharp = read_image(os.path.join(blur_dir, frame)), read_image(sharp_path)
                if blurred.shape != sharp.shape:
                    raise InputError(f"{os.path.join(blur_dir, frame)} and {sharp_path} differ in size")
                yield (
                    f"{sequence}/{frame}",
                    {"blur": blurred, "sharp": sharp, "sequence": sequence, "frame": frame},
                )
