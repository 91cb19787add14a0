"""What every export format shares: never overwriting, and naming the layer a converter cannot carry."""

import contextlib
import os
import re

import tensorflow as tf

from tfdeblur.errors import InputError


def check_new(export_dir, names):
    """InputError if `export_dir` already holds one of the files `names`: exports never overwrite."""
    for name in names:
        if tf.io.gfile.exists(os.path.join(export_dir, name)):
            raise InputError(f"--export_dir={export_dir}: already holds {name}; give a new version")


def strength_of(config):
    """The strength every export applies inside its graph: the model's own (`ModelConfig.strength`),
    InputError for 0 (a model that returns its input)."""
    if not config.strength > 0:
        raise InputError(
            f"strength={config.strength}: a model of strength 0 returns its input; nothing to export"
        )
    return config.strength


def layer_named_in(generator, text):
    """The name of the first layer of `generator` that `text` (a converter's message or a graph
    node's name) names as a scope, `.../<layer>[_k]/...`, or None."""
    found = []
    for layer in generator.layers:
        match = re.search(rf"(^|[/'\"\s]){re.escape(layer.name)}(_\d+)?/", text)
        if match:
            found.append((match.start(), layer.name))
    return min(found)[1] if found else None


def unsupported(generator, format_name, op, where):
    """The InputError for TensorFlow op `op` that `format_name` has no equivalent of, in the layer
    `where` (a node name or message) names."""
    layer = layer_named_in(generator, where)
    place = f"layer {layer!r}" if layer else f"generator {generator.name!r}"
    return InputError(
        f"{format_name} cannot carry {place}: TensorFlow op {op} has no {format_name} equivalent"
    )


@contextlib.contextmanager
def naming_failures(generator, format_name):
    """Turns a converter's failure into an InputError naming the layer and op it failed at."""
    try:
        yield
    except Exception as error:  # the converters raise many types (TFLite's ConverterError, ...)
        message = str(error)
        op = re.search(r"'tf\.(\w+)' op", message)
        if op:
            raise unsupported(generator, format_name, op.group(1), message) from error
        lines = [line.strip() for line in message.splitlines() if line.strip()] or [repr(error)]
        raise InputError(f"{format_name} export of {generator.name!r} failed: {lines[-1]}") from error
