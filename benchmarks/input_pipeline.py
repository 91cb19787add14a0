r"""Input pipeline throughput: `python benchmarks/input_pipeline.py [--pairs=16] [--batches=200]`.

Writes 1280x720 PNG pairs to a temporary `folder:` dataset and prints one JSON
line each for: the pipeline's rate of 256x256 training pairs (decode, paired
crop, flips/rotations, float conversion, batch 1 as in the paper), with and
without the in-memory cache; and the train-step rate of the DeblurGAN model
(`experiments/deblurgan.cfg`, WGAN-GP with 5 critic steps, perceptual loss with
random VGG19 weights, which cost the same as ImageNet's), so one can see that
the input is never the bottleneck.
Run from the repository root with tfdeblur installed (`pip install -e .`).
"""

import json
import os
import resource
import tempfile
import time

import keras
import numpy as np
import tensorflow as tf
from absl import app, flags

from tfdeblur import cli, data, experiment
from tfdeblur.data import folder, pipeline
from tfdeblur.models import ModelConfig

FLAGS = flags.FLAGS
cli.define_experiment_flags()
flags.DEFINE_integer("pairs", 16, "1280x720 PNG pairs to write.")
flags.DEFINE_integer("batches", 200, "Batches to time (after 20 warm-up batches).")
flags.DEFINE_integer("train_steps_timed", 5, "DeblurGAN train steps to time (after 2 warm-up steps).")


def _write_pairs(root, count):
    rng = np.random.default_rng(0)
    for index in range(count):
        sharp = tf.image.resize(rng.integers(0, 256, (90, 160, 3)), [720, 1280]).numpy().astype(np.uint8)
        for name, image in (("sharp", sharp), ("blur", np.roll(sharp, 3, axis=1))):
            os.makedirs(os.path.join(root, name), exist_ok=True)
            tf.io.write_file(os.path.join(root, name, f"{index:04d}.png"), tf.io.encode_png(image))


def _rate(dataset, batches):
    iterator = iter(dataset)
    for _ in range(20):
        next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return batches / (time.perf_counter() - start)


def _deblurgan_steps_per_second(steps):
    flag_values = FLAGS
    flag_values(["benchmark", f"--flagfile={os.path.join('experiments', 'deblurgan.cfg')}"], known_only=True)
    config = ModelConfig.from_flags(flag_values)
    gan = experiment.build_gan(flag_values, config, vgg_weights=None)
    gan.compile(keras.optimizers.Adam(1e-4, beta_1=0.5), keras.optimizers.Adam(1e-4, beta_1=0.5))
    batch = tf.random.uniform([1, 256, 256, 3], -1.0, 1.0)
    for _ in range(2):
        gan.train_on_batch(batch, batch)
    start = time.perf_counter()
    for _ in range(steps):
        gan.train_on_batch(batch, batch)
    return steps / (time.perf_counter() - start)


def main(argv):
    del argv
    device = "gpu" if tf.config.list_physical_devices("GPU") else "cpu"
    with tempfile.TemporaryDirectory() as root:
        _write_pairs(root, FLAGS.pairs)
        names, blur_paths, sharp_paths, _ = folder.checked_pairs(root)
        for cache in (False, True):
            crops = pipeline.random_crops(
                folder.pairs_dataset(names, blur_paths, sharp_paths), 256, cache=cache
            )
            rate = _rate(data.training_batches(crops, batch_size=1), FLAGS.batches)
            line = {
                "benchmark": "input_pipeline",
                "source": "folder 1280x720 PNG",
                "crop": 256,
                "batch_size": 1,
            }
            print(
                json.dumps({**line, "cache": cache, "pairs_per_s": round(rate, 1), "device": device}),
                flush=True,
            )
    steps = _deblurgan_steps_per_second(FLAGS.train_steps_timed)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "benchmark": "train_step",
                "model": "deblurgan",
                "crop": 256,
                "batch_size": 1,
                "steps_per_s": round(steps, 3),
                "pairs_per_s": round(steps, 3),
                "peak_rss_mb": round(peak_mb),
                "device": device,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    app.run(main)
