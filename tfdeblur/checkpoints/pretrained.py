r"""The models shipped inside the package, by name (`SHIPPED`); `DEFAULT` when no checkpoint is given.

- `photo` (default): the demo's U-Net fine-tuned to do no harm on real photos
  (`experiments/shipped/photo.cfg`): it keeps its input's mean level, learned from real
  GoPro motion blur as well as synthetic camera shake, and applies the strength chosen on
  held-out frames.
- `demo`: the quickstart's U-Net (1.8 M parameters) trained on the embedded dataset's
  synthetic camera shake alone (`experiments/shipped/demo.cfg`): it sharpens that blur,
  not real motion blur; `photo` starts from it.

Each directory holds `config.json`, `generator.npz` (weights stored as float16 to
keep the package small, computed in float32), `metrics.json` (its held-out
scores) and a README saying how it was trained. Packed from a training run by
`tfdeblur pack`, which re-measures `metrics.json` with the packed weights.
"""

import os

import numpy as np

from tfdeblur.checkpoints.runs import CONFIG_NAME, load_generator
from tfdeblur.errors import InputError
from tfdeblur.models import ModelConfig, build_generator

WEIGHTS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "weights")
# The models shipped in the package, by name (each a folder of WEIGHTS_DIR with its README).
SHIPPED = ("photo", "demo")
DEFAULT = "photo"
DEFAULT_DIR = os.path.join(WEIGHTS_DIR, DEFAULT)
WEIGHTS_NAME = "generator.npz"
METRICS_NAME = "metrics.json"  # [{"dataset", "psnr", "ssim", ...}]: what `tfdeblur pack` measured


def save(generator, config, directory):
    """Writes `config.json` and the float16 weights of `generator` to `directory`."""
    os.makedirs(directory, exist_ok=True)
    config.save(os.path.join(directory, CONFIG_NAME))
    weights = {weight.path: np.asarray(weight.numpy(), np.float16) for weight in generator.weights}
    np.savez_compressed(os.path.join(directory, WEIGHTS_NAME), **weights)


def load_model(path=None, batchnorm_statistics=None):
    """(generator, config) of `path`: None for the default shipped model, a shipped model's name
    (`SHIPPED`), a packed model's directory (with `generator.npz`), or anything
    `checkpoints.load_generator` takes (a training run); its batch norm normalising at inference
    with `batchnorm_statistics` when given (`ModelConfig.for_inference`)."""
    if path is None or path in SHIPPED:
        return load(os.path.join(WEIGHTS_DIR, path or DEFAULT), batchnorm_statistics)
    if os.path.exists(os.path.join(path, WEIGHTS_NAME)):
        return load(path, batchnorm_statistics)
    return load_generator(path, batchnorm_statistics)


def load(directory=DEFAULT_DIR, batchnorm_statistics=None):
    """(generator, config) of a model packed by `save` (by default the default shipped model)."""
    weights_path = os.path.join(directory, WEIGHTS_NAME)
    if not os.path.exists(weights_path):
        raise InputError(f"{weights_path}: no packed model here")
    config = ModelConfig.load(os.path.join(directory, CONFIG_NAME)).for_inference(batchnorm_statistics)
    generator = build_generator(config)
    with np.load(weights_path) as stored:
        missing = sorted({weight.path for weight in generator.weights} - set(stored.files))
        if missing:
            raise InputError(f"{weights_path}: no values for {missing[:3]} (weights of another model?)")
        for weight in generator.weights:
            weight.assign(stored[weight.path].astype(np.float32))
    return generator, config
