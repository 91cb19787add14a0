r"""Inference speed and memory: `python benchmarks/inference.py [--models=pix2pix,rir,deblurgan,demo]`.

Prints one JSON line per model and size: a 1280x720 frame (median of `--runs`
after one warm-up run), then a 4000x3000 photo through `--tile` tiles, as
`tfdeblur deblur` runs them (`--photo_runs`, after one warm-up tile); then the
exported runtimes (`--runtimes`: the SavedModel, ONNX Runtime, LiteRT with float32
and float16 weights) of `--runtime_models` on the same frames, LiteRT in its
`--litert_tile` tiles. Models are the row flagfiles' generators with random weights
(speed does not depend on the weights) and `demo`, the shipped model. Exports are
written by one process, and each measurement runs in its own, so `peak_rss_mb`
(the process's peak resident memory) belongs to that model and runtime alone; every
line names the machine (CPU model, vector units and whether oneDNN ran, see
`tfdeblur.machine`) and R, the yardstick step of `reference_step.py` with oneDNN off,
measured first (`--reference`), so figures compare across machines as multiples of R.
oneDNN is on unless `TF_ENABLE_ONEDNN_OPTS` says otherwise, as in the `tfdeblur` commands.
`--pytorch` also times DeblurGAN's generator as its authors' PyTorch code builds it
(`pytorch_deblurgan.py`; needs `pip install torch`) on the same frames, in the same run.
Run from the repository root with tfdeblur installed (`pip install -e ".[onnx,litert]"`).
"""

import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from tfdeblur import machine

machine.prefer_onednn()  # as the tfdeblur commands do, before TensorFlow starts

import numpy as np  # noqa: E402
import reference  # noqa: E402
from absl import app, flags  # noqa: E402

from tfdeblur import paper  # noqa: E402
from tfdeblur.checkpoints import pretrained  # noqa: E402
from tfdeblur.deploy import deblurrer, litert_format, onnx_format, serving  # noqa: E402
from tfdeblur.deploy.inference import TiledRestorer  # noqa: E402
from tfdeblur.models import attention_tile, build_generator  # noqa: E402
from tfdeblur.training import distribute, experiment  # noqa: E402

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
flags.DEFINE_list(
    "runtimes",
    ["saved_model", "onnx", "litert_float32", "litert_float16"],
    "Exported runtimes timed on the frames ('' for none).",
)
flags.DEFINE_list("runtime_models", ["demo", "deblurgan"], "Models timed through the exported runtimes.")
flags.DEFINE_integer("litert_tile", litert_format.DEFAULT_TILE, "Tile side of the LiteRT exports.")
flags.DEFINE_bool("pytorch", False, "Also time the PyTorch DeblurGAN generator on the frames.")
flags.DEFINE_string("measure", None, "Internal: measure this model,size,tile[,runtime,export] here.")
flags.DEFINE_string("export", None, "Internal: export this model,runtime,directory in this process.")


def _generator(model):
    """(generator, config) of a row flagfile (random weights), or a shipped model by name."""
    if model in pretrained.SHIPPED:
        return pretrained.load_model(model)
    config = experiment.Experiment.from_flagfile(paper.flagfile(model)).model
    return build_generator(config), config


def export(model, runtime, directory):
    """Writes `model` as `runtime` (saved_model, onnx, litert_float32, litert_float16) to `directory`."""
    generator, config = _generator(model)
    if runtime == "saved_model":
        serving.export(generator, config, directory, tile=deblurrer.tile_for(config, 1.0))
    elif runtime == "onnx":
        onnx_format.export(generator, config, directory)
    else:
        dtype = runtime.removeprefix("litert_")
        litert_format.export(generator, config, directory, FLAGS.litert_tile, dtype)


def _restorer(runtime, directory):
    """(restore, config, fixed tile or None) of an export written by `export`."""
    if runtime == "saved_model":
        return serving.load(directory)
    if runtime == "onnx":
        return (*onnx_format.load(directory), None)
    return litert_format.load(directory)


