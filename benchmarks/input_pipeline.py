r"""Input pipeline throughput: `python benchmarks/input_pipeline.py [--sources=...] [--batches=100]`.

Prints one JSON line per source, each with the machine it ran on
(`tfdeblur.machine.describe`: CPU model, AVX2 / AVX-512 / bfloat16 units, any
`ONEDNN_MAX_CPU_ISA` cap), then one line per training step it must feed:

- `embedded` and `synthetic` (1280x720 PNG photos written to a temporary
  folder): random crops blurred on the fly with camera-shake PSFs, at the
  quickstart's crop and batch (`experiments/quickstart.cfg`);
- `folder`: 1280x720 PNG pairs decoded every time (`cache: false`) or from the
  in-memory cache, 256x256 crops at batch 1 as in the paper;
- `blur_crop`: the cost of blurring one crop alone (each synthetic kind);
- the train steps the pipelines feed (`benchmarks/train_step.py`, each in its
  own process): the quickstart's, and DeblurGAN's at the paper's 256x256, batch 1.
  `pipeline_margin` is how many times over a pipeline delivers what its step consumes.

Run from the repository root with tfdeblur installed (`pip install -e .`).
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import tensorflow as tf
from absl import app, flags

from tfdeblur import data, machine, paper
from tfdeblur.data import pipeline, synthetic
from tfdeblur.data.sources import folder
from tfdeblur.training import experiment

FLAGS = flags.FLAGS
flags.DEFINE_list("sources", ["embedded", "synthetic", "folder", "blur_crop"], "What to time.")
flags.DEFINE_integer("pairs", 8, "1280x720 PNG images (pairs for folder) to write.")
flags.DEFINE_integer("batches", 100, "Batches to time (after 10 warm-up batches).")
flags.DEFINE_bool("train_steps", True, "Also time the train steps the pipelines feed.")


def _crops(name):
    """The crop side and batch size of `experiments/<name>.cfg`."""
    train = experiment.Experiment.from_flagfile(paper.flagfile(name)).train
    return {"crop": train.crop_size, "batch_size": train.batch_size}


QUICKSTART = _crops("quickstart")
PAPER = _crops("deblurgan")


def _write_photos(root, count, pairs):
    rng = np.random.default_rng(0)
    for index in range(count):
        sharp = tf.image.resize(rng.integers(0, 256, (90, 160, 3)), [720, 1280]).numpy().astype(np.uint8)
        images = {"sharp": sharp, "blur": np.roll(sharp, 3, axis=1)} if pairs else {"": sharp}
        for name, image in images.items():
            os.makedirs(os.path.join(root, name), exist_ok=True)
            tf.io.write_file(os.path.join(root, name, f"{index:04d}.png"), tf.io.encode_png(image))


def _pairs_per_second(pairs, crop, batch_size, batches):
    iterator = iter(data.training_batches(pairs, batch_size))
    for _ in range(10):
        next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return batches * batch_size / (time.perf_counter() - start)


def _print(record):
    print(json.dumps({**record, "machine": machine.describe()}), flush=True)


def _blur_crop_ms(kind, chunks=50):
    """Milliseconds per 64^2 crop, blurred in chunks (kernel, gopro: 27^2 or 53^2 PSFs by FFT;
    warp: 15 frames)."""
    margin = synthetic.CANVAS[kind] - 1
    windows = np.random.default_rng(0).integers(0, 256, (synthetic.CHUNK, 64 + margin, 64 + margin, 3))
    windows = tf.constant(windows, tf.uint8)
    bank = synthetic.blur_bank(0, kind, size=64)
    blur = tf.function(lambda seed: synthetic.blur_windows(windows, seed, bank, 64)["blur"])
    blur(tf.constant([0, 0], tf.int64))
    start = time.perf_counter()
    for index in range(chunks):
        blur(tf.constant([index, 1], tf.int64)).numpy()
    return 1000 * (time.perf_counter() - start) / (chunks * synthetic.CHUNK)


def _train_step(model, shape):
    command = [
        sys.executable,
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "train_step.py"),
        f"--models={model}",
        f"--batches={shape['batch_size']}",
        f"--crop={shape['crop']}",
        "--jit=false",
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        return {"model": model, "error": result.stderr.strip().splitlines()[-1]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv):
    del argv
    rates = {}
    with tempfile.TemporaryDirectory() as root:
        for source in FLAGS.sources:
            if source == "blur_crop":
                for kind in synthetic.KINDS:
                    _print(
                        {"benchmark": "blur_crop", "kind": kind, "ms_per_crop": round(_blur_crop_ms(kind), 2)}
                    )
                continue
            if source == "folder":
                _write_photos(os.path.join(root, "pairs"), FLAGS.pairs, pairs=True)
                names, blur_paths, sharp_paths, _ = folder.checked_pairs(os.path.join(root, "pairs"))
                for cache in (False, True):
                    frames = folder.pairs_dataset(names, blur_paths, sharp_paths)
                    crops = pipeline.random_crops(frames, PAPER["crop"], cache=cache)
                    rate = _pairs_per_second(crops, **PAPER, batches=FLAGS.batches)
                    rates[f"folder cache={cache}"] = rate
                    line = {"benchmark": "input_pipeline", "source": "folder 1280x720 PNG", "cache": cache}
                    _print({**line, **PAPER, "pairs_per_s": round(rate, 1)})
                continue
            if source == "synthetic":
                _write_photos(os.path.join(root, "photos"), FLAGS.pairs, pairs=False)
                spec = f"synthetic:{os.path.join(root, 'photos')}"
            elif source == "embedded":
                spec = "embedded"
            else:
                raise app.UsageError(f"--sources: unknown source {source!r}")
            pairs = data.train_pairs(spec, QUICKSTART["crop"])
            rate = _pairs_per_second(pairs, **QUICKSTART, batches=FLAGS.batches)
            rates[source] = rate
            _print(
                {"benchmark": "input_pipeline", "source": source, **QUICKSTART, "pairs_per_s": round(rate, 1)}
            )
    if not FLAGS.train_steps:
        return
    for model, shape, sources in (
        ("quickstart", QUICKSTART, ("embedded", "synthetic")),
        ("deblurgan", PAPER, ("folder cache=False", "folder cache=True")),
    ):
        step = _train_step(model, shape)
        consumed = step.get("images_per_s")
        margins = {
            source: round(rates[source] / consumed, 1) for source in sources if source in rates and consumed
        }
        _print(
            {"benchmark": "train_step", **step, "pairs_consumed_per_s": consumed, "pipeline_margin": margins}
        )


if __name__ == "__main__":
    app.run(main)
