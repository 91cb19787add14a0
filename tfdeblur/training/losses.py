"""Losses of the paper (docs/paper-notes.md, "Equations"): adversarial losses on raw scores, content losses.

Every loss returns one value per image ([N]): the mean over that image's elements
(pixels, patch scores or features), so loss weights (L1 x 100 in Pix2Pix, perceptual
x 100 in DeblurGAN) mean what the papers say. The trainer averages them over the
global batch, however it is split across replicas (`GAN`, docs/scale-out.md).
"""

import keras
import tensorflow as tf

from tfdeblur.errors import InputError


def per_image_mean(values):
    """The mean of [N, ...] `values` over all but the first axis: [N]."""
    return tf.reduce_mean(tf.reshape(values, [tf.shape(values)[0], -1]), axis=1)


class GANLoss:
    """Non-saturating GAN loss (Goodfellow et al. 2014): binary cross-entropy on logits.

    The discriminator loss is halved, as in Pix2Pix, to slow D relative to G.
    """

    gradient_penalty = False

    def discriminator_loss(self, real_logits, fake_logits):
        real = tf.nn.sigmoid_cross_entropy_with_logits(tf.ones_like(real_logits), real_logits)
        fake = tf.nn.sigmoid_cross_entropy_with_logits(tf.zeros_like(fake_logits), fake_logits)
        return 0.5 * (per_image_mean(real) + per_image_mean(fake))

    def generator_loss(self, fake_logits):
        return per_image_mean(tf.nn.sigmoid_cross_entropy_with_logits(tf.ones_like(fake_logits), fake_logits))


class LSGANLoss:
    """Least-squares GAN loss (Mao et al. 2017) on raw scores."""

    gradient_penalty = False

    def discriminator_loss(self, real_logits, fake_logits):
        return 0.5 * (per_image_mean((real_logits - 1.0) ** 2) + per_image_mean(fake_logits**2))

    def generator_loss(self, fake_logits):
        return per_image_mean((fake_logits - 1.0) ** 2)


class WGANGPLoss:
    """Wasserstein loss (Arjovsky et al. 2017) of a critic with raw scores.

    The critic also pays `gradient_penalty_weight * gradient_penalty(...)`
    (Gulrajani et al. 2017), added by the trainer, which owns the critic.
    """

    gradient_penalty = True

    def discriminator_loss(self, real_scores, fake_scores):
        return per_image_mean(fake_scores) - per_image_mean(real_scores)

    def generator_loss(self, fake_scores):
        return -per_image_mean(fake_scores)


ADVERSARIAL_LOSSES = {"gan": GANLoss, "lsgan": LSGANLoss, "wgan-gp": WGANGPLoss}


def adversarial_loss(name):
    """The adversarial loss called `name` ("gan", "lsgan" or "wgan-gp")."""
    if name not in ADVERSARIAL_LOSSES:
        raise ValueError(f"Unknown adversarial loss {name!r}: expected one of {sorted(ADVERSARIAL_LOSSES)}")
    return ADVERSARIAL_LOSSES[name]()


def gradient_penalty(critic, real, fake, weight):
    """`(||grad_x critic(x_n)||_2 - 1)^2` per image n, at the points `weight real + (1 - weight) fake`.

    One interpolation weight per sample (`weight` [N, 1, 1, 1], drawn by the
    caller: `GAN.interpolation_weights`); the norm is the L2 norm over all of H x W x C (the
    paper's code took an RMS instead: defect 4 in docs/paper-notes.md). `critic` maps a
    batch of images to scores.
    """
    batch = tf.shape(real)[0]
    between = weight * real + (1.0 - weight) * fake
    with tf.GradientTape() as tape:
        tape.watch(between)
        scores = critic(between)
    gradients = tape.gradient(scores, between)
    norms = tf.sqrt(tf.reduce_sum(tf.reshape(gradients, [batch, -1]) ** 2, axis=1) + 1e-12)
    return (norms - 1.0) ** 2


def l1_loss(restored, sharp):
    """`mean |R - S|` over each image's elements."""
    return per_image_mean(tf.abs(restored - sharp))


def l2_loss(restored, sharp):
    """`mean (R - S)^2` over each image's elements."""
    return per_image_mean(tf.square(restored - sharp))


def vgg19_features(layer="block3_conv3", weights="imagenet"):
    """A frozen VGG19 (Simonyan & Zisserman 2015) truncated at `layer`, output taken before its ReLU.

    DeblurGAN's perceptual loss compares conv3_3 activations before the ReLU;
    Keras fuses the ReLU into the conv, so the last layer is rebuilt linear with
    the same weights. `weights`: "imagenet" (Keras' download/cache), a path to
    a weights file (e.g. vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5), or
    None / "random" for random weights (smoke tests only: no result needing
    weights is valid with them).
    """
    if weights == "random":
        weights = None
    try:
        vgg = keras.applications.VGG19(include_top=False, weights=weights)
    except Exception as error:  # no network, truncated file, wrong file
        raise InputError(
            f"--vgg_weights={weights}: cannot load VGG19 weights ({error}); pass --vgg_weights=PATH "
            "to a local copy of vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
        ) from error
    names = [vgg_layer.name for vgg_layer in vgg.layers]
    if layer not in names:
        raise InputError(f"--perceptual_layer={layer}: not a VGG19 layer; choose one of {names[1:]}")
    images = keras.Input((None, None, 3))
    x = images
    for vgg_layer in vgg.layers[1 : names.index(layer) + 1]:
        if vgg_layer.name == layer and isinstance(vgg_layer, keras.layers.Conv2D):
            linear = keras.layers.Conv2D.from_config({**vgg_layer.get_config(), "activation": "linear"})
            x = linear(x)
            linear.set_weights(vgg_layer.get_weights())
        else:
            x = vgg_layer(x)
    features = keras.Model(images, x, name=f"vgg19_{layer}")
    features.trainable = False
    return features


class PerceptualLoss:
    """`mean (phi(R) - phi(S))^2` with phi a frozen VGG19 layer (Johnson et al. 2016; DeblurGAN).

    Images in [-1, 1] are mapped to [0, 255] and through
    `keras.applications.vgg19.preprocess_input` (RGB -> BGR, ImageNet mean), the
    input VGG19 was trained on (the paper's code fed [-1, 1]: bug 3). Under a
    mixed-precision policy VGG19 computes in float16/bfloat16; the loss is float32.
    """

    def __init__(self, layer="block3_conv3", weights="imagenet"):
        self.features = vgg19_features(layer, weights)

    def preprocess(self, images):
        return keras.applications.vgg19.preprocess_input((tf.cast(images, tf.float32) + 1.0) * 127.5)

    def __call__(self, restored, sharp):
        restored, sharp = (tf.cast(self.features(self.preprocess(x)), tf.float32) for x in (restored, sharp))
        return per_image_mean(tf.square(restored - sharp))
