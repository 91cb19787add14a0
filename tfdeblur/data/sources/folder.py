"""Your own pairs (`--dataset=folder:PATH`): `PATH/blur/*` and `PATH/sharp/*` matched by name.

Files pair up by name without extension (`blur/0001.jpg` with `sharp/0001.png`);
PNG, JPEG and BMP are read (see `tfdeblur.data.files` for the conversions). If
`PATH/<split>/blur` exists (e.g. `PATH/train`, `PATH/test`), that split's
folder is used. Every pair is checked before training starts: a file that does
not decode, a missing twin, or sizes that differ is an error naming the file.
"""

import os

import tensorflow as tf

from tfdeblur.data.files import check_images, decode, folder_argument, image_files
from tfdeblur.data.pipeline import fits_in_memory, random_crops
from tfdeblur.errors import InputError

SPEC = "folder:PATH"
OPTIONS = {}


def check(spec):
    folder_argument(spec)


def train_pairs(spec, crop_size, seed=0, **locations):
    """An endless dataset of random {"blur", "sharp"} crops of the `train` pairs (cached if they fit)."""
    del locations
    *files, shapes = checked_pairs(split_root(spec.argument, "train"), min_side=crop_size)
    return random_crops(
        pairs_dataset(*files), crop_size, seed, cache=fits_in_memory(shapes, images_per_shape=2)
    )


def evaluation_pairs(spec, split="test", **locations):
    """The full-size pairs of `split` (or of the folder itself when it has no splits)."""
    del locations
    *files, _ = checked_pairs(split_root(spec.argument, split))
    return pairs_dataset(*files)


def split_root(root, split):
    """`root/split` if it holds a split, else `root` itself."""
    candidate = os.path.join(root, split)
    return candidate if os.path.isdir(os.path.join(candidate, "blur")) else root


def find_pairs(root):
    """(names, blur paths, sharp paths) of the pairs under `root`, sorted by name."""
    blurred = image_files(os.path.join(root, "blur"))
    sharp = image_files(os.path.join(root, "sharp"))
    if not blurred and not sharp:
        raise InputError(f"{root}: blur/ and sharp/ hold no PNG, JPEG or BMP images")
    for have, lacks, twin in ((blurred, sharp, "sharp"), (sharp, blurred, "blur")):
        orphans = sorted(set(have) - set(lacks))
        if orphans:
            raise InputError(
                f"{have[orphans[0]]} has no {twin} twin in {os.path.join(root, twin)} "
                f"({len(orphans)} file(s) without one: {', '.join(orphans[:5])})"
            )
    names = sorted(blurred)
    return names, [blurred[name] for name in names], [sharp[name] for name in names]


def checked_pairs(root, min_side=0):
    """`find_pairs` plus the pairs' [H, W], after decoding every file once and comparing each pair's sizes."""
    names, blur_paths, sharp_paths = find_pairs(root)
    blur_shapes = check_images(blur_paths, min_side)
    sharp_shapes = check_images(sharp_paths, min_side)
    for blur_path, sharp_path, blur_shape, sharp_shape in zip(
        blur_paths, sharp_paths, blur_shapes, sharp_shapes
    ):
        if blur_shape != sharp_shape:
            raise InputError(
                f"{blur_path} is {blur_shape[0]}x{blur_shape[1]} but {sharp_path} is "
                f"{sharp_shape[0]}x{sharp_shape[1]}: a pair must have one size"
            )
    return names, blur_paths, sharp_paths, blur_shapes


def pairs_dataset(names, blur_paths, sharp_paths):
    """A finite dataset of full-size {"blur", "sharp", "name"} uint8 pairs, decoded in-graph."""
    files = tf.data.Dataset.from_tensor_slices({"blur": blur_paths, "sharp": sharp_paths, "name": names})
    return files.map(
        lambda pair: {
            "blur": decode(tf.io.read_file(pair["blur"])),
            "sharp": decode(tf.io.read_file(pair["sharp"])),
            "name": pair["name"],
        },
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
