import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdeblur.checkpoints import TrainingCheckpoint, load_generator, write_or_check_config
from tfdeblur.errors import InputError
from tfdeblur.gan import GAN
from tfdeblur.models import build_discriminator, build_generator


def test_generator_round_trips_through_keras_file(tiny_config, tmp_path):
    generator = build_generator(tiny_config)
    images = tf.random.uniform([1, 67, 45, 3], -1.0, 1.0, seed=0)
    path = str(tmp_path / "generator.keras")
    generator.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_array_equal(generator(images), reloaded(images))


def test_training_checkpoint_restores_the_generator(tiny_config, tmp_path):
    directory = str(tmp_path / "checkpoints")
    write_or_check_config(directory, tiny_config)
    gan = GAN(build_generator(tiny_config), build_discriminator(tiny_config))
    gan.compile(keras.optimizers.Adam(), keras.optimizers.Adam())
    blurred = tf.random.uniform([2, 64, 64, 3], -1.0, 1.0, seed=0)
    gan.train_on_batch(blurred, blurred)  # move BatchNorm statistics away from init
    TrainingCheckpoint(gan, directory).save()

    for path in (str(tmp_path), directory, os.path.join(directory, "ckpt-1")):
        reloaded, _ = load_generator(path)
        np.testing.assert_array_equal(gan.generator(blurred), reloaded(blurred))


def test_resume_restores_step_and_optimizer_state(tiny_config, tmp_path):
    def make():
        gan = GAN(build_generator(tiny_config), build_discriminator(tiny_config))
        gan.compile(keras.optimizers.Adam(), keras.optimizers.Adam())
        return gan, TrainingCheckpoint(gan, str(tmp_path))

    gan, checkpoint = make()
    blurred = tf.random.uniform([1, 64, 64, 3], -1.0, 1.0, seed=0)
    for _ in range(3):
        gan.train_on_batch(blurred, blurred)
    checkpoint.save()

    resumed, checkpoint = make()
    assert checkpoint.restore_latest().endswith("ckpt-3")
    assert int(resumed.optimizer.iterations) == 3
    for a, b in zip(gan.optimizer.variables, resumed.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_changed_model_flags_are_refused_on_resume(tiny_config, tmp_path):
    write_or_check_config(str(tmp_path), tiny_config)
    write_or_check_config(str(tmp_path), tiny_config)  # same flags: fine
    with pytest.raises(InputError, match=r"--generator_filters=8 \(checkpoint has 4\)"):
        write_or_check_config(
            str(tmp_path), tiny_config.__class__(**{**vars(tiny_config), "generator_filters": 8})
        )


def test_missing_checkpoint_is_named(tmp_path):
    with pytest.raises(InputError, match=f"--checkpoint={tmp_path}/nothing"):
        load_generator(str(tmp_path / "nothing"))
