r"""Trains a deblurring GAN: `python -m tfdeblur.train --flagfile=F --output_dir=D`.

Writes `D/checkpoints/` (with config.json), `D/logs/` (TensorBoard: losses,
validation PSNR/SSIM, sample images), `D/samples/*.png` and, at the end, the
held-out evaluation `D/metrics.json`, `D/per_image.csv`, `D/comparison.png`.
Running the same command again resumes from the last checkpoint.
"""

import math
import os

import keras
from absl import flags

from tfdeblur import cli, data
from tfdeblur.callbacks import SaveCheckpoint, StopAtStep, Validate
from tfdeblur.checkpoints import TrainingCheckpoint, checkpoint_dir, write_or_check_config
from tfdeblur.evaluation import evaluate, format_summary, write_report
from tfdeblur.gan import GAN
from tfdeblur.losses import ADVERSARIAL_LOSSES
from tfdeblur.models import ModelConfig, build_discriminator, build_generator
from tfdeblur.schedules import ConstantThenLinearDecay

FLAGS = flags.FLAGS
cli.define_model_flags()
cli.define_dataset_flag()
flags.DEFINE_string("output_dir", None, "Run directory (checkpoints, logs, samples, metrics).", required=True)
flags.DEFINE_integer("train_steps", 100_000, "Generator steps to train in total.", lower_bound=1)
flags.DEFINE_integer("steps_per_epoch", 1000, "Steps between checkpoints and validations.", lower_bound=1)
flags.DEFINE_integer("batch_size", 1, "Training batch size.", lower_bound=1)
flags.DEFINE_integer("crop_size", 256, "Side of the square training crops.", lower_bound=16)
flags.DEFINE_float("learning_rate", 2e-4, "Adam learning rate of G and D.")
flags.DEFINE_float(
    "decay_start", 1.0, "Fraction of --train_steps after which the learning rate decays linearly to 0."
)
flags.DEFINE_float("beta_1", 0.5, "Adam beta_1 of G and D.")
flags.DEFINE_enum("adversarial_loss", "gan", sorted(ADVERSARIAL_LOSSES), "Adversarial loss.")
flags.DEFINE_float("l1_weight", 100.0, "Weight of the L1 content loss.")
flags.DEFINE_bool("jit_compile", False, "Compile the train step with XLA (measure first: see README).")
flags.DEFINE_integer("seed", 0, "Seed of weights initialisation and data order.")


def main(argv):
    del argv
    config = ModelConfig.from_flags(FLAGS)
    checkpoints = checkpoint_dir(FLAGS.output_dir)
    write_or_check_config(checkpoints, config)
    with open(os.path.join(FLAGS.output_dir, "flags.txt"), "w") as file:
        file.write(FLAGS.flags_into_string())

    keras.utils.set_random_seed(FLAGS.seed)
    gan = GAN(
        build_generator(config),
        build_discriminator(config),
        adversarial=FLAGS.adversarial_loss,
        l1_weight=FLAGS.l1_weight,
        conditional=config.conditional,
    )
    schedule = ConstantThenLinearDecay(
        FLAGS.learning_rate, FLAGS.train_steps, decay_start=round(FLAGS.decay_start * FLAGS.train_steps)
    )
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(schedule, beta_1=FLAGS.beta_1),
        discriminator_optimizer=keras.optimizers.Adam(schedule, beta_1=FLAGS.beta_1),
        jit_compile=FLAGS.jit_compile,
    )
    checkpoint = TrainingCheckpoint(gan, checkpoints)
    latest = checkpoint.restore_latest()
    step = int(gan.optimizer.iterations.numpy())
    if latest:
        print(f"Resuming from {latest} at step {step}")

    test_pairs = data.evaluation_pairs(FLAGS.dataset)
    if step < FLAGS.train_steps:
        # A resumed run draws new crops rather than replaying the first ones.
        data_seed = FLAGS.seed + 7919 * step
        pairs = data.train_pairs(FLAGS.dataset, FLAGS.crop_size, seed=data_seed)
        steps_per_epoch = min(FLAGS.steps_per_epoch, FLAGS.train_steps)
        gan.fit(
            data.training_batches(pairs, FLAGS.batch_size, seed=data_seed),
            epochs=math.ceil(FLAGS.train_steps / steps_per_epoch),
            initial_epoch=step // steps_per_epoch,
            steps_per_epoch=steps_per_epoch,
            shuffle=False,
            callbacks=[
                StopAtStep(FLAGS.train_steps),
                SaveCheckpoint(checkpoint),
                Validate(
                    test_pairs,
                    log_dir=os.path.join(FLAGS.output_dir, "logs"),
                    samples_dir=os.path.join(FLAGS.output_dir, "samples"),
                ),
            ],
        )
    else:
        print(f"Already trained to step {step} (--train_steps={FLAGS.train_steps})")

    records, examples = evaluate(gan.generator, test_pairs, keep_images=3)
    summary = write_report(records, examples, FLAGS.output_dir)
    print(f"Held-out {FLAGS.dataset}/test: {format_summary(summary)}")
    print(f"Wrote {os.path.join(FLAGS.output_dir, 'metrics.json')}")


if __name__ == "__main__":
    cli.run(main)
