r"""The demo model shipped inside the package, used when no checkpoint is given.

A small U-Net (`experiments/quickstart.cfg`, 1.8 M parameters) trained longer
on the embedded dataset's synthetic blur, not on GoPro: a demonstration that
works right after install, not a model for real camera shake. Its directory
holds `config.json`, `generator.npz` (weights stored as float16 to keep the
package small, computed in float32) and `metrics.json` (its held-out score).

Packed from a training run by `python -m tfdeblur.pack --checkpoint=D`, which
also re-measures `metrics.json` on `embedded/test` with the packed weights.
"""

import os

import numpy as np

from tfdeblur.checkpoints import CONFIG_NAME, load_generator
from tfdeblur.errors import InputError
from tfdeblur.models import ModelConfig, build_generator

DEMO_DIR = os.path.join(os.path.dirname(__file__), "weights", "demo")
WEIGHTS_NAME = "generator.npz"


def save(generator, config, directory=DEMO_DIR):
    """Writes `config.json` and the float16 weights of `generator` to `directory`."""
    os.makedirs(directory, exist_ok=True)
    config.save(os.path.join(directory, CONFIG_NAME))
    weights = {weight.path: np.asarray(weight.numpy(), np.float16) for weight in generator.weights}
    np.savez_compressed(os.path.join(directory, WEIGHTS_NAME), **weights)


def load_model(path=None):
    """(generator, config) of `path`: None for the shipped model, a packed model's directory
    (with `generator.npz`), or anything `checkpoints.load_generator` takes (a training run)."""
    if path is None:
        return load()
    if os.path.exists(os.path.join(path, WEIGHTS_NAME)):
        return load(path)
    return load_generator(path)


def load(directory=DEMO_DIR):
    """(generator, config) of a model packed by `save` (by default the shipped demo model)."""
    weights_path = os.path.join(directory, WEIGHTS_NAME)
    if not os.path.exists(weights_path):
        raise InputError(f"{weights_path}: no packed model here")
    config = ModelConfig.load(os.path.join(directory, CONFIG_NAME))
    generator = build_generator(config)
    with np.load(weights_path) as stored:
        missing = sorted({weight.path for weight in generator.weights} - set(stored.files))
        if missing:
            raise InputError(f"{weights_path}: no values for {missing[:3]} (weights of another model?)")
        for weight in generator.weights:
            weight.assign(stored[weight.path].astype(np.float32))
    return generator, config
