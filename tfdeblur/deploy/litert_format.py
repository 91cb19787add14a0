"""LiteRT (TFLite) exports of a generator, run with the LiteRT interpreter.

The model has two signatures, float32 `images` in [-1, 1] -> `restored`, at the model's own
strength (`ModelConfig.strength`), as every export answers:

- `tile`: one [1, T, T, 3] tile (T a multiple of the generator's stride). LiteRT's GPU and
  NNAPI delegates need static shapes; apps cover a photo with overlapping tiles, as
  `tfdeblur deblur --litert` does (`tfdeblur.deploy.inference.TiledRestorer`);
- `any_size`: [1, H, W, 3], resized by the CPU interpreter: an image (or the tiles of an
  image) with a side under T runs at its own size, so per-image statistics (`MeanPreservation`,
  instance norm) see its pixels only, never a padding to T.

The graph holds TFLite builtin ops only (no Flex delegate). Weights are float32 or float16
(`DTYPES`): float16 halves the file; the CPU interpreter computes in float32 from them, GPU
delegates in float16.
"""

import os
import tempfile

import keras
import numpy as np
import tensorflow as tf

from tfdeblur.checkpoints.runs import CONFIG_NAME
from tfdeblur.deploy import formats
from tfdeblur.deploy.inference import with_strength_float, without_strength
from tfdeblur.errors import InputError
from tfdeblur.models import ModelConfig, attention_tile, input_multiple

DTYPES = ("float32", "float16")
DEFAULT_TILE = 512
MODEL_NAME = "model.tflite"
SIGNATURES = ("tile", "any_size")


def check_tile(config, tile):
    """InputError unless the generator of `config` takes `tile` x `tile` inputs as they are."""
    multiple, attention = input_multiple(config), attention_tile(config)
    if tile % multiple:
        raise InputError(f"--tile={tile}: not a multiple of the generator's stride ({multiple})")
    if attention and tile > attention:
        raise InputError(f"--tile={tile}: over the largest side its self-attention takes ({attention})")


def export(generator, config, export_dir, tile=DEFAULT_TILE, dtype="float32"):
    """Writes `MODEL_NAME` (a `tile`^2 model with `dtype` weights) and `config.json` into `export_dir`."""
    check_tile(config, tile)
    formats.check_new(export_dir, [MODEL_NAME])
    strength = formats.strength_of(config)

    def restore(images):
        return {"restored": with_strength_float(images, generator(images, training=False), strength)}

    with tempfile.TemporaryDirectory() as saved_model:
        archive = keras.export.ExportArchive()  # Keras's own path to LiteRT: a SavedModel first
        archive.track(generator)
        for name, side in zip(SIGNATURES, (tile, None)):
            archive.add_endpoint(
                name, restore, [tf.TensorSpec([1, side, side, 3], tf.float32, name="images")]
            )
        archive.write_out(saved_model, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(saved_model, signature_keys=list(SIGNATURES))
        if dtype == "float16":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.target_spec.supported_types = [tf.float16]
        with formats.naming_failures(generator, "LiteRT"):
            contents = converter.convert()
    os.makedirs(export_dir, exist_ok=True)
    with open(os.path.join(export_dir, MODEL_NAME), "wb") as file:
        file.write(contents)
    config.save(os.path.join(export_dir, CONFIG_NAME))


def load(path):
    """(restore, config, tile) of a LiteRT export (its folder or `model.tflite`): `restore` maps
    float [-1, 1] batches of images up to `tile` x `tile` to the model's whole correction
    (its strength taken out, as `tfdeblur.load` applies strength), eagerly or inside a
    `tf.function`: `tile` x `tile` images through the `tile` signature, smaller ones `any_size`."""
    model_path = os.path.join(path, MODEL_NAME) if os.path.isdir(path) else path
    if not os.path.isfile(model_path):
        raise InputError(f"--litert={path}: no {MODEL_NAME} here (write one with export --format=litert)")
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        raise InputError('--litert needs the LiteRT interpreter: pip install "tfdeblur[litert]"') from None
    try:
        interpreter = Interpreter(model_path=model_path, num_threads=os.cpu_count())  # default: one
    except ValueError as error:
        raise InputError(f"--litert={path}: not a LiteRT model ({error})") from None
    if sorted(interpreter.get_signature_list()) != sorted(SIGNATURES):
        raise InputError(
            f"--litert={path}: expected the signatures {SIGNATURES} (an older export: export it again)"
        )
    runners = {name: interpreter.get_signature_runner(name) for name in SIGNATURES}
    tile = int(runners["tile"].get_input_details()["images"]["shape"][1])
    config = ModelConfig.load_if_present(os.path.join(os.path.dirname(model_path), CONFIG_NAME))
    strength = config.strength if config else 1.0  # without a config, the export's own output

    def run(images):
        restored = []
        for one in images:
            runner = runners["tile" if one.shape[:2] == (tile, tile) else "any_size"]
            restored.append(runner(images=one[np.newaxis])["restored"][0])
        return np.stack(restored)

    def restore(images):
        images = tf.cast(images, tf.float32)
        shape = tf.shape(images)
        tf.debugging.assert_less_equal(shape[1:3], tile, message=f"images over the model's {tile}px tile")
        restored = tf.ensure_shape(tf.numpy_function(run, [images], tf.float32, stateful=True), images.shape)
        return without_strength(images, restored, strength)

    return restore, config, tile
