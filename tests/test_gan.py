import dataclasses
import inspect

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdeblur.models import ModelConfig, build_discriminator, build_generator
from tfdeblur.training.distribute import BatchShare
from tfdeblur.training.gan import GAN
from tfdeblur.training.losses import l1_loss

TINY_RESNET = ModelConfig(
    generator="resnet",
    generator_filters=8,
    generator_blocks=1,
    generator_norm="instance",
    dropout=0.0,
    conditional=False,
)


def _gan(config, learning_rate=2e-4):
    keras.utils.set_random_seed(0)
    gan = GAN(build_generator(config), build_discriminator(config))
    gan.compile(
        keras.optimizers.Adam(learning_rate, beta_1=0.5), keras.optimizers.Adam(learning_rate, beta_1=0.5)
    )
    return gan


def _fixed_batch():
    sharp = tf.random.stateless_uniform([2, 64, 64, 3], (1, 2), -1.0, 1.0)
    blurred = tf.nn.avg_pool2d(sharp, 3, 1, "SAME")
    return blurred, sharp


def test_train_steps_lower_the_l1_loss(tiny_config):
    gan = _gan(dataclasses.replace(tiny_config, dropout=0.0), learning_rate=2e-3)
    blurred, sharp = _fixed_batch()

    def l1():  # training=True: batch statistics, as in the step itself
        return float(np.mean(l1_loss(gan.generator(blurred, training=True), sharp)))

    before = l1()
    for _ in range(15):
        logs = gan.train_on_batch(blurred, sharp, return_dict=True)
    assert l1() < 0.95 * before
    assert set(logs) == {"d_loss", "g_loss", "g_adversarial", "g_l1"}
    assert all(np.isfinite(value) for value in logs.values())


def test_each_step_updates_discriminator_then_generator(tiny_config):
    gan = _gan(tiny_config)
    blurred, sharp = _fixed_batch()
    g_before = [w.numpy().copy() for w in gan.generator.trainable_weights]
    d_before = [w.numpy().copy() for w in gan.discriminator.trainable_weights]
    gan.train_on_batch(blurred, sharp)
    assert int(gan.optimizer.iterations) == 1
    assert int(gan.discriminator_optimizer.iterations) == 1
    for before, weight in zip(
        g_before + d_before, gan.generator.trainable_weights + gan.discriminator.trainable_weights
    ):
        assert not np.array_equal(before, weight.numpy()), weight.path


def test_call_is_the_generator(tiny_config):
    gan = _gan(tiny_config)
    blurred, _ = _fixed_batch()
    np.testing.assert_array_equal(gan(blurred), gan.generator(blurred, training=False))


def test_gradient_penalty_points_come_from_the_seed_and_the_training_step(tiny_config):
    # One weight per image of the global batch, drawn from (seed, training step, critic step):
    # whatever global seed was set, and the same points for any split of the batch.
    def gan(seed, global_seed):
        keras.utils.set_random_seed(global_seed)
        made = GAN(build_generator(tiny_config), build_discriminator(tiny_config), seed=seed)
        made.compile(keras.optimizers.Adam(), keras.optimizers.Adam())
        return made

    def draw(made, size, offset, total, critic_step=0):
        return made.interpolation_weights(BatchShare(size, offset, total), critic_step)[:, 0, 0, 0].numpy()

    first = gan(seed=7, global_seed=0)
    weights = draw(first, 4, 0, 4)
    assert weights.shape == (4,) and np.all((weights >= 0) & (weights < 1))
    np.testing.assert_array_equal(draw(gan(seed=7, global_seed=1), 4, 0, 4), weights)
    np.testing.assert_array_equal(np.concatenate([draw(first, 3, 0, 4), draw(first, 1, 3, 4)]), weights)
    assert not np.array_equal(draw(first, 4, 0, 4, critic_step=1), weights)
    assert not np.array_equal(draw(gan(seed=8, global_seed=0), 4, 0, 4), weights)
    first.optimizer.iterations.assign(1)
    assert not np.array_equal(draw(first, 4, 0, 4), weights)


@pytest.mark.parametrize("adversarial", ["lsgan", "wgan-gp"])
def test_a_gan_step_compiles_under_xla_as_it_runs_without(adversarial):
    # Every row compiles under XLA: per-image losses, the global batch's share and the penalty's
    # points drawn from the training step keep static shapes on one device. XLA draws other
    # (equally uniform) numbers from the penalty's seed, so WGAN-GP's critic loss differs there.
    config = dataclasses.replace(
        TINY_RESNET, discriminator_layers=1, discriminator_filters=8, discriminator_norm="instance"
    )

    def step(jit_compile):
        keras.utils.set_random_seed(0)
        critic = build_discriminator(config, score_bias=adversarial != "wgan-gp")
        gan = GAN(build_generator(config), critic, adversarial, conditional=False, seed=1)
        gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3), jit_compile=jit_compile)
        dataset = tf.data.Dataset.from_tensors(_fixed_batch()).repeat()
        history = gan.fit(dataset, steps_per_epoch=1, epochs=1, verbose=0).history
        return {name: values[0] for name, values in history.items()}

    compiled, plain = step(jit_compile=True), step(jit_compile=False)
    assert all(np.isfinite(value) for value in compiled.values()), compiled
    if adversarial == "wgan-gp":
        compiled, plain = compiled["g_l1"], plain["g_l1"]  # before any random draw
    assert compiled == pytest.approx(plain, rel=1e-4)


def test_the_keras_hook_the_gan_overrides_still_exists():
    # GAN._maybe_symbolic_build replaces a private hook of Keras' fit(), which reduces a distributed
    # batch (failing for multi-worker runs and uneven splits); setup.py caps Keras at the newest
    # version this passed on. A renamed hook would silently bring the failure back.
    hook = inspect.signature(keras.Model._maybe_symbolic_build)
    assert list(hook.parameters) == ["self", "iterator", "data_batch"]
    assert list(inspect.signature(GAN._maybe_symbolic_build).parameters) == list(hook.parameters)
