r"""Training speed: `python benchmarks/train_step.py [--models=a,b] [--batches=1,8] [--jit=false,true]`.

Prints one JSON line per row flagfile, batch size and XLA setting: the GAN
train step (critic steps, gradient penalty and perceptual loss included, as the
row trains) on random 256x256 crops, `images_per_s` = batch / median step time
over `--steps` steps after two warm-up steps, and the process's peak memory.
VGG19 gets random weights (the cost is the same as ImageNet's). `--generator_only`
times one generator update with the row's content losses alone, the figure the
PyTorch DeblurGAN comparison of the README uses. Each measurement runs in its
own process; every line names the machine (CPU model, vector units and whether
oneDNN ran, see `tfdeblur.machine`) and R, the yardstick step of `reference_step.py`
with oneDNN off, measured first (`--reference`). oneDNN is on unless
`TF_ENABLE_ONEDNN_OPTS` says otherwise, as in the `tfdeblur` commands. Run from the
repository root with tfdeblur installed.
"""

import json
import resource
import statistics
import subprocess
import sys
import time

from tfdeblur import machine

machine.prefer_onednn()  # as the tfdeblur commands do, before TensorFlow starts

import keras  # noqa: E402
import reference  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import app, flags  # noqa: E402

from tfdeblur import paper  # noqa: E402
from tfdeblur.paper import EXPERIMENTS as ROWS  # noqa: E402
from tfdeblur.training import distribute, experiment  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_list("models", sorted(ROWS), "Row flagfile names.")
flags.DEFINE_enum("mixed_precision", "float32", distribute.PRECISIONS, "Keras dtype policy of the GANs.")
flags.DEFINE_list("batches", ["1", "8"], "Batch sizes.")
flags.DEFINE_list("jit", ["false", "true"], "XLA settings to time.")
flags.DEFINE_integer("crop", 256, "Crop side.")
flags.DEFINE_integer("steps", 5, "Timed steps (after two warm-up steps).", lower_bound=1)
flags.DEFINE_bool("generator_only", False, "Time a generator update with content losses only.")
flags.DEFINE_string("measure", None, "Internal: measure model,batch,jit in this process.")


def _generator_step(gan):
    """One generator update on the content losses alone (no discriminator)."""
    generator, optimizer = gan.generator, gan.optimizer

    def step(blurred, sharp):
        with tf.GradientTape() as tape:
            restored = generator(blurred, training=True)
            per_image = sum(
                weight * content(restored, sharp) for weight, content in gan.content_losses.values()
            )
            loss = tf.reduce_mean(per_image)
        optimizer.apply(tape.gradient(loss, generator.trainable_variables), generator.trainable_variables)
        return loss

    return step


def measure(model, batch, jit):
    run = experiment.Experiment.from_flagfile(paper.flagfile(model), "--vgg_weights=random")
    precision = distribute.set_precision(FLAGS.mixed_precision)
    gan = experiment.build_gan(run)
    gan.compile(keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4), jit_compile=jit)
    sharp = tf.random.uniform([batch, FLAGS.crop, FLAGS.crop, 3], -1.0, 1.0)
    blurred = tf.nn.avg_pool2d(sharp, 5, 1, "SAME")
    if FLAGS.generator_only:
        step = tf.function(_generator_step(gan), jit_compile=jit)
    else:

        def step(blurred, sharp):
            return gan.train_on_batch(blurred, sharp)

    times = []
    for index in range(2 + FLAGS.steps):
        start = time.perf_counter()
        result = step(blurred, sharp)
        if isinstance(result, tf.Tensor):
            result.numpy()  # wait for the step
        if index >= 2:
            times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    return {
        "model": model,
        "crop": FLAGS.crop,
        "batch": batch,
        "jit": jit,
        "generator_only": FLAGS.generator_only,
        "images_per_s": round(batch / seconds, 3),
        "s_per_step": round(seconds, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "precision": precision,
        "machine": machine.describe(),
        **reference.fields(seconds),
    }


def main(argv):
    del argv
    if FLAGS.measure:
        model, batch, jit = FLAGS.measure.split(",")
        print(json.dumps(measure(model, int(batch), jit == "true")))
        return
    reference.measure_first(machine.describe())
    for model in FLAGS.models:
        for batch in FLAGS.batches:
            for jit in FLAGS.jit:
                command = [
                    sys.executable,
                    __file__,
                    f"--measure={model},{batch},{jit}",
                    f"--crop={FLAGS.crop}",
                    f"--steps={FLAGS.steps}",
                    f"--generator_only={FLAGS.generator_only}",
                    f"--mixed_precision={FLAGS.mixed_precision}",
                    *reference.passed_on(),
                ]
                result = subprocess.run(command, capture_output=True, text=True)
                if result.returncode != 0:
                    error = result.stderr.strip().splitlines()[-1]
                    print(json.dumps({"model": model, "batch": int(batch), "jit": jit, "error": error}))
                    continue
                print(result.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    app.run(main)
