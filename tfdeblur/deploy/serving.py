"""SavedModels for TensorFlow Serving: a generator behind three signatures.

`export` writes a TF Serving version directory (`export/<model_name>/<version>/`):

- `serving_default`: uint8 `images` [N, H, W, 3] -> uint8 `images`;
- `deblur_float`: float32 `images` in [-1, 1] -> float32 `images`;
- `deblur_bytes`: `image_bytes` [N] encoded JPEG/PNG/BMP strings -> PNG `image_bytes`
  (names ending in `_bytes` are base64 `{"b64": ...}` in TF Serving's REST API).

Any H x W: the generator pads to its stride and crops back inside (docs/paper-notes.md, "Conventions");
edge and feedback generators export as they are (Canny edges run in-graph).
Malformed bytes raise `InvalidArgumentError`. The model's `ModelConfig` is
written beside the graph, in `assets.extra/config.json` (TF Serving ignores it).
"""

import os

import keras
import tensorflow as tf

from tfdeblur.data.files import decode
from tfdeblur.deploy import formats
from tfdeblur.errors import InputError
from tfdeblur.images import to_float, to_uint8
from tfdeblur.models import ModelConfig

SIGNATURES = ("serving_default", "deblur_float", "deblur_bytes")
CONFIG_PATH = os.path.join("assets.extra", "config.json")


def export(generator, config, export_dir):
    """Writes `generator` (built from `config`) as a SavedModel with the three `SIGNATURES`."""
    formats.check_new(export_dir, ["saved_model.pb"])

    def restore(images):
        return generator(images, training=False)

    def deblur_uint8(images):
        return {"images": to_uint8(restore(to_float(images)))}

    def deblur_float(images):
        return {"images": restore(images)}

    def deblur_bytes(image_bytes):
        def one(contents):
            restored = deblur_uint8(decode(contents)[tf.newaxis])["images"][0]
            return tf.io.encode_png(restored)

        encoded = tf.map_fn(one, image_bytes, fn_output_signature=tf.TensorSpec([], tf.string))
        return {"image_bytes": encoded}

    archive = keras.export.ExportArchive()
    archive.track(generator)
    images = [None, None, None, 3]
    archive.add_endpoint("serving_default", deblur_uint8, [tf.TensorSpec(images, tf.uint8, name="images")])
    archive.add_endpoint("deblur_float", deblur_float, [tf.TensorSpec(images, tf.float32, name="images")])
    archive.add_endpoint("deblur_bytes", deblur_bytes, [tf.TensorSpec([None], tf.string, name="image_bytes")])
    archive.write_out(export_dir, verbose=False)
    os.makedirs(os.path.dirname(os.path.join(export_dir, CONFIG_PATH)), exist_ok=True)
    config.save(os.path.join(export_dir, CONFIG_PATH))


def load(export_dir):
    """(restore, config) of an exported SavedModel: `restore` maps float [-1, 1] batches to the same.

    `config` is None for a SavedModel without `assets.extra/config.json`.
    """
    if not tf.saved_model.contains_saved_model(export_dir):
        raise InputError(f"--saved_model={export_dir}: no saved_model.pb in this directory")
    loaded = tf.saved_model.load(export_dir)
    if not hasattr(loaded, "deblur_float"):
        raise InputError(f"--saved_model={export_dir}: has no deblur_float signature (not a tfdeblur export)")
    config = ModelConfig.load_if_present(os.path.join(export_dir, CONFIG_PATH))

    def restore(images):
        return loaded.deblur_float(images)["images"]

    return restore, config
