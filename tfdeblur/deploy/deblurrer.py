"""`load` a model by name or path, get a `Deblurrer`: uint8 photos in, uint8 photos out, any size.

```python
import tfdeblur

deblurrer = tfdeblur.load()  # the shipped model; or a run folder, a packed model, an export
sharp = deblurrer("photo.jpg")  # uint8 [H, W, 3] numpy; also arrays, tensors and batches
```

An image runs whole when the generator's memory for it fits `max_memory`
(`MemoryModel`, estimated from the model's graph), so its output is exactly the
exported models'; larger ones run in overlapping tiles of the largest side
that fits, seams blended (`TiledRestorer`). Self-attention and LiteRT models
always tile at their largest side. The model computes in the global Keras dtype
policy it is loaded under (float32 unless set otherwise).
"""

import functools
import os

import keras
import numpy as np
import tensorflow as tf

from tfdeblur.checkpoints import pretrained
from tfdeblur.checkpoints.runs import CONFIG_NAME
from tfdeblur.deploy import litert_format, onnx_format, photos, serving
from tfdeblur.deploy.inference import GIB, MemoryModel, TiledRestorer, with_strength
from tfdeblur.errors import InputError
from tfdeblur.models import ModelConfig, attention_tile

# How a model runs: a Keras generator rebuilt from its weights (a shipped or packed model, a training
# run), a `.keras` file (`export --format=keras`), or an export by its own runtime.
RUNTIMES = ("checkpoint", "keras", "saved_model", "onnx", "litert")
KERAS_NAME = "model.keras"
DEFAULT_MAX_MEMORY = 4.0  # GiB per image or tile
DEFAULT_TILE_OVERLAP = 64
FALLBACK_TILE = 1024  # for an export written without its config.json: no memory model


def runtime_of(path):
    """The runtime (`RUNTIMES`) the model at `path` runs in, by the files it holds."""
    if path is None or not os.path.exists(path):
        return "checkpoint"  # the shipped model, by name
    if path.endswith(".keras") or os.path.isfile(os.path.join(path, KERAS_NAME)):
        return "keras"
    if path.endswith(".tflite") or os.path.isfile(os.path.join(path, litert_format.MODEL_NAME)):
        return "litert"
    if os.path.isfile(os.path.join(path, "model_float.onnx")):
        return "onnx"
    if os.path.isfile(os.path.join(path, "saved_model.pb")):
        return "saved_model"
    return "checkpoint"


def load(
    model=None,
    *,
    runtime=None,
    batchnorm_statistics=None,
    max_memory=DEFAULT_MAX_MEMORY,
    tile=None,
    tile_overlap=DEFAULT_TILE_OVERLAP,
    strength=None,
):
    """The `Deblurrer` of `model`: None or a shipped model's name (`demo`), a training run, a packed
    model, or an export (a `.keras` file, a SavedModel, ONNX or LiteRT folder), run by `runtime`
    (default: by what `model` holds, `runtime_of`). `batchnorm_statistics` overrides the model's
    own (checkpoints); `max_memory` (GiB), `tile`, `tile_overlap` and `strength` as in `Deblurrer`."""
    runtime = runtime or runtime_of(model)
    if runtime not in RUNTIMES:
        raise InputError(f"runtime {runtime!r}: expected one of {RUNTIMES}")
    fixed_tile = None
    if runtime == "saved_model":
        restore, config, fixed_tile = serving.load(model)
    elif runtime == "onnx":
        restore, config = onnx_format.load(model)
    elif runtime == "litert":
        restore, config, fixed_tile = litert_format.load(model)
    elif runtime == "keras":
        restore, config = load_keras(model)
    else:
        generator, config = pretrained.load_model(model, batchnorm_statistics)
        restore = functools.partial(generator, training=False)
    return Deblurrer(
        restore,
        config,
        fixed_tile=fixed_tile,
        max_memory=max_memory,
        tile=tile,
        tile_overlap=tile_overlap,
        strength=strength,
    )


def tile_for(config, max_memory):
    """The side of the tiles the generator of `config` runs in within `max_memory` GiB: the largest
    that fits (`MemoryModel`), no larger than its self-attention takes (`attention_tile`)."""
    tile = MemoryModel(config).largest_side(max_memory * GIB)
    return min(tile, attention_tile(config) or tile)


def load_keras(path):
    """(restore, config) of a `.keras` file (or a folder holding `KERAS_NAME`) written by
    `export --format=keras`; its config is the `config.json` beside it, where there is one."""
    path = os.path.join(path, KERAS_NAME) if os.path.isdir(path) else path
    try:
        generator = keras.saving.load_model(path)
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: not a readable .keras model ({error})") from None
    config = ModelConfig.load_if_present(os.path.join(os.path.dirname(path), CONFIG_NAME))
    return functools.partial(generator, training=False), config


