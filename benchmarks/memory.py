r"""Inference memory, estimated and measured: `python benchmarks/memory.py [--models=demo,deblurgan]`.

Prints one JSON line per model, image size and oneDNN setting: the bytes
`tfdeblur.deploy.inference.MemoryModel` budgets for the image (what `tfdeblur deblur`
compares with `--max_memory`) beside the peak TensorFlow's allocator reports
while the generator runs on it, and their ratio (`estimate_over_peak` >= 1: the
budget holds). Each measurement runs in its own process with
`TF_ENABLE_ONEDNN_OPTS` set as asked and `TF_CPU_ALLOCATOR_USE_BFC=true`, so that
the allocator keeps statistics with oneDNN off too (without it, TensorFlow's
default CPU allocator keeps none). Models are the row flagfiles' generators
(random weights: memory does not depend on them) and `demo`, the shipped model.
"""

import json
import os
import subprocess
import sys

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_list("models", ["demo", "deblurgan", "pix2pix", "rir"], "Row flagfile names, or demo.")
flags.DEFINE_list("sizes", ["384x384", "721x1283"], "Image sizes HxW.")
flags.DEFINE_list("onednn", ["0", "1"], "TF_ENABLE_ONEDNN_OPTS settings to measure under.")
flags.DEFINE_string("measure", None, "Internal: measure model,size in this process.")


def measure(model, height, width):
    """One JSON-able record: the estimate and the allocator's peak for one [height, width] image."""
    import tensorflow as tf

    from tfdeblur import machine, paper
    from tfdeblur.checkpoints import pretrained
    from tfdeblur.deploy.inference import MemoryModel
    from tfdeblur.models import build_generator
    from tfdeblur.training import experiment

    if model in pretrained.SHIPPED:
        generator, config = pretrained.load_model(model)
    else:
        config = experiment.Experiment.from_flagfile(paper.flagfile(model)).model.for_inference(None)
        generator = build_generator(config)
    estimate = MemoryModel(config).bytes(height, width)
    run = tf.function(lambda images: generator(images, training=False))
    images = tf.zeros([1, height, width, 3])
    run(images)  # traced and warmed up: its constants are allocated before the measurement
    held = tf.config.experimental.get_memory_info("CPU:0")["current"]
    tf.config.experimental.reset_memory_stats("CPU:0")
    run(images)
    peak = tf.config.experimental.get_memory_info("CPU:0")["peak"] - held
    return {
        "model": model,
        "height": height,
        "width": width,
        "estimate_mb": round(estimate / 2**20, 1),
        "allocator_peak_mb": round(peak / 2**20, 1),
        "estimate_over_peak": round(estimate / peak, 2),
        "machine": machine.describe(),
    }


def main(argv):
    del argv
    if FLAGS.measure:
        model, size = FLAGS.measure.split(",")
        height, width = (int(side) for side in size.lower().split("x"))
        print(json.dumps(measure(model, height, width)))
        return
    for onednn in FLAGS.onednn:
        environment = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": onednn, "TF_CPU_ALLOCATOR_USE_BFC": "true"}
        for model in FLAGS.models:
            for size in FLAGS.sizes:
                result = subprocess.run(
                    [sys.executable, __file__, f"--measure={model},{size}"],
                    capture_output=True,
                    text=True,
                    env=environment,
                )
                if result.returncode == 0:
                    print(result.stdout.strip().splitlines()[-1], flush=True)
                else:
                    error = result.stderr.strip().splitlines()[-1]
                    print(json.dumps({"model": model, "size": size, "onednn": onednn, "error": error}))


if __name__ == "__main__":
    app.run(main)
