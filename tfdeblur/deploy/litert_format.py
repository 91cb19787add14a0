"""LiteRT (TFLite) exports of a generator at a fixed tile, run with the LiteRT interpreter.

LiteRT's GPU and NNAPI delegates need static shapes, so the model takes one float32
tile `images` [1, T, T, 3] in [-1, 1] and returns the same (T a multiple of the
generator's stride); apps cover a photo with overlapping tiles, as
`tfdeblur deblur --litert` does (`tfdeblur.deploy.inference.TiledRestorer`), padding edge
tiles by reflection. The graph holds TFLite builtin ops only (no Flex delegate).
Weights are float32 or float16 (`DTYPES`): float16 halves the file; the CPU
interpreter computes in float32 from them, GPU delegates in float16.
"""

import os
import tempfile

import keras
import numpy as np
import tensorflow as tf

from tfdeblur.checkpoints.runs import CONFIG_NAME
from tfdeblur.deploy import formats
from tfdeblur.errors import InputError
from tfdeblur.layers.padding import ReflectPadToMultiple
from tfdeblur.models import ModelConfig, attention_tile, input_multiple

DTYPES = ("float32", "float16")
DEFAULT_TILE = 512
MODEL_NAME = "model.tflite"


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
    with tempfile.TemporaryDirectory() as saved_model:
        archive = keras.export.ExportArchive()  # Keras's own path to LiteRT: a SavedModel first
        archive.track(generator)
        archive.add_endpoint(
            "serve",
            lambda images: generator(images, training=False),
            [tf.TensorSpec([1, tile, tile, 3], tf.float32, name="images")],
        )
        archive.write_out(saved_model, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(saved_model)
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
    float [-1, 1] batches of images up to `tile` x `tile` to the same, each padded to the tile by
    reflection and cropped back, eagerly or inside a `tf.function`."""
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
    interpreter.allocate_tensors()
    (entry,), (exit_,) = interpreter.get_input_details(), interpreter.get_output_details()
    tile = int(entry["shape"][1])
    config = ModelConfig.load_if_present(os.path.join(os.path.dirname(model_path), CONFIG_NAME))
    pad = ReflectPadToMultiple(tile)

    def run(tiles):
        restored = []
        for one in tiles:
            interpreter.set_tensor(entry["index"], one[np.newaxis])
            interpreter.invoke()
            restored.append(interpreter.get_tensor(exit_["index"])[0])
        return np.stack(restored)

    def restore(images):
        images = tf.cast(images, tf.float32)
        shape = tf.shape(images)
        tf.debugging.assert_less_equal(shape[1:3], tile, message=f"images over the model's {tile}px tile")
        restored = tf.numpy_function(run, [pad(images)], tf.float32, stateful=True)
        return tf.ensure_shape(restored[:, : shape[1], : shape[2]], images.shape)

    return restore, config, tile
