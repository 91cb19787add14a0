r"""Writes blurred/sharp pairs from sharp photos: `tfdeblur synthesize --sharp_dir=S --out=O`.

`O/blur/<name>.png` and `O/sharp/<name>.png` for every image of `S`, which
`--dataset=folder:O` then reads. `--mode=kernel` blurs each image with one
camera-shake PSF; `--mode=warp` with GoPro-like, spatially varying blur
(`tfdeblur.data.synthetic`). Image i is blurred with seed (`--seed`, i): the
same pairs every time.
"""

import os

import tensorflow as tf
from absl import flags

from tfdeblur.data import synthetic
from tfdeblur.data.files import image_files, read_image
from tfdeblur.errors import InputError

POSITIONAL = False
FLAGS = flags.FLAGS


def define_flags():
    flags.DEFINE_string("sharp_dir", None, "Folder of sharp PNG/JPEG/BMP images.", required=True)
    flags.DEFINE_string("out", None, "Output folder (gets blur/ and sharp/).", required=True)
    flags.DEFINE_enum("mode", "kernel", synthetic.MODES, "Uniform camera-shake PSF, or GoPro-like warps.")
    flags.DEFINE_integer("seed", 0, "Base seed: image i is blurred with seed (seed, i).")


def main(argv):
    del argv
    sources = image_files(FLAGS.sharp_dir)
    if not sources:
        raise InputError(f"--sharp_dir={FLAGS.sharp_dir}: no PNG, JPEG or BMP images")
    for folder in ("blur", "sharp"):
        os.makedirs(os.path.join(FLAGS.out, folder), exist_ok=True)
    for index, (name, path) in enumerate(sorted(sources.items())):
        sharp = read_image(path)
        blurred = synthetic.blurred_frame(sharp, seed=[FLAGS.seed, index], mode=FLAGS.mode)
        for folder, image in (("blur", blurred), ("sharp", sharp)):
            tf.io.write_file(os.path.join(FLAGS.out, folder, f"{name}.png"), tf.io.encode_png(image))
        print(f"\r{index + 1}/{len(sources)} {name}", end="", flush=True)
    print(f"\nWrote {len(sources)} pairs to {FLAGS.out}")
