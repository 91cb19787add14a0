"""SavedModels for TensorFlow Serving: a generator behind four signatures, hardened for servers.

`export` writes a TF Serving version directory (`export/<model_name>/<version>/`):

- `serving_default`: uint8 `images` [N, H, W, 3] -> uint8 `images`;
- `deblur_float`: float32 `images` in [-1, 1] -> float32 `images`;
- `deblur_bytes`: `image_bytes` [N] encoded JPEG/PNG/BMP strings, each its own size -> PNG
  `image_bytes`, upright by its EXIF orientation (names ending in `_bytes` are base64
  `{"b64": ...}` in TF Serving's REST API);
- `limits`: no input -> the export's `max_megapixels`, `tile`, `tile_overlap` and `strength`.

Every signature answers as `tfdeblur.load()` does with `tile` (`tfdeblur deblur --tile`): the
model's own `strength`; images with a side over `tile` run in overlapping tiles blended inside
the graph, one tile at a time, so the memory of a request depends on the tile, not on the
photo. An image over `max_megapixels` is refused with `InvalidArgumentError` naming its size
and the limit: `deblur_bytes` reads the size from the file's header before decoding a pixel
(`tfdeblur.deploy.headers`). Images in a batch run one after another. The model's
`ModelConfig` is written beside the graph, in `assets.extra/config.json` (TF Serving ignores it).
"""

import os

import keras
import tensorflow as tf

from tfdeblur.deploy import formats, headers
from tfdeblur.deploy.inference import (
    restore_tiled,
    with_strength,
    with_strength_float,
    without_strength,
)
from tfdeblur.errors import InputError
from tfdeblur.images import to_float, to_uint8
from tfdeblur.models import ModelConfig

SIGNATURES = ("serving_default", "deblur_float", "deblur_bytes", "limits")
CONFIG_PATH = os.path.join("assets.extra", "config.json")
DEFAULT_MAX_MEGAPIXELS = 25.0  # a 24 MP camera photo; ~1 GiB of buffers per request (docs/deploy.md)
DEFAULT_TILE_OVERLAP = 64


def export(
    generator,
    config,
    export_dir,
    *,
    tile,
    tile_overlap=DEFAULT_TILE_OVERLAP,
    max_megapixels=DEFAULT_MAX_MEGAPIXELS,
):
    """Writes `generator` (built from `config`) as a SavedModel with the `SIGNATURES`, tiling
    images with a side over `tile` and refusing those over `max_megapixels`."""
    max_pixels = int(max_megapixels * 1e6)
    if not 0 <= tile_overlap < tile or tile * tile > max_pixels:
        raise InputError(
            f"--tile={tile}, --tile_overlap={tile_overlap}, --max_megapixels={max_megapixels:g}: "
            "expected 0 <= overlap < tile and a tile within the limit"
        )
    formats.check_new(export_dir, ["saved_model.pb"])
    strength = formats.strength_of(config)

    def restore_float(image):
        restored = restore_tiled(lambda images: generator(images, training=False), image, tile, tile_overlap)
        return with_strength_float(image, restored, strength)

    def restore_uint8(image):
        restore = lambda images: generator(to_float(images), training=False)  # noqa: E731
        return with_strength(image, to_uint8(restore_tiled(restore, image, tile, tile_overlap)), strength)

    def each(restore, images, dtype):
        """`restore` of each image of a checked [N, H, W, 3] batch, one after another."""
        shape = tf.shape(images)
        with tf.control_dependencies(
            headers.check_size("images", shape[1], shape[2], max_pixels, shape[0] > 0)
        ):
            images = tf.identity(images)
        return tf.cond(  # an empty batch has no element to give map_fn the images' size
            shape[0] > 0,
            lambda: tf.map_fn(restore, images, fn_output_signature=dtype, parallel_iterations=1),
            lambda: tf.zeros(shape, dtype),
        )

    def deblur_uint8(images):
        return {"images": each(restore_uint8, images, tf.uint8)}

    def deblur_float(images):
        return {"images": each(restore_float, images, tf.float32)}

    def deblur_bytes(image_bytes):
        def one(indexed):
            index, contents = indexed
            name = tf.strings.format("image_bytes[{}]", [index])
            return tf.io.encode_png(restore_uint8(headers.decode_upright(contents, max_pixels, name)))

        indices = tf.range(tf.size(image_bytes))
        encoded = tf.map_fn(one, (indices, image_bytes), fn_output_signature=tf.string, parallel_iterations=1)
        return {"image_bytes": encoded}

    def limits():
        return {
            "max_megapixels": tf.constant(max_megapixels, tf.float32),
            "tile": tf.constant(tile, tf.int32),
            "tile_overlap": tf.constant(tile_overlap, tf.int32),
            "strength": tf.constant(strength, tf.float32),
        }

    archive = keras.export.ExportArchive()
    archive.track(generator)
    images = [None, None, None, 3]
    archive.add_endpoint("serving_default", deblur_uint8, [tf.TensorSpec(images, tf.uint8, name="images")])
    archive.add_endpoint("deblur_float", deblur_float, [tf.TensorSpec(images, tf.float32, name="images")])
    archive.add_endpoint("deblur_bytes", deblur_bytes, [tf.TensorSpec([None], tf.string, name="image_bytes")])
    archive.add_endpoint("limits", limits, [])
    archive.write_out(export_dir, verbose=False)
    os.makedirs(os.path.dirname(os.path.join(export_dir, CONFIG_PATH)), exist_ok=True)
    config.save(os.path.join(export_dir, CONFIG_PATH))


def load(export_dir):
    """(restore, config, tile) of an exported SavedModel: `restore` maps float [-1, 1] batches of
    images up to `tile` x `tile` to the model's whole correction (strength 1; `deblur_float` with
    the export's strength taken out), for `tfdeblur.load` to apply any strength.

    `config` is None for a SavedModel without `assets.extra/config.json`.
    """
    if not tf.saved_model.contains_saved_model(export_dir):
        raise InputError(f"--saved_model={export_dir}: no saved_model.pb in this directory")
    loaded = tf.saved_model.load(export_dir)
    if not hasattr(loaded, "deblur_float") or not hasattr(loaded, "limits"):
        raise InputError(
            f"--saved_model={export_dir}: has no deblur_float and limits signatures "
            "(not a tfdeblur export, or one older than them: export it again)"
        )
    config = ModelConfig.load_if_present(os.path.join(export_dir, CONFIG_PATH))
    limits = {name: value.numpy().item() for name, value in loaded.limits().items()}

    def restore(images):
        return without_strength(images, loaded.deblur_float(images)["images"], limits["strength"])

    return restore, config, limits["tile"]
