"""Your sharp photos, blurred by tfdeblur: `--dataset=synthetic:PATH[,mix=...]`.

Sharp PNG/JPEG/BMP images in PATH (or `PATH/<split>`) are blurred on the fly:
training crops by random members of banks drawn per run (`synthetic.blur_bank`),
evaluation frames whole, image i of a split by the fixed seed (TEST_SEED, i), so
every run evaluates on the same pixels. The blur kinds are weighed by `mix=`
(`tfdeblur.data.mix`; default: camera shake of both lengths and warps alike,
GoPro-like blur for two thirds); `frames=PATH` adds real frame windows to training.
"""

import os

import tensorflow as tf

from tfdeblur.data import mix, synthetic
from tfdeblur.data.files import check_images, decode, folder_argument, image_files, split_folder
from tfdeblur.data.pipeline import FRAME_SIGNATURE, endless, fits_in_memory
from tfdeblur.errors import InputError

SPEC = "synthetic:PATH"
OPTIONS = mix.OPTIONS
DEFAULT_MIX = "kernel+gopro+warp"
TEST_SEED = 20171225  # fixed forever, like embedded.TEST_SEED


def check(spec):
    folder_argument(spec)
    return mix.parse(spec, DEFAULT_MIX)


def train_pairs(spec, crop_size, seed=0, **locations):
    """An endless dataset of {"blur", "sharp"} crops of the `train` images, blurred by the mix."""
    del locations
    paths = sharp_images(spec.argument, "train")
    window = crop_size + spec.options.margin
    needed = f"the {window}x{window} window a {crop_size}x{crop_size} crop is blurred from"
    shapes = check_images(paths, min_side=window, needed=needed)
    images = tf.data.Dataset.from_tensor_slices(paths).map(lambda path: decode(tf.io.read_file(path)))
    photos = endless(images, seed, cache=fits_in_memory(shapes))
    return mix.train_pairs(spec.text, spec.options, photos, crop_size, seed)


def evaluation_pairs(spec, split="test", **locations):
    """The images of `split`, each blurred whole by a synthetic kind of the mix drawn from its fixed
    seed (real frame windows are evaluated by `frames:PATH`)."""
    del locations
    paths = sharp_images(spec.argument, split)
    check_images(paths)
    blurs, gammas = spec.options.synthetic, spec.options.gammas
    if not blurs:
        raise InputError(f"dataset spec {spec.text!r}: no synthetic blur to evaluate with; use frames:PATH")

    def blurred_frames():
        for index, path in enumerate(paths):
            sharp = decode(tf.io.read_file(path)).numpy()
            blurred = synthetic.blurred_frame(sharp, [TEST_SEED, index], blurs, gammas, spec.options.capture)
            yield {"blur": blurred, "sharp": sharp, "name": os.path.splitext(os.path.basename(path))[0]}

    return tf.data.Dataset.from_generator(blurred_frames, output_signature=FRAME_SIGNATURE)


def sharp_images(root, split):
    """The sharp images of `synthetic:root`: in `root/<split>` if it exists, else in `root`."""
    directory = split_folder(root, split)
    paths = sorted(image_files(directory).values())
    if not paths:
        raise InputError(f"{directory}: no PNG, JPEG or BMP images to blur")
    return paths
