import dataclasses
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdeblur.checkpoints.runs import TrainingCheckpoint, load_generator, write_or_check_configs
from tfdeblur.config import TrainConfig
from tfdeblur.errors import InputError
from tfdeblur.models import ModelConfig, build_discriminator, build_generator
from tfdeblur.training import experiment
from tfdeblur.training.gan import GAN
from tfdeblur.training.loop import initialise_generator


def test_generator_round_trips_through_keras_file(tiny_config, tmp_path):
    generator = build_generator(tiny_config)
    images = tf.random.uniform([1, 67, 45, 3], -1.0, 1.0, seed=0)
    path = str(tmp_path / "generator.keras")
    generator.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_array_equal(generator(images), reloaded(images))


def test_training_checkpoint_restores_the_generator(tiny_config, tmp_path):
    directory = str(tmp_path / "checkpoints")
    write_or_check_configs(directory, tiny_config, TrainConfig())
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
    write_or_check_configs(str(tmp_path), tiny_config, TrainConfig())
    write_or_check_configs(str(tmp_path), tiny_config, TrainConfig())  # same flags: fine
    with pytest.raises(InputError, match=r"--generator_filters=8 \(checkpoint has 4\)"):
        wider = tiny_config.__class__(**{**vars(tiny_config), "generator_filters": 8})
        write_or_check_configs(str(tmp_path), wider, TrainConfig())


def test_changed_training_settings_are_refused_on_resume_naming_each(tiny_config, tmp_path):
    write_or_check_configs(str(tmp_path), tiny_config, TrainConfig())
    changed = TrainConfig(learning_rate=1e-3, l1_weight=10.0, train_steps=5)
    with pytest.raises(InputError) as refused:
        write_or_check_configs(str(tmp_path), tiny_config, changed)
    message = str(refused.value)
    assert "train_config.json" in message
    assert "--learning_rate=0.001 (the run has 0.0002)" in message
    assert "--l1_weight=10.0 (the run has 100.0)" in message
    assert "train_steps=5" not in message  # resumable: not among the refused
    assert TrainConfig.load(str(tmp_path / "train_config.json")) == TrainConfig()  # left as it was


def test_resumable_settings_change_and_are_saved(tiny_config, tmp_path):
    write_or_check_configs(str(tmp_path), tiny_config, TrainConfig(train_steps=4))
    longer = TrainConfig(train_steps=8, steps_per_epoch=2, strategy="one_device")
    changes = write_or_check_configs(str(tmp_path), tiny_config, longer)
    assert changes == {
        "train_steps": (4, 8),
        "steps_per_epoch": (1000, 2),
        "strategy": ("auto", "one_device"),
    }
    assert TrainConfig.load(str(tmp_path / "train_config.json")) == longer


def test_training_further_follows_the_schedule_of_the_new_total():
    # 4 steps, decay over the second half: the rate reaches 0 at step 4. Resumed with
    # --train_steps=8, the run continues as if planned for 8 steps: constant until step 4,
    # then decaying to 0 at step 8.
    planned = experiment.learning_rate(TrainConfig(train_steps=4, decay_start=0.5, learning_rate=1e-3))
    further = experiment.learning_rate(TrainConfig(train_steps=8, decay_start=0.5, learning_rate=1e-3))
    assert [float(planned(step)) for step in (0, 2, 3, 4)] == pytest.approx([1e-3, 1e-3, 5e-4, 0.0])
    assert [float(further(step)) for step in (4, 6, 8)] == pytest.approx([1e-3, 5e-4, 0.0])


def test_unknown_settings_in_a_config_file_are_one_line_errors(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"generator": "unet", "warp_factor": 9}')
    with pytest.raises(InputError, match=r"config.json: unknown ModelConfig settings \['warp_factor'\]"):
        ModelConfig.load(str(path))
    path.write_text("{not json")
    with pytest.raises(InputError, match=r"config\.json: cannot read ModelConfig"):
        ModelConfig.load(str(path))


def test_missing_checkpoint_is_named(tmp_path):
    with pytest.raises(InputError, match=f"--checkpoint={tmp_path}/nothing"):
        load_generator(str(tmp_path / "nothing"))


def test_runs_saved_with_a_penalty_seed_state_still_resume(tiny_config, tmp_path):
    def make():
        gan = GAN(build_generator(tiny_config), build_discriminator(tiny_config), seed=3)
        gan.compile(keras.optimizers.Adam(), keras.optimizers.Adam())
        return gan, TrainingCheckpoint(gan, str(tmp_path))

    gan, checkpoint = make()
    gan.train_on_batch(*[tf.random.uniform([1, 32, 32, 3], -1.0, 1.0, seed=1)] * 2)
    # What a run of an earlier version saved: networks, optimizers and a seed generator's state.
    earlier = tf.train.Checkpoint(
        generator=gan.generator,
        discriminator=gan.discriminator,
        generator_optimizer=gan.optimizer,
        discriminator_optimizer=gan.discriminator_optimizer,
        gradient_penalty_seed=tf.Variable([3, 0], dtype=tf.int64),
    )
    tf.train.CheckpointManager(earlier, str(tmp_path), 3).save(checkpoint_number=1)
    resumed, checkpoint = make()
    assert checkpoint.restore_latest().endswith("ckpt-1")
    for a, b in zip(gan.generator.weights, resumed.generator.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_init_from_copies_a_runs_generator_and_names_another_architecture(trained_run):
    trained, config = load_generator(trained_run)
    keras.utils.set_random_seed(1)
    fresh = build_generator(config)
    initialise_generator(fresh, config, trained_run)
    for expected, copied in zip(trained.weights, fresh.weights, strict=True):
        np.testing.assert_array_equal(copied.numpy(), expected.numpy())
    # Discriminator settings may differ (only G is copied); the generator's may not.
    initialise_generator(fresh, dataclasses.replace(config, discriminator_filters=7), trained_run)
    wider = dataclasses.replace(config, generator_filters=config.generator_filters * 2)
    message = rf"--init_from={trained_run}: another architecture: --generator_filters=8 \(it has 4\)"
    with pytest.raises(InputError, match=message):
        initialise_generator(build_generator(wider), wider, trained_run)