def save_keras(generator, config, export_dir):
    """Writes `generator` as `export_dir/KERAS_NAME` and its `config.json` (for `load_keras`)."""
    path = os.path.join(export_dir, KERAS_NAME)
    if os.path.exists(path):
        raise InputError(f"--export_dir={export_dir}: already holds {KERAS_NAME}; give a new version")
    os.makedirs(export_dir, exist_ok=True)
    generator.save(path)
    config.save(os.path.join(export_dir, CONFIG_NAME))
    return path


class Deblurrer:
    """Deblurs uint8 RGB images of any size with `restore` (float [-1, 1] batches -> the same, in
    inference mode), whole or in tiles as memory allows.

    Args:
        restore: e.g. `functools.partial(generator, training=False)`, or an export's `restore`.
        config: the model's `ModelConfig` (None for an export without one: tiles of `FALLBACK_TILE`).
        fixed_tile: the largest side an export takes whole (a LiteRT model's tile, the tile a
            SavedModel tiles at): larger images always tile at it.
        max_memory: GiB the generator may use per image or tile.
        tile: run images with a side over `tile` in tiles of that side (0: never tile), instead of
            choosing by `max_memory`.
        tile_overlap: overlap of neighbouring tiles, blended.
        strength: how much of the model's correction to apply, in [0, 1]: 0 returns the input
            exactly, 1 the model's output, between them `input + strength * (output - input)`,
            rounded to uint8; default the model's own (`ModelConfig.strength`; 1 without a config).

    `notes` says, in sentences, how images will run.
    """

    def __init__(
        self,
        restore,
        config=None,
        *,
        fixed_tile=None,
        max_memory=DEFAULT_MAX_MEMORY,
        tile=None,
        tile_overlap=DEFAULT_TILE_OVERLAP,
        strength=None,
    ):
        if not max_memory > 0 or (tile is not None and tile < 0) or tile_overlap < 0:
            raise InputError(
                f"max_memory={max_memory}, tile={tile}, tile_overlap={tile_overlap}: expected "
                "max_memory > 0 (GiB), tile >= 0 or None, tile_overlap >= 0"
            )
        if strength is None:
            strength = config.strength if config else 1.0
        if not 0.0 <= strength <= 1.0:
            raise InputError(
                f"strength={strength}: expected a value from 0 (the input) to 1 (the model's output)"
            )
        self.strength = strength
        self.config = config
        self.notes = []
        whole = None
        if tile is not None:
            tile = tile or None
        elif config is None:
            tile = FALLBACK_TILE
            self.notes.append(f"note: no config.json beside the model: tiles over {tile} px")
        else:
            memory = MemoryModel(config)
            budget = max_memory * GIB
            tile = memory.largest_side(budget)
            whole = lambda height, width: memory.bytes(height, width) <= budget  # noqa: E731
            self.notes.append(
                f"Images up to ~{budget / memory.per_pixel / 1e6:.1f} MP run whole in --max_memory="
                f"{max_memory:g} GiB (estimated from the model's graph), larger ones in {tile}x{tile} tiles"
            )
        limits = [side for side in (config and attention_tile(config), fixed_tile) if side]
        if limits and (tile is None or tile > min(limits)):
            tile, whole = min(limits), None
        if tile is not None and tile_overlap >= tile:
            raise InputError(f"--tile_overlap={tile_overlap} must be smaller than the tile ({tile})")
        if tile is not None and config and config.normalises_per_image:
            self.notes.append(
                f"note: the model normalises each tile by its own statistics; images tiled by {tile} px "
                "may show it (raise --max_memory, or --tile=0, where memory allows)"
            )
        self.restorer = TiledRestorer(restore, tile, tile_overlap, whole)

    def __call__(self, images):
        """The deblurred `images`: a path (-> uint8 [H, W, 3] numpy, upright as `photos` reads it),
        or uint8 [H, W, 3] or [N, H, W, 3] numpy arrays or tensors (-> the same type and shape)."""
        if isinstance(images, (str, os.PathLike)):
            return self._restore(photos.read_photo(os.fspath(images)).pixels)
        tensor = isinstance(images, tf.Tensor)
        pixels = images.numpy() if tensor else np.asarray(images)
        if pixels.dtype != np.uint8 or pixels.ndim not in (3, 4) or pixels.shape[-1] != 3:
            raise InputError(
                "images: expected uint8 [H, W, 3] or [N, H, W, 3] RGB, "
                f"got {pixels.dtype} {list(pixels.shape)}"
            )
        if pixels.ndim == 3:
            restored = self._restore(pixels)
        else:
            restored = np.stack([self._restore(one) for one in pixels]) if len(pixels) else pixels.copy()
        return tf.constant(restored) if tensor else restored

    def tile_of(self, height, width):
        """The side of the tiles an image of `height` x `width` runs in, or None where it runs whole."""
        return self.restorer.tile_of(height, width)

    def _restore(self, blurred):
        """One uint8 image, restored at `strength`."""
        if self.strength == 0.0:
            return blurred.copy()
        return np.asarray(with_strength(blurred, self.restorer(blurred), self.strength))
