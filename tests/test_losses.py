import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdeblur.errors import InputError
from tfdeblur.training.losses import PerceptualLoss, WGANGPLoss, gradient_penalty, l1_loss, l2_loss


def test_content_losses_are_element_means_per_image():
    restored = tf.constant([[0.0, 1.0], [-1.0, 0.5]])  # two images of two elements
    sharp = tf.zeros_like(restored)
    np.testing.assert_allclose(l1_loss(restored, sharp), [1.0 / 2, 1.5 / 2])
    np.testing.assert_allclose(l2_loss(restored, sharp), [1.0 / 2, 1.25 / 2])


def test_gradient_penalty_uses_the_l2_norm_over_the_whole_image():
    # Bug 4 of the paper's code: the RMS of the gradient instead of its L2 norm.
    # A linear critic sum(w * x) has gradient w at every point: ||w||_2 = sqrt(48 * 0.25).
    weights = tf.fill([4, 4, 3], 0.5)

    def critic(images):
        return tf.reduce_sum(images * weights, axis=[1, 2, 3])

    real = tf.random.stateless_uniform([3, 4, 4, 3], (0, 1), -1.0, 1.0)
    fake = tf.random.stateless_uniform([3, 4, 4, 3], (0, 2), -1.0, 1.0)
    expected = (np.sqrt(48 * 0.25) - 1.0) ** 2
    weight = tf.random.stateless_uniform([3, 1, 1, 1], (0, 3))
    np.testing.assert_allclose(gradient_penalty(critic, real, fake, weight), [expected] * 3, rtol=1e-5)
    assert expected != pytest.approx((0.5 - 1.0) ** 2)  # what the RMS would give


def test_gradient_penalty_of_a_convolutional_critic_matches_a_hand_computation():
    critic = keras.Sequential([keras.Input((6, 6, 2)), keras.layers.Conv2D(1, 3, use_bias=False)])
    real = tf.random.stateless_uniform([2, 6, 6, 2], (1, 1), -1.0, 1.0)
    fake = tf.random.stateless_uniform([2, 6, 6, 2], (1, 2), -1.0, 1.0)
    # Linear critic: d(sum of scores)/dx is the kernel summed over every position it covers.
    kernel = critic.layers[0].kernel.numpy()[..., 0]
    gradient = np.zeros([6, 6, 2])
    for i in range(4):
        for j in range(4):
            gradient[i : i + 3, j : j + 3] += kernel
    expected = (np.sqrt(np.sum(gradient**2)) - 1.0) ** 2
    weight = tf.random.stateless_uniform([2, 1, 1, 1], (1, 3))
    np.testing.assert_allclose(gradient_penalty(critic, real, fake, weight), [expected] * 2, rtol=1e-5)


def test_wasserstein_losses_take_raw_scores():
    # Bug 5 of the paper's code: a sigmoid on the critic. Scores are used as they are.
    loss = WGANGPLoss()
    real, fake = tf.constant([5.0, 7.0]), tf.constant([-3.0, 1.0])  # two images' scores
    np.testing.assert_allclose(loss.discriminator_loss(real, fake), [-3.0 - 5.0, 1.0 - 7.0])
    np.testing.assert_allclose(loss.generator_loss(fake), [3.0, -1.0])


@pytest.fixture(scope="module")
def vgg_weights_file(tmp_path_factory):
    """A VGG19 weights file, as a user's --vgg_weights=PATH (random here: no download in tests)."""
    keras.utils.set_random_seed(3)
    vgg = keras.applications.VGG19(include_top=False, weights=None)
    path = str(tmp_path_factory.mktemp("vgg") / "vgg19_notop.weights.h5")
    vgg.save_weights(path)
    return path, {layer.name: layer.get_weights() for layer in vgg.layers}


def test_perceptual_loss_loads_the_given_weights_and_freezes_them(vgg_weights_file):
    # Bug 3 of the paper's code: VGG weights re-initialised and trained along.
    path, saved = vgg_weights_file
    loss = PerceptualLoss("block3_conv3", path)
    features = loss.features
    assert not features.trainable_weights
    for layer in features.layers[1:]:
        for ours, theirs in zip(layer.get_weights(), saved[layer.name]):
            np.testing.assert_array_equal(ours, theirs)
    assert features.layers[-1].name == "block3_conv3"
    assert features.layers[-1].get_config()["activation"] == "linear"  # before the ReLU


def test_perceptual_loss_feeds_vgg_caffe_preprocessed_0_255_images(vgg_weights_file):
    loss = PerceptualLoss("block1_conv1", vgg_weights_file[0])
    pixel = tf.constant([[[[1.0, -1.0, -1.0]]]])  # pure red in [-1, 1]
    # RGB -> BGR, minus the ImageNet mean in [0, 255] (keras.applications.vgg19.preprocess_input).
    expected = [-103.939, -116.779, 255.0 - 123.68]
    np.testing.assert_allclose(loss.preprocess(pixel)[0, 0, 0], expected, rtol=1e-5)
    images = tf.random.stateless_uniform([1, 16, 16, 3], (0, 4), -1.0, 1.0)
    np.testing.assert_array_equal(loss(images, images), [0.0])
    assert loss(images, -images)[0] > 0.0


def test_unusable_vgg_settings_are_named():
    with pytest.raises(InputError, match=r"--vgg_weights=/no/such/file\.h5"):
        PerceptualLoss(weights="/no/such/file.h5")
    with pytest.raises(InputError, match="--perceptual_layer=block9_conv1"):
        PerceptualLoss("block9_conv1", weights=None)
