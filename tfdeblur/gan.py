"""`GAN`: the trainer that holds a generator and a discriminator.

A `keras.Model` whose `train_step` takes one discriminator step and then one
generator step per batch (as Pix2Pix and DeblurGAN do), so `fit()` brings the
progress bar, callbacks and distribution for free. Its `call` is the
generator's forward pass (a Keras model must have one to be fit).
"""

import keras
import tensorflow as tf

from tfdeblur.losses import adversarial_loss, l1_loss


class GAN(keras.Model):
    """Trains `generator` (blurred -> restored) against `discriminator`.

    Generator loss: `adversarial + l1_weight * L1(restored, sharp)`.
    A conditional discriminator sees `blurred ++ image` (Pix2Pix); an
    unconditional one sees the image alone (DeblurGAN).
    """

    def __init__(
        self, generator, discriminator, adversarial="gan", l1_weight=100.0, conditional=True, **kwargs
    ):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.adversarial = adversarial_loss(adversarial)
        self.l1_weight = l1_weight
        self.conditional = conditional
        self.trackers = [
            keras.metrics.Mean(name=name) for name in ("d_loss", "g_loss", "g_adversarial", "g_l1")
        ]

    def compile(self, generator_optimizer, discriminator_optimizer, **kwargs):
        """`generator_optimizer` becomes `self.optimizer`: its `iterations` count training steps."""
        super().compile(optimizer=generator_optimizer, **kwargs)
        self.discriminator_optimizer = discriminator_optimizer

    def build_optimizers(self):
        """Creates both optimizers' slots now, so a checkpoint can restore into them."""
        self.optimizer.build(self.generator.trainable_variables)
        self.discriminator_optimizer.build(self.discriminator.trainable_variables)

    @property
    def metrics(self):
        return self.trackers

    def call(self, blurred, training=False):
        return self.generator(blurred, training=training)

    def _score(self, blurred, image):
        critic_input = tf.concat([blurred, image], axis=-1) if self.conditional else image
        return self.discriminator(critic_input, training=True)

    def train_step(self, data):
        blurred, sharp, _ = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as generator_tape:
            restored = self.generator(blurred, training=True)
            with generator_tape.stop_recording():
                d_loss = self._discriminator_step(blurred, sharp, tf.stop_gradient(restored))
            g_adversarial = self.adversarial.generator_loss(self._score(blurred, restored))
            g_l1 = l1_loss(restored, sharp)
            g_loss = g_adversarial + self.l1_weight * g_l1
        variables = self.generator.trainable_variables
        self.optimizer.apply(generator_tape.gradient(g_loss, variables), variables)
        for tracker, value in zip(self.trackers, (d_loss, g_loss, g_adversarial, g_l1)):
            tracker.update_state(value)
        return {tracker.name: tracker.result() for tracker in self.trackers}

    def _discriminator_step(self, blurred, sharp, restored):
        with tf.GradientTape() as tape:
            d_loss = self.adversarial.discriminator_loss(
                self._score(blurred, sharp), self._score(blurred, restored)
            )
        variables = self.discriminator.trainable_variables
        self.discriminator_optimizer.apply(tape.gradient(d_loss, variables), variables)
        return d_loss
