"""`GAN`: the trainer that holds a generator and a discriminator.

A `keras.Model` whose `train_step` takes `critic_steps` discriminator steps and
then one generator step per batch (Pix2Pix: 1; DeblurGAN's WGAN-GP: 5, on the
same batch), so `fit()` brings the progress bar, callbacks and distribution for
free. Its `call` is the generator's forward pass (a Keras model must have one
to be fit).

Distribution: every loss is one value per image; a replica differentiates the sum
over its share of the global batch divided by the global batch's size, and the
optimizers sum the replicas' gradients: the gradient of the global batch's mean
however the batch is split (`tf.nn.compute_average_loss` semantics; `[2, 1]` for a
batch of 3 on 2 replicas). The gradient penalty's random points are drawn for the
whole global batch and sliced, so R replicas compute exactly what one device does
(docs/scale-out.md). Mixed float16: losses are multiplied by the optimizers' loss
scale (`scale_loss`), which `LossScaleOptimizer.apply` undoes.
"""

import random

import keras
import tensorflow as tf

from tfdeblur.training.distribute import batch_share
from tfdeblur.training.losses import adversarial_loss, gradient_penalty, l1_loss


class GAN(keras.Model):
    """Trains `generator` (blurred -> restored) against `discriminator`.

    Generator loss: `adversarial + sum_k weight_k * content_k(restored, sharp)`,
    with `content_losses` a dict {name: (weight, loss_fn)} (default: L1 x 100).
    A conditional discriminator sees `blurred ++ image` (Pix2Pix); an
    unconditional one sees the image alone (DeblurGAN). `seed` seeds the
    gradient penalty's interpolation weights (`interpolation_weights`; None: a
    random seed, from Python's generator that `keras.utils.set_random_seed` seeds).
    """

    def __init__(
        self,
        generator,
        discriminator,
        adversarial="gan",
        content_losses=None,
        conditional=True,
        critic_steps=1,
        gradient_penalty_weight=10.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.adversarial = adversarial_loss(adversarial)
        self.content_losses = {"l1": (100.0, l1_loss)} if content_losses is None else content_losses
        self.conditional = conditional
        self.critic_steps = critic_steps
        self.gradient_penalty_weight = gradient_penalty_weight
        self.seed = random.randrange(2**31) if seed is None else seed
        names = ["d_loss", "g_loss", "g_adversarial", *(f"g_{name}" for name in self.content_losses)]
        self.trackers = [keras.metrics.Mean(name=name) for name in names]

    def compile(self, generator_optimizer, discriminator_optimizer, **kwargs):
        """`generator_optimizer` becomes `self.optimizer`: its `iterations` count training steps."""
        super().compile(optimizer=generator_optimizer, **kwargs)
        self.discriminator_optimizer = discriminator_optimizer

    def build_optimizers(self):
        """Creates both optimizers' slots now, so a checkpoint can restore into them."""
        self.optimizer.build(self.generator.trainable_variables)
        self.discriminator_optimizer.build(self.discriminator.trainable_variables)

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Keras builds a model at the start of fit() by reducing one distributed batch, which
        # fails under MultiWorkerMirroredStrategy (Keras 3.15, tensorflow#72388) and for a batch
        # split unevenly ([2, 1]: shapes differ); the GAN needs no such build once its networks
        # and optimizers exist (`build_optimizers`). A private hook: setup.py caps Keras.
        if not (self.optimizer.built and self.discriminator_optimizer.built):
            super()._maybe_symbolic_build(iterator, data_batch)

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
        share = batch_share(blurred.shape[0] or tf.shape(blurred)[0])
        with tf.GradientTape() as generator_tape:
            restored = self.generator(blurred, training=True)
            with generator_tape.stop_recording():
                fake = tf.stop_gradient(restored)
                for critic_step in range(self.critic_steps):
                    d_loss = self._discriminator_step(blurred, sharp, fake, share, critic_step)
            g_adversarial = self.adversarial.generator_loss(self._score(blurred, restored))
            content = {name: loss(restored, sharp) for name, (_, loss) in self.content_losses.items()}
            g_loss = g_adversarial + sum(
                weight * content[name] for name, (weight, _) in self.content_losses.items()
            )
            scaled_g_loss = self._scaled(self.optimizer, g_loss, share)
        variables = self.generator.trainable_variables
        self.optimizer.apply(generator_tape.gradient(scaled_g_loss, variables), variables)
        # Per-image values: each tracker's mean is over the global batch's images.
        for tracker, value in zip(self.trackers, (d_loss, g_loss, g_adversarial, *content.values())):
            tracker.update_state(value)
        logs = {tracker.name: tracker.result() for tracker in self.trackers}
        if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
            # Keras 3 reduces multi-worker logs along an axis 0 that scalars lack (tensorflow#72388).
            logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
        return logs

    def _discriminator_step(self, blurred, sharp, restored, share, critic_step):
        with tf.GradientTape() as tape:
            d_loss = self.adversarial.discriminator_loss(
                self._score(blurred, sharp), self._score(blurred, restored)
            )
            if self.adversarial.gradient_penalty:
                d_loss += self.gradient_penalty_weight * gradient_penalty(
                    lambda images: self._score(blurred, images),
                    sharp,
                    restored,
                    tf.cast(self.interpolation_weights(share, critic_step), sharp.dtype),
                )
            scaled_d_loss = self._scaled(self.discriminator_optimizer, d_loss, share)
        variables = self.discriminator.trainable_variables
        self.discriminator_optimizer.apply(tape.gradient(scaled_d_loss, variables), variables)
        return d_loss

    def interpolation_weights(self, share, critic_step=0):
        """[n, 1, 1, 1] weights of the gradient penalty's points `w real + (1 - w) fake` for the n images
        of this replica's `share` (`batch_share`): uniform in [0, 1), one per image (WGAN-GP, Gulrajani
        et al. 2017, Alg. 1). Drawn for the whole global batch from (seed, training step, critic
        step) and sliced: the same points however the batch is split, and after a resume (under XLA,
        `--jit_compile`, TensorFlow's Philox draws other, equally uniform, numbers from that seed)."""
        seed = tf.constant([self.seed, 0], tf.int64)
        for data in (self.optimizer.iterations, critic_step):
            seed = tf.random.experimental.stateless_fold_in(seed, tf.cast(data, tf.int64))
        weights = tf.random.stateless_uniform([share.total, 1, 1, 1], seed)
        return tf.slice(weights, [share.offset, 0, 0, 0], [share.size, 1, 1, 1])

    @staticmethod
    def _scaled(optimizer, losses, share):
        """What a replica differentiates: the sum of its per-image `losses` over the global batch's
        size, times the loss scale (see above)."""
        total = tf.cast(share.total, tf.float32)
        return optimizer.scale_loss(tf.reduce_sum(tf.cast(losses, tf.float32)) / total)