def measure(model, height, width, tile, runtime="keras", directory=None):
    """One JSON-able record: the median time of a [height, width] frame through `model` run by
    `runtime` (keras: the generator itself; else its export in `directory`)."""
    precision = distribute.set_precision(FLAGS.mixed_precision)
    if runtime == "pytorch":
        seconds, params = _time_pytorch(height, width)
        return _record(model, runtime, height, width, None, seconds, FLAGS.runs, params, precision)
    if runtime == "keras":
        generator, config = _generator(model)
        restore, fixed_tile, params = (
            functools.partial(generator, training=False),
            None,
            generator.count_params(),
        )
    else:
        restore, config, fixed_tile = _restorer(runtime, directory)
        params = None
    runs = FLAGS.photo_runs if tile else FLAGS.runs  # a tile was asked for: the large photo
    tile = min((side for side in (tile, attention_tile(config), fixed_tile) if side), default=None)
    restore = TiledRestorer(restore, tile, FLAGS.tile_overlap)
    frame = np.random.default_rng(0).integers(0, 256, [height, width, 3], dtype=np.uint8)
    restore(frame[:tile, :tile] if tile else frame)  # warm-up: tracing, oneDNN's first-call set-up
    seconds = _median_time(restore, frame, runs)
    return _record(model, runtime, height, width, tile, seconds, runs, params, precision)


def _time_pytorch(height, width):
    """(median seconds, params) of the PyTorch DeblurGAN generator on a [height, width] frame."""
    import pytorch_deblurgan

    restore, params = pytorch_deblurgan.restorer()
    frame = np.random.default_rng(0).integers(0, 256, [height, width, 3], dtype=np.uint8)

    def run(frame):
        restored = restore(frame[np.newaxis].astype(np.float32) / 127.5 - 1.0)
        return np.round((restored + 1.0) * 127.5).astype(np.uint8)

    run(frame)  # warm-up
    return _median_time(run, frame, FLAGS.runs), params


def _median_time(run, frame, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run(frame)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _record(model, runtime, height, width, tile, seconds, runs, params, precision):
    return {
        "model": model,
        "runtime": runtime,
        "height": height,
        "width": width,
        "tile": tile,
        "ms_per_frame": round(1000 * seconds, 1),
        "runs": runs,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "params": params,
        "precision": precision,
        "machine": machine.describe(),
        **reference.fields(seconds),
    }


def _size(text):
    height, width = (int(value) for value in text.lower().split("x"))
    return height, width


def main(argv):
    del argv
    if FLAGS.measure:
        model, size, tile, *exported = FLAGS.measure.split(",")
        print(json.dumps(measure(model, *_size(size), int(tile), *exported)))
        return
    if FLAGS.export:
        export(*FLAGS.export.split(","))
        return
    reference.measure_first(machine.describe())
    jobs = [(model, size, 0) for model in FLAGS.models for size in FLAGS.sizes]
    if FLAGS.pytorch:
        jobs += [("deblurgan", size, 0, "pytorch") for size in FLAGS.sizes]
    if FLAGS.photo:
        jobs += [(model, FLAGS.photo, FLAGS.tile) for model in FLAGS.photo_models]
    with tempfile.TemporaryDirectory() as exports:
        for model in FLAGS.runtime_models:
            for runtime in FLAGS.runtimes:
                directory = os.path.join(exports, f"{model}_{runtime}")
                if _run(f"--export={model},{runtime},{directory}", model=model, runtime=runtime) is not None:
                    jobs += [(model, size, 0, runtime, directory) for size in FLAGS.sizes]
        for model, size, tile, *exported in jobs:
            measured = _run(
                f"--measure={model},{size},{tile},{','.join(exported)}".rstrip(","), model=model, size=size
            )
            if measured:
                print(measured, flush=True)


def _run(argument, **names):
    """Runs this script with `argument` in a new process: its last line of output, or None after
    printing its error as JSON with `names`."""
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            argument,
            f"--runs={FLAGS.runs}",
            f"--photo_runs={FLAGS.photo_runs}",
            f"--tile_overlap={FLAGS.tile_overlap}",
            f"--litert_tile={FLAGS.litert_tile}",
            f"--mixed_precision={FLAGS.mixed_precision}",
            *reference.passed_on(),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        print(json.dumps({**names, "error": result.stderr.strip().splitlines()[-1]}), flush=True)
        return None
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""


if __name__ == "__main__":
    app.run(main)
