r"""Inference speed and memory: `python benchmarks/inference.py [--models=pix2pix,rir,deblurgan,demo]`.

Prints one JSON line per model and size: a 1280x720 frame (median of `--runs`
after one warm-up run), then a 4000x3000 photo through `--tile` tiles, as
`tfdeblur deblur` runs them (`--photo_runs`, after one warm-up tile). Models are the row flagfiles'
generators with random weights (speed does not depend on the weights) and
`demo`, the shipped model. Each measurement runs in its own process, so
`peak_rss_mb` (the process's peak resident memory) belongs to that model alone; every line
names the machine (CPU model and vector units, see `tfdeblur.machine`).
Run from the repository root with tfdeblur installed (`pip install -e .`).
"""

import functools
import json
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
from absl import app, flags

from tfdeblur import distribute, experiment, machine, paper, pretrained
from tfdeblur.inference import TiledRestorer
from tfdeblur.models import attention_tile, build_generator

FLAGS = flags.FLAGS
flags.DEFINE_list("models", ["pix2pix", "rir", "deblurgan", "demo"], "Row flagfile names, or demo.")
flags.DEFINE_list(
    "sizes", ["720x1280"], "Frame sizes HxW, timed whole (tiled only where self-attention must)."
)
flags.DEFINE_string("photo", "3000x4000", "The large photo's size HxW, run in tiles ('' to skip).")
flags.DEFINE_list("photo_models", ["deblurgan", "demo"], "Models run on the large photo.")
flags.DEFINE_integer("runs", 3, "Timed runs of a frame (after a warm-up run).", lower_bound=1)
flags.DEFINE_integer("photo_runs", 1, "Timed runs of a tiled image (after a warm-up tile).", lower_bound=1)
flags.DEFINE_integer("tile", 1024, "Tile side of the large photo (as tfdeblur deblur's default).")
flags.DEFINE_integer("tile_overlap", 64, "Tile overlap (as tfdeblur deblur's default).")
flags.DEFINE_enum("mixed_precision", "float32", distribute.PRECISIONS, "Compute dtype of the generators.")
flags.DEFINE_string("measure", None, "Internal: measure this model,size,tile in this process.")


def _generator(model):
    """(generator, config) of a row flagfile (random weights), or a shipped model by name."""
    if model in pretrained.SHIPPED:
        return pretrained.load_model(model)
    config = experiment.Experiment.from_flagfile(paper.flagfile(model)).model
    return build_generator(config), config


def measure(model, height, width, tile):
    """One JSON-able record: the median time of a [height, width] frame through `model`."""
    precision = distribute.set_precision(FLAGS.mixed_precision)
    generator, config = _generator(model)
    runs = FLAGS.photo_runs if tile else FLAGS.runs  # a tile was asked for: the large photo
    tile = min((side for side in (tile, attention_tile(config)) if side), default=None)
    restore = TiledRestorer(functools.partial(generator, training=False), tile, FLAGS.tile_overlap)
    frame = np.random.default_rng(0).integers(0, 256, [height, width, 3], dtype=np.uint8)
    restore(frame[:tile, :tile] if tile else frame)  # warm-up: tracing, oneDNN's first-call set-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        restore(frame)
        times.append(time.perf_counter() - start)
    return {
        "model": model,
        "height": height,
        "width": width,
        "tile": tile,
        "ms_per_frame": round(1000 * statistics.median(times), 1),
        "runs": runs,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "params": generator.count_params(),
        "precision": precision,
        "machine": machine.describe(),
    }


def _size(text):
    height, width = (int(value) for value in text.lower().split("x"))
    return height, width


def main(argv):
    del argv
    if FLAGS.measure:
        model, size, tile = FLAGS.measure.split(",")
        print(json.dumps(measure(model, *_size(size), int(tile))))
        return
    jobs = [(model, size, 0) for model in FLAGS.models for size in FLAGS.sizes]
    if FLAGS.photo:
        jobs += [(model, FLAGS.photo, FLAGS.tile) for model in FLAGS.photo_models]
    for model, size, tile in jobs:
        result = subprocess.run(
            [
                sys.executable,
                __file__,
                f"--measure={model},{size},{tile}",
                f"--runs={FLAGS.runs}",
                f"--photo_runs={FLAGS.photo_runs}",
                f"--tile_overlap={FLAGS.tile_overlap}",
                f"--mixed_precision={FLAGS.mixed_precision}",
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            print(json.dumps({"model": model, "size": size, "error": result.stderr.strip().splitlines()[-1]}))
            continue
        print(result.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    app.run(main)
