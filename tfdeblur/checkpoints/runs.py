"""Training checkpoints: everything needed to resume, and to rebuild the generator.

A run directory `D` holds `D/checkpoints/`: TensorFlow checkpoints of the
generator, discriminator and both optimizers (written atomically by
`tf.train.CheckpointManager`), `config.json` (the `ModelConfig`), so that a
checkpoint directory alone is enough to rebuild the trained generator, and
`train_config.json` (the `TrainConfig`), so that a resume trains the same experiment.
"""

import os
import tempfile

import tensorflow as tf

from tfdeblur.config import TrainConfig
from tfdeblur.errors import InputError
from tfdeblur.models import ModelConfig, build_generator

CONFIG_NAME = "config.json"
TRAIN_CONFIG_NAME = "train_config.json"


def checkpoint_dir(output_dir):
    return os.path.join(output_dir, "checkpoints")


def write_or_check_configs(directory, model_config, train_config):
    """Writes both configs to `directory`, or checks them against the ones already there.

    Resuming with other model flags would silently restore weights into a
    different network, and with other training settings would silently change
    the experiment: both are refused, naming the flags that differ, except the
    `TrainConfig.RESUMABLE` ones. Returns those ({name: (old, new)}), after
    saving the new values.
    """
    model_path = os.path.join(directory, CONFIG_NAME)
    train_path = os.path.join(directory, TRAIN_CONFIG_NAME)
    os.makedirs(directory, exist_ok=True)
    if os.path.exists(model_path):
        changed = [
            f"--{name}={new} (checkpoint has {old})"
            for name, (old, new) in ModelConfig.load(model_path).differences(model_config).items()
        ]
        if changed:
            raise InputError(
                f"{model_path}: the run in this output directory used other model flags: "
                f"{', '.join(changed)}; use a new --output_dir or the original flags"
            )
    else:
        model_config.save(model_path)
    resumed = {}
    if os.path.exists(train_path):
        resumed = train_config.resume_changes(TrainConfig.load(train_path), train_path)
    if resumed or not os.path.exists(train_path):
        train_config.save(train_path)
    return resumed


class TrainingCheckpoint:
    """The generator, discriminator and both optimizers of a `GAN`, by step.

    Saves are atomic (`tf.train.CheckpointManager` writes the files, then the
    `checkpoint` index naming them), so a crash or `kill -9` at any moment
    leaves the last complete checkpoint to resume from. Every worker of a
    multi-worker run saves (saving may involve collective ops), but only the
    chief into `directory`; the others keep their newest in a private temporary folder.
    Create it inside the strategy's scope: it builds the optimizers' slots.
    """

    def __init__(self, gan, directory, max_to_keep=3, chief=True):
        gan.build_optimizers()
        networks = {
            "generator": gan.generator,
            "discriminator": gan.discriminator,
            "generator_optimizer": gan.optimizer,
            "discriminator_optimizer": gan.discriminator_optimizer,
        }
        self.checkpoint = tf.train.Checkpoint(**networks)
        self.directory = directory
        if chief:
            self.manager = tf.train.CheckpointManager(self.checkpoint, directory, max_to_keep)
        else:
            scratch = tempfile.mkdtemp(prefix="tfdeblur_worker_checkpoints_")
            self.manager = tf.train.CheckpointManager(self.checkpoint, scratch, max_to_keep=1)
        self.step = gan.optimizer.iterations

    @property
    def latest(self):
        """The newest checkpoint in `directory` (None before the first save)."""
        return tf.train.latest_checkpoint(self.directory)

    def restore_latest(self):
        """Restores the newest checkpoint, if any; returns its path (or None)."""
        latest = self.latest
        if latest:
            # Runs of earlier versions also saved a seed state, which the GAN no longer needs.
            self.checkpoint.restore(latest).expect_partial().assert_existing_objects_matched()
        return latest

    def save(self):
        """Saves a checkpoint numbered by the training step, unless one exists for it; InputError
        naming the folder and the last good checkpoint (kept) when it cannot be written."""
        step = int(self.step.numpy())
        if self.manager.latest_checkpoint != self._path(step):
            try:
                self.manager.save(checkpoint_number=step)
            except (OSError, tf.errors.OpError) as error:  # a full disk, a folder gone
                reason = getattr(error, "strerror", None) or getattr(error, "message", str(error))
                kept = self.manager.latest_checkpoint or "none yet"
                raise InputError(
                    f"{self.manager.directory}: cannot write checkpoint ckpt-{step} "
                    f"({reason.strip().splitlines()[0]}); the last good one is kept: {kept}"
                ) from None

    def _path(self, step):
        return os.path.join(self.manager.directory, f"ckpt-{step}")


def resolve(path):
    """(checkpoint prefix, directory holding config.json) for a run or checkpoint path.

    Accepts a training output directory, its `checkpoints/` directory, or one
    checkpoint prefix such as `D/checkpoints/ckpt-400`.
    """
    if os.path.isdir(checkpoint_dir(path)):
        path = checkpoint_dir(path)
    if os.path.isdir(path):
        prefix = tf.train.latest_checkpoint(path)
        if prefix is None:
            raise InputError(f"--checkpoint={path}: no checkpoint found in this directory")
        return prefix, path
    if tf.io.gfile.exists(path + ".index"):
        return path, os.path.dirname(path)
    raise InputError(
        f"--checkpoint={path}: not a training output directory, checkpoint directory "
        "or checkpoint prefix (e.g. runs/quickstart/checkpoints/ckpt-400)"
    )


def load_generator(path, batchnorm_statistics=None):
    """Rebuilds a trained generator from a checkpoint path (see `resolve`): (generator, config),
    with `batchnorm_statistics` when given (`ModelConfig.for_inference`)."""
    prefix, directory = resolve(path)
    config_path = os.path.join(directory, CONFIG_NAME)
    if not os.path.exists(config_path):
        raise InputError(f"--checkpoint={path}: {config_path} is missing")
    config = ModelConfig.load(config_path).for_inference(batchnorm_statistics)
    generator = build_generator(config)
    tf.train.Checkpoint(generator=generator).restore(
        prefix
    ).expect_partial().assert_existing_objects_matched()
    return generator, config
