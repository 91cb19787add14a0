"""Datasets by spec: files -> tf.data pairs of uint8 {"blur", "sharp"} images.

A spec is `SOURCE`, `SOURCE/ARGUMENT` or `SOURCE:ARGUMENT`, then optional
`,option=value` settings, e.g. `synthetic:photos,mix=warp`. Each source is one
module of `tfdeblur.data.sources`, registered in `SOURCES`:

- `embedded` (default): scikit-image photos blurred on the fly, fixed held-out split
  (`,mix=...,frames=PATH`: other blur, real frame windows too; `tfdeblur.data.mix`);
- `gopro/blur`, `gopro/blur_gamma`: the GoPro TFDS builder (`data_dir`, `manual_dir`);
- `folder:PATH`: your pairs, `PATH/blur/*` and `PATH/sharp/*` matched by name
  (or `PATH/<split>/blur` ... when PATH holds splits);
- `synthetic:PATH[,mix=...][,frames=PATH]`: sharp images in PATH (or `PATH/<split>`)
  blurred with camera-shake kernels and GoPro-like warps (`tfdeblur.data.mix`);
- `frames:PATH[,window=7-13][,stride=K][,holdout=N]`: consecutive high-frame-rate
  frames (one clip, or a folder of clips) averaged as GoPro's blurred images were.

`train_pairs` gives an endless stream of random crops, `evaluation_pairs` the
full-size frames of a split, never resized (`tfdeblur.data.specs`). They load when
first used (PEP 562), so `tfdeblur.data.video` and `.files` import without the sources.
"""

import importlib

_EXPORTS = {
    "SOURCES": "tfdeblur.data.specs",
    "SPECS": "tfdeblur.data.specs",
    "DataSpec": "tfdeblur.data.specs",
    "check_spec": "tfdeblur.data.specs",
    "evaluation_pairs": "tfdeblur.data.specs",
    "parse_spec": "tfdeblur.data.specs",
    "train_pairs": "tfdeblur.data.specs",
    "augment_batch": "tfdeblur.data.pipeline",
    "training_batches": "tfdeblur.data.pipeline",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'tfdeblur.data' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_EXPORTS])
