"""Trains one GAN on one CPU and on N logical CPUs (MirroredStrategy), same global batches.

Run as `python -m tests.mirrored_losses DEVICES ADVERSARIAL_LOSS`: logical devices must be
configured before TensorFlow starts, so this runs in its own process. For each global
batch of 1, 2 and 3 images it prints a JSON line: {"batch": B, "refused": message} where
`check_batch_size` refuses the split, else {"batch": B, "one_device": [logs per step],
"mirrored": [...], "gradients": the largest difference between the two runs' updates of
every weight after one plain gradient step (lr 1), over the largest update}.
"""

import json
import sys

import tensorflow as tf

DEVICES = int(sys.argv[1])
tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0], [tf.config.LogicalDeviceConfiguration()] * DEVICES
)

import keras  # noqa: E402 (after the device configuration)
import numpy as np  # noqa: E402

from tfdeblur.errors import InputError  # noqa: E402
from tfdeblur.models import ModelConfig, build_discriminator, build_generator  # noqa: E402
from tfdeblur.training import distribute  # noqa: E402
from tfdeblur.training.gan import GAN  # noqa: E402

STEPS = 3


def train(strategy, adversarial, batch_size, optimizer, steps=STEPS, critic_steps=None):
    """(logs of each step, trainable weights before, after) of `steps` steps at `batch_size`, with
    `critic_steps` (default: 2 for WGAN-GP, else 1)."""
    # Batch norm in G (synchronized across replicas); D as the loss requires. No dropout: its masks
    # are drawn per replica.
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
        gan = GAN(
            build_generator(config),
            build_discriminator(config, score_bias=adversarial != "wgan-gp"),
            adversarial=adversarial,
            critic_steps=critic_steps or (2 if adversarial == "wgan-gp" else 1),
            seed=5,
        )
        gan.compile(optimizer(), optimizer())
        gan.build_optimizers()
    before = [weight.numpy() for weight in gan.trainable_weights]
    sharp = tf.random.stateless_uniform([steps * batch_size, 32, 32, 3], (0, 1), -1.0, 1.0)
    blurred = tf.nn.avg_pool2d(sharp, 3, 1, "SAME")
    dataset = tf.data.Dataset.from_tensor_slices((blurred, sharp)).batch(batch_size)
    # fit() splits each global batch across the replicas (train_on_batch would give each the whole
    # batch); an epoch a step, so each epoch's logs are one step's losses.
    history = gan.fit(dataset, epochs=steps, steps_per_epoch=1, shuffle=False, verbose=0)
    logs = [dict(zip(history.history, values)) for values in zip(*history.history.values())]
    return logs, before, [weight.numpy() for weight in gan.trainable_weights]


def gradient_difference(one, mirrored, adversarial, batch_size):
    """max |update_mirrored - update_one| / max |update_one| over every weight, after one plain
    gradient step of learning rate 1 (the update is minus the gradient) and one critic step (a
    second would start from the first's large step, where float32 rounding grows)."""
    updates = []
    sgd = lambda: keras.optimizers.SGD(1.0)  # noqa: E731
    for strategy in (one, mirrored):
        _, before, after = train(strategy, adversarial, batch_size, sgd, steps=1, critic_steps=1)
        updates.append([new - old for old, new in zip(before, after)])
    largest = max(float(np.abs(update).max()) for update in updates[0])
    return max(float(np.abs(a - b).max()) for a, b in zip(*updates)) / largest


def main(adversarial):
    devices = [device.name for device in tf.config.list_logical_devices("CPU")]
    assert len(devices) == DEVICES, devices
    one = tf.distribute.OneDeviceStrategy(devices[0])
    mirrored = tf.distribute.MirroredStrategy(devices)
    for batch_size in (1, 2, 3):
        try:
            distribute.check_batch_size(mirrored, batch_size)
        except InputError as error:
            print(json.dumps({"batch": batch_size, "refused": str(error)}), flush=True)
            continue
        adam = lambda: keras.optimizers.Adam(1e-3)  # noqa: E731
        result = {
            "batch": batch_size,
            "one_device": train(one, adversarial, batch_size, adam)[0],
            "mirrored": train(mirrored, adversarial, batch_size, adam)[0],
            "gradients": gradient_difference(one, mirrored, adversarial, batch_size),
        }
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[2])
