"""Your sharp photos, blurred by tfdeblur: `--dataset=synthetic:PATH[,mode=kernel|warp]`.

Sharp PNG/JPEG/BMP images in PATH (or `PATH/<split>`) are blurred on the fly:
training crops by random members of a bank drawn per run (`synthetic.blur_bank`),
evaluation frames whole, image i of a split by the fixed seed (TEST_SEED, i), so
every run evaluates on the same pixels. `mode=kernel` (default): one camera-shake
PSF per image; `mode=warp`: GoPro-like, spatially varying blur (rotation and zoom).
"""

import os

import tensorflow as tf

from tfdeblur.data import synthetic
from tfdeblur.data.files import check_images, decode, folder_argument, image_files, split_folder
from tfdeblur.data.pipeline import FRAME_SIGNATURE, endless, fits_in_memory
from tfdeblur.errors import InputError

SPEC = "synthetic:PATH"
OPTIONS = {"mode": "|".join(synthetic.MODES)}
TEST_SEED = 20171225  # fixed forever, like embedded.TEST_SEED


def check(spec):
    folder_argument(spec)


def _mode(spec):
    return spec.options.get("mode", synthetic.MODES[0])


def train_pairs(spec, crop_size, seed=0, **locations):
    """An endless dataset of {"blur", "sharp"} crops of the `train` images, blurred by `mode`."""
    del locations
    paths = sharp_images(spec.argument, "train")
    shapes = check_images(paths, min_side=crop_size + synthetic.KERNEL_SIZE - 1)
    images = tf.data.Dataset.from_tensor_slices(paths).map(lambda path: decode(tf.io.read_file(path)))
    bank = synthetic.blur_bank(seed, _mode(spec))
    return synthetic.blurred_crops(endless(images, seed, cache=fits_in_memory(shapes)), crop_size, seed, bank)


def evaluation_pairs(spec, split="test", **locations):
    """The images of `split`, each blurred whole from its fixed seed."""
    del locations
    paths = sharp_images(spec.argument, split)
    check_images(paths)
    mode = _mode(spec)

    def blurred_frames():
        for index, path in enumerate(paths):
            sharp = decode(tf.io.read_file(path)).numpy()
            blurred = synthetic.blurred_frame(sharp, seed=[TEST_SEED, index], mode=mode)
            yield {"blur": blurred, "sharp": sharp, "name": os.path.splitext(os.path.basename(path))[0]}

    return tf.data.Dataset.from_generator(blurred_frames, output_signature=FRAME_SIGNATURE)


def sharp_images(root, split):
    """The sharp images of `synthetic:root`: in `root/<split>` if it exists, else in `root`."""
    directory = split_folder(root, split)
    paths = sorted(image_files(directory).values())
    if not paths:
        raise InputError(f"{directory}: no PNG, JPEG or BMP images to blur")
    return paths
