"""ONNX exports of a generator, run with ONNX Runtime.

`export` writes a directory holding two models with dynamic batch, height and
width, the entry points of the SavedModel (`tfdeblur.deploy.serving`):

- `model.onnx`: uint8 `images` [N, H, W, 3] -> uint8 `restored` (serving_default);
- `model_float.onnx`: float32 `images` in [-1, 1] -> float32 `restored` (deblur_float);

at the model's own strength (`ModelConfig.strength`), and the model's `config.json`. Keras
converts them through tf2onnx at opset `OPSET` (ONNX Runtime >= 1.11 runs it); padding to the
stride, Canny edges and ConvLSTM feedback are in the graph, as in the SavedModel.
"""

import os

import keras
import numpy as np
import tensorflow as tf

from tfdeblur.checkpoints.runs import CONFIG_NAME
from tfdeblur.deploy import formats
from tfdeblur.deploy.inference import with_strength, with_strength_float, without_strength
from tfdeblur.errors import InputError
from tfdeblur.images import to_float, to_uint8
from tfdeblur.models import ModelConfig

OPSET = 17
MODELS = {"model.onnx": tf.uint8, "model_float.onnx": tf.float32}
DIMENSIONS = ("batch", "height", "width", 3)


class Deblur(keras.Model):
    """A generator at `strength` (`tfdeblur.deploy.inference.with_strength`), uint8 images in and
    out (`tfdeblur.images`) or, for `dtype` float32, float [-1, 1] ones."""

    def __init__(self, generator, strength, dtype, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.strength = strength
        self.uint8 = dtype == tf.uint8

    def call(self, images):
        if self.uint8:
            restored = to_uint8(self.generator(to_float(images), training=False))
            return with_strength(images, restored, self.strength)
        return with_strength_float(images, self.generator(images, training=False), self.strength)


def export(generator, config, export_dir):
    """Writes `MODELS` and the config of `generator` (built from `config`) into `export_dir`."""
    strength = formats.strength_of(config)
    formats.check_new(export_dir, list(MODELS))
    os.makedirs(export_dir, exist_ok=True)
    for name, dtype in MODELS.items():
        model = Deblur(generator, strength, dtype)
        model(np.zeros([1, 8, 8, 3], dtype.as_numpy_dtype))  # built, as export requires
        path = os.path.join(export_dir, name)
        signature = [tf.TensorSpec([None, None, None, 3], dtype, name="images")]
        with formats.naming_failures(generator, "ONNX"):
            model.export(path, format="onnx", input_signature=signature, opset_version=OPSET, verbose=False)
        _finish(path, generator)
    config.save(os.path.join(export_dir, CONFIG_NAME))


def _finish(path, generator):
    """Checks that every node of the model is a standard ONNX op (tf2onnx keeps a TensorFlow op it
    cannot convert as it is: InputError naming its layer), names the output `restored` (ONNX
    names are unique: the input is `images`) and the dynamic dimensions batch, height and width."""
    import onnx  # installed with tf2onnx

    model = onnx.load(path)
    for node in model.graph.node:
        if not onnx.defs.has(node.op_type, node.domain):
            os.remove(path)
            raise formats.unsupported(generator, "ONNX", node.op_type, node.name)
    (output,) = model.graph.output
    for node in model.graph.node:
        node.output[:] = ["restored" if name == output.name else name for name in node.output]
    output.name = "restored"
    for value in (*model.graph.input, output):
        for dimension, name in zip(value.type.tensor_type.shape.dim, DIMENSIONS):
            if isinstance(name, str):
                dimension.dim_param = name
    onnx.save(model, path)


def load(export_dir):
    """(restore, config) of an ONNX export: `restore` maps float [-1, 1] batches to the model's
    whole correction (its strength taken out, as `tfdeblur.load` applies strength) through ONNX
    Runtime on the CPU (`model_float.onnx`), eagerly or inside a `tf.function`."""
    path = os.path.join(export_dir, "model_float.onnx")
    if not os.path.isfile(path):
        raise InputError(f"--onnx={export_dir}: no model_float.onnx (write one with export --format=onnx)")
    try:
        import onnxruntime
    except ImportError:
        raise InputError('--onnx needs ONNX Runtime: pip install "tfdeblur[onnx]"') from None
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    config = ModelConfig.load_if_present(os.path.join(export_dir, CONFIG_NAME))

    def run(images):
        return session.run(None, {"images": images})[0]

    strength = config.strength if config else 1.0  # without a config, the export's own output

    def restore(images):
        images = tf.cast(images, tf.float32)
        restored = tf.ensure_shape(tf.numpy_function(run, [images], tf.float32, stateful=False), images.shape)
        return without_strength(images, restored, strength)

    return restore, config
