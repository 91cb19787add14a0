"""Keras callbacks of the training loop: stop at a step, checkpoint, validate, log."""

import os

import keras
import numpy as np
import tensorflow as tf

from tfdeblur.data.pipeline import spread_subset
from tfdeblur.errors import TrainingDiverged
from tfdeblur.evaluation.report import HEADLINE_FIELDS, comparison_grid, evaluate, format_summary, summarize


class StopAtStep(keras.callbacks.Callback):
    """Ends `fit()` once the generator optimizer has taken `train_steps` steps."""

    def __init__(self, train_steps):
        super().__init__()
        self.train_steps = train_steps

    def on_train_batch_end(self, batch, logs=None):
        if int(self.model.optimizer.iterations.numpy()) >= self.train_steps:
            self.model.stop_training = True


class StopOnNonFinite(keras.callbacks.Callback):
    """Stops training at the first step whose loss is NaN or infinite, before it is checkpointed.

    Raises `TrainingDiverged` naming the step, the loss term and the last good
    checkpoint, which stays intact (`fit()` saves nothing after the exception).
    List it before `SaveCheckpoint`.
    """

    def __init__(self, checkpoint):
        super().__init__()
        self.checkpoint = checkpoint

    def on_train_batch_end(self, batch, logs=None):
        bad = {name: float(value) for name, value in (logs or {}).items() if not np.isfinite(float(value))}
        if bad:
            step = int(self.model.optimizer.iterations.numpy())
            terms = ", ".join(f"{name} = {value}" for name, value in bad.items())
            raise TrainingDiverged(
                f"step {step}: {terms}; training stopped. The last good checkpoint is "
                f"{self.checkpoint.latest or 'none (nothing saved yet)'}: rerun to resume from it, "
                "e.g. with a lower --learning_rate"
            )


class SaveCheckpoint(keras.callbacks.Callback):
    """Saves a `TrainingCheckpoint` at the end of every epoch and of training."""

    def __init__(self, checkpoint):
        super().__init__()
        self.checkpoint = checkpoint

    def on_epoch_end(self, epoch, logs=None):
        self.checkpoint.save()

    def on_train_end(self, logs=None):
        self.checkpoint.save()


class Validate(keras.callbacks.Callback):
    """At each epoch end: held-out PSNR/SSIM, losses, learning rates and a sample grid to TensorBoard.

    Everything is logged against the global step (the generator optimizer's
    iteration count), so curves continue seamlessly when a run resumes; both
    networks' learning rates as `learning_rate/generator` and `learning_rate/discriminator`.
    The sample grid (blurred | restored | sharp) is also written to
    `samples_dir/step_<N>.png`. Each validation scores `images` of the evaluation set `pairs`
    (a fixed subset, `spread_subset`; 0: all), run as `evaluate` runs them for `config`. Only
    the headline metrics are computed (`HEADLINE_FIELDS`): the full set, on every image, is
    the final report's.
    """

    def __init__(self, pairs, config, log_dir, samples_dir, images=0, num_samples=3):
        super().__init__()
        self.pairs, self.of_images = spread_subset(pairs, images)
        self.images = images
        self.config = config
        self.writer = tf.summary.create_file_writer(log_dir)
        self.samples_dir = samples_dir
        self.num_samples = num_samples

    def on_epoch_end(self, epoch, logs=None):
        step = int(self.model.optimizer.iterations.numpy())
        records, examples = evaluate(
            self.model.generator, self.config, self.pairs, self.num_samples, fields=HEADLINE_FIELDS
        )
        summary = summarize(records, self.config)
        scored = self.scored(summary["num_images"])
        grid = comparison_grid(examples)
        with self.writer.as_default(step=step):
            for name, value in (logs or {}).items():
                tf.summary.scalar(f"loss/{name}", value)
            for name, optimizer in (
                ("generator", self.model.optimizer),
                ("discriminator", self.model.discriminator_optimizer),
            ):
                tf.summary.scalar(f"learning_rate/{name}", optimizer.learning_rate)
            for name in ("psnr", "ssim"):
                tf.summary.scalar(f"validation/{name}", summary[name], description=f"Mean over {scored}.")
            tf.summary.image("samples", grid[np.newaxis])
        self.writer.flush()
        os.makedirs(self.samples_dir, exist_ok=True)
        tf.io.write_file(os.path.join(self.samples_dir, f"step_{step:06d}.png"), tf.io.encode_png(grid))
        print(f"\nstep {step}: validation on {scored}: {format_summary(summary)}")

    def scored(self, count):
        """Which images a validation scored, `count` of them, in words."""
        if self.of_images is not None and count < self.of_images:
            return f"a fixed subset of {count} of the {self.of_images} held-out images"
        if self.of_images is None and count == self.images:  # a set of unknown size, maybe larger
            return f"the first {count} held-out images"
        return f"all {count} held-out images"
