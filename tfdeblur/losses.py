"""Losses of the paper (design.md §1-2): adversarial losses on logits, content losses.

Every loss is a mean over its elements, so loss weights (e.g. L1 x 100 in
Pix2Pix) mean what the papers say.
"""

import tensorflow as tf


class GANLoss:
    """Non-saturating GAN loss (Goodfellow et al. 2014): binary cross-entropy on logits.

    The discriminator loss is halved, as in Pix2Pix, to slow D relative to G.
    """

    def discriminator_loss(self, real_logits, fake_logits):
        real = tf.nn.sigmoid_cross_entropy_with_logits(tf.ones_like(real_logits), real_logits)
        fake = tf.nn.sigmoid_cross_entropy_with_logits(tf.zeros_like(fake_logits), fake_logits)
        return 0.5 * (tf.reduce_mean(real) + tf.reduce_mean(fake))

    def generator_loss(self, fake_logits):
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(tf.ones_like(fake_logits), fake_logits))


class LSGANLoss:
    """Least-squares GAN loss (Mao et al. 2017) on raw scores."""

    def discriminator_loss(self, real_logits, fake_logits):
        return 0.5 * (tf.reduce_mean((real_logits - 1.0) ** 2) + tf.reduce_mean(fake_logits**2))

    def generator_loss(self, fake_logits):
        return tf.reduce_mean((fake_logits - 1.0) ** 2)


ADVERSARIAL_LOSSES = {"gan": GANLoss, "lsgan": LSGANLoss}


def adversarial_loss(name):
    """The adversarial loss called `name` ("gan" or "lsgan")."""
    if name not in ADVERSARIAL_LOSSES:
        raise ValueError(f"Unknown adversarial loss {name!r}: expected one of {sorted(ADVERSARIAL_LOSSES)}")
    return ADVERSARIAL_LOSSES[name]()


def l1_loss(restored, sharp):
    """`mean |R - S|` over every element."""
    return tf.reduce_mean(tf.abs(restored - sharp))
