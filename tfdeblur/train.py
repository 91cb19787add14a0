r"""Trains a deblurring GAN: `python -m tfdeblur.train --flagfile=F --output_dir=D`.

Writes `D/checkpoints/` (with config.json), `D/logs/` (TensorBoard: losses,
validation PSNR/SSIM, sample images), `D/samples/*.png` and, at the end, the
held-out evaluation `D/metrics.json`, `D/per_image.csv`, `D/comparison.png`.
Running the same command again resumes from the last checkpoint, also after a
crash or `kill -9` (checkpoints are written atomically). `--strategy` spreads
training over GPUs, workers or a TPU (`tfdeblur.distribute`); a loss that
becomes NaN or infinite stops the run, keeping the last good checkpoint.
"""

import math
import os

import keras
from absl import flags

from tfdeblur import cli, data, distribute, experiment
from tfdeblur.callbacks import SaveCheckpoint, StopAtStep, StopOnNonFinite, Validate
from tfdeblur.checkpoints import TrainingCheckpoint, checkpoint_dir, write_or_check_config
from tfdeblur.evaluation import evaluate, format_summary, write_report
from tfdeblur.models import ModelConfig, attention_tile
from tfdeblur.schedules import ConstantThenLinearDecay

FLAGS = flags.FLAGS
cli.define_experiment_flags()
flags.mark_flag_as_required("output_dir")
flags.DEFINE_string(
    "eval_dataset", None, "Dataset spec of the held-out evaluation (default: --dataset's test split)."
)
flags.register_validator("eval_dataset", cli.valid_spec, message="unknown dataset spec")


def main(argv):
    del argv
    strategy = distribute.make_strategy(FLAGS.strategy)
    precision = distribute.set_precision(FLAGS.mixed_precision)
    chief = distribute.is_chief(strategy)
    config = ModelConfig.from_flags(FLAGS)
    checkpoints = checkpoint_dir(FLAGS.output_dir)
    if chief:
        write_or_check_config(checkpoints, config)
        with open(os.path.join(FLAGS.output_dir, "flags.txt"), "w") as file:
            file.write(FLAGS.flags_into_string())

    keras.utils.set_random_seed(FLAGS.seed)
    with strategy.scope():
        gan = experiment.build_gan(FLAGS, config)
        gan.compile(
            generator_optimizer=_optimizer(precision),
            discriminator_optimizer=_optimizer(precision),
            jit_compile=FLAGS.jit_compile,
        )
        # Other workers write their (identical) checkpoints aside; all restore the chief's.
        checkpoint = TrainingCheckpoint(gan, checkpoints, chief=chief)
        latest = checkpoint.restore_latest()
    step = int(gan.optimizer.iterations.numpy())
    if latest:
        print(f"Resuming from {latest} at step {step}")

    eval_dataset = FLAGS.eval_dataset or FLAGS.dataset
    test_pairs = data.evaluation_pairs(eval_dataset, **cli.dataset_dirs(FLAGS))
    tile = attention_tile(config)  # full-size frames exceed self-attention's memory budget
    if step < FLAGS.train_steps:
        # A resumed run draws new crops rather than replaying the first ones.
        data_seed = FLAGS.seed + 7919 * step
        pairs = data.train_pairs(FLAGS.dataset, FLAGS.crop_size, seed=data_seed, **cli.dataset_dirs(FLAGS))
        steps_per_epoch = min(FLAGS.steps_per_epoch, FLAGS.train_steps)
        # Only the chief validates and logs (other workers would write beside it).
        validate = None
        if chief:
            validate = Validate(
                test_pairs,
                log_dir=os.path.join(FLAGS.output_dir, "logs"),
                samples_dir=os.path.join(FLAGS.output_dir, "samples"),
                tile=tile,
            )
        gan.fit(
            data.training_batches(pairs, FLAGS.batch_size, seed=data_seed),
            epochs=math.ceil(FLAGS.train_steps / steps_per_epoch),
            initial_epoch=step // steps_per_epoch,
            steps_per_epoch=steps_per_epoch,
            shuffle=False,
            callbacks=[
                StopOnNonFinite(checkpoint),  # first: a NaN step is never checkpointed
                StopAtStep(FLAGS.train_steps),
                SaveCheckpoint(checkpoint),
                *([validate] if validate else []),
            ],
        )
    else:
        print(f"Already trained to step {step} (--train_steps={FLAGS.train_steps})")
    if not chief:
        return

    records, examples = evaluate(gan.generator, test_pairs, keep_images=3, tile=tile)
    model = os.path.basename(os.path.normpath(FLAGS.output_dir))
    summary = write_report(records, examples, FLAGS.output_dir, model=model, dataset=f"{eval_dataset}/test")
    print(f"Held-out {eval_dataset}/test: {format_summary(summary)}")
    print(f"Wrote {os.path.join(FLAGS.output_dir, 'metrics.json')}")


def _optimizer(precision):
    schedule = ConstantThenLinearDecay(
        FLAGS.learning_rate, FLAGS.train_steps, decay_start=round(FLAGS.decay_start * FLAGS.train_steps)
    )
    adam = keras.optimizers.Adam(schedule, beta_1=FLAGS.beta_1)
    return distribute.optimizer_for(adam, precision)


if __name__ == "__main__":
    cli.run(main)
