"""Trains one GAN on one CPU and on two logical CPUs (MirroredStrategy), same global batch.

Run as `python -m tests.mirrored_losses ADVERSARIAL_LOSS`: logical devices must be
configured before TensorFlow starts, so this runs in its own process. Prints a
JSON object {"one_device": [logs per step], "mirrored": [...], "weights": max
absolute difference of the generators' weights after the steps}.
"""

import json
import sys

import tensorflow as tf

tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0],
    [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()],
)

import keras  # noqa: E402 (after the device configuration)
import numpy as np  # noqa: E402

from tfdeblur.models import ModelConfig, build_discriminator, build_generator  # noqa: E402
from tfdeblur.training.gan import GAN  # noqa: E402

STEPS = 3
GLOBAL_BATCH = 4


class FixedPointsGAN(GAN):
    """A GAN whose gradient penalty points depend on each sample's values only.

    Random interpolation weights differ between one device and two replicas (each
    replica draws for its own half of the batch); these are the same in both runs.
    """

    def interpolation_weights(self, real, fake):
        return tf.sigmoid(tf.reduce_mean(real - fake, axis=[1, 2, 3], keepdims=True) * 100.0)


def train(strategy, adversarial):
    # Batch norm in G (synchronized across replicas); D as the loss requires.
    config = ModelConfig(
        generator_depth=3,
        generator_filters=8,
        generator_max_filters=16,
        dropout=0.0,
        discriminator_layers=2,
        discriminator_filters=8,
        discriminator_norm="instance" if adversarial == "wgan-gp" else "batch",
    )
    keras.utils.set_random_seed(0)
    with strategy.scope():
        gan = FixedPointsGAN(
            build_generator(config),
            build_discriminator(config, score_bias=adversarial != "wgan-gp"),
            adversarial=adversarial,
            critic_steps=2 if adversarial == "wgan-gp" else 1,
        )
        gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
        gan.build_optimizers()
    sharp = tf.random.stateless_uniform([STEPS * GLOBAL_BATCH, 32, 32, 3], (0, 1), -1.0, 1.0)
    blurred = tf.nn.avg_pool2d(sharp, 3, 1, "SAME")
    dataset = tf.data.Dataset.from_tensor_slices((blurred, sharp)).batch(GLOBAL_BATCH)
    logs = []
    for batch in dataset:  # train_on_batch resets the running means: one step's losses each
        step_logs = gan.train_on_batch(*batch, return_dict=True)
        logs.append({name: float(value) for name, value in step_logs.items()})
    return logs, [weight.numpy() for weight in gan.generator.weights]


def main(adversarial):
    devices = [device.name for device in tf.config.list_logical_devices("CPU")]
    assert len(devices) == 2, devices
    one_logs, one_weights = train(tf.distribute.OneDeviceStrategy(devices[0]), adversarial)
    mirrored_logs, mirrored_weights = train(tf.distribute.MirroredStrategy(devices), adversarial)
    difference = max(float(np.abs(a - b).max()) for a, b in zip(one_weights, mirrored_weights))
    print(json.dumps({"one_device": one_logs, "mirrored": mirrored_logs, "weights": difference}))


if __name__ == "__main__":
    main(sys.argv[1])
