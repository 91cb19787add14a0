"""Image files in, uint8 RGB out — or an error that names the file.

Conversions (documented, never silent about the pair count): grayscale is
repeated to RGB, alpha is dropped, palettes are expanded, 16-bit PNGs are
scaled to 8 bits. Anything TensorFlow cannot decode is an `InputError` naming
the file.
"""

import concurrent.futures
import os

import tensorflow as tf

from tfdeblur.errors import InputError

EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp")


def decode(contents):
    """Encoded PNG/JPEG/BMP bytes -> uint8 [H, W, 3] (a graph op; see the module's conversions)."""
    return tf.io.decode_image(contents, channels=3, dtype=tf.uint8, expand_animations=False)


def read_image(path):
    """Decodes the file at `path` eagerly: uint8 [H, W, 3] numpy, or an InputError naming it."""
    try:
        return decode(tf.io.read_file(path)).numpy()
    except tf.errors.OpError as error:
        raise InputError(f"{path}: not a readable PNG/JPEG/BMP image ({error.message.strip()})") from None


def image_files(directory):
    """{stem: path} of the images in `directory`; InputError if it is missing or two share a stem."""
    if not os.path.isdir(directory):
        raise InputError(f"{directory}: no such folder")
    found = {}
    for name in sorted(os.listdir(directory)):
        stem, extension = os.path.splitext(name)
        if extension.lower() not in EXTENSIONS:
            continue
        if stem in found:
            raise InputError(f"{directory}: {os.path.basename(found[stem])} and {name} have the same name")
        found[stem] = os.path.join(directory, name)
    return found


def folder_argument(spec):
    """The folder a `SOURCE:PATH` dataset spec names; InputError naming the spec unless it exists."""
    if not spec.argument or not os.path.isdir(spec.argument):
        raise InputError(f"dataset spec {spec.text!r}: {spec.argument or '(no path)'} is not a folder")
    return spec.argument


def split_folder(root, split):
    """`root/<split>` if `split` is given and that folder exists, else `root`."""
    return os.path.join(root, split) if split and os.path.isdir(os.path.join(root, split)) else root


def read_images(paths, workers=8):
    """`read_image` of every path, decoded in parallel, in order."""
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(read_image, paths))


def check_images(paths, min_side=0, workers=8, needed=None):
    """Decodes every file once (in parallel) and returns their [H, W] shapes (`needed`: what
    `min_side` is for, in messages; default the min_side^2 crop).

    Raises an InputError naming the first file that does not decode or is
    smaller than `min_side`, so a bad file is reported up front, never as a
    traceback in the middle of training.
    """

    def shape(path):
        height, width = read_image(path).shape[:2]
        if min(height, width) < min_side:
            raise InputError(
                f"{path}: {height}x{width} is smaller than {needed or f'the {min_side}x{min_side} crop'}"
            )
        return height, width

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(shape, paths))
