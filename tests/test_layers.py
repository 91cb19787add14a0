import dataclasses

import keras
import numpy as np
import pytest
import skimage.color
import skimage.data
import skimage.feature
import tensorflow as tf

from tests.conftest import TINY
from tfdeblur.layers import (
    BatchNormalization,
    CannyEdges,
    ChannelAttention,
    ConvLSTMFeedback,
    MeanPreservation,
    ReflectionPadding2D,
    ReflectPadToMultiple,
    SelfAttention,
    normalization,
)
from tfdeblur.models import build_generator


def test_fresh_self_attention_is_the_identity():
    features = tf.random.stateless_normal([2, 8, 6, 16], (0, 1))
    attention = SelfAttention()
    np.testing.assert_array_equal(attention(features), features)
    assert float(attention.gamma) == 0.0


def test_self_attention_matches_equation_2():
    features = tf.random.stateless_normal([1, 4, 5, 16], (0, 2))
    attention = SelfAttention(value_ratio=1.0)
    attention.build(features.shape)
    attention.gamma.assign(0.7)
    flat = tf.reshape(features, [20, 16]).numpy()

    def conv1x1(layer, x):
        kernel, *bias = layer.get_weights()
        return x @ kernel[0, 0] + sum(bias)

    # Eq. 2 with any key bias: the softmax cancels it, so the layer has none.
    key_bias = np.random.default_rng(0).normal(size=2)
    scores = conv1x1(attention.f, flat) @ (conv1x1(attention.g, flat) + key_bias).T
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    expected = flat + 0.7 * conv1x1(attention.v, weights @ conv1x1(attention.h, flat))
    np.testing.assert_allclose(tf.reshape(attention(features), [20, 16]), expected, rtol=1e-4, atol=1e-4)
    assert attention.f.filters == 2 and attention.h.filters == 16


def test_self_attention_refuses_a_map_over_its_budget():
    attention = SelfAttention(max_positions=64, name="decoder7_attention")
    attention(tf.zeros([1, 8, 8, 8]))  # 64 positions: fine
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"decoder7_attention.*max_positions=64"):
        attention(tf.zeros([1, 8, 9, 8]))


def test_channel_attention_matches_equations_3_and_4():
    features = tf.random.stateless_normal([2, 5, 5, 32], (0, 3))
    attention = ChannelAttention(reduction=8)
    output = attention(features).numpy()
    w1, b1 = attention.squeeze.get_weights()
    w2, b2 = attention.excite.get_weights()
    z = features.numpy().mean(axis=(1, 2))
    a = 1.0 / (1.0 + np.exp(-(np.maximum(z @ w1[0, 0] + b1, 0.0) @ w2[0, 0] + b2)))
    assert w1.shape[-1] == 4
    np.testing.assert_allclose(output, features.numpy() * a[:, None, None, :], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("sigma", [1.0, 2.0])
def test_canny_agrees_with_skimage(sigma):
    f1_scores = []
    for name in ("astronaut", "coffee", "rocket", "chelsea"):
        photo = getattr(skimage.data, name)()[:256, :320]
        reference = skimage.feature.canny(skimage.color.rgb2gray(photo), sigma, 0.1, 0.2)
        images = tf.constant(photo[np.newaxis], tf.float32) / 127.5 - 1.0
        ours = CannyEdges(sigma, 0.1, 0.2)(images).numpy()[0, ..., 0] > 0.5
        f1_scores.append(2 * np.sum(ours & reference) / (ours.sum() + reference.sum()))
        assert reference.sum() > 500
    assert min(f1_scores) >= 0.99, f1_scores


def test_canny_hysteresis_keeps_only_weak_edges_connected_to_strong_ones():
    image = np.zeros([1, 40, 40, 3], np.float32) - 1.0
    image[:, 5:15, 5:35] = 1.0  # a strong step edge
    image[:, 25:35, 5:35] = -0.75  # a faint one, above low but below high threshold
    edges = CannyEdges(1.0, 0.1, 0.5)(tf.constant(image)).numpy()[0, ..., 0]
    assert edges[:20].sum() > 40
    assert edges[20:].sum() == 0


def test_feedback_runs_the_lstm_cell_iteration_times():
    features = tf.random.stateless_normal([1, 6, 7, 4], (0, 4))
    layer = ConvLSTMFeedback(filters=3, iterations=4)
    output = layer(features).numpy()
    assert output.shape == (1, 6, 7, 3)
    # Unrolled by hand: the same input every pass, the state carried over.
    x_gates = layer.input_conv(features)
    hidden = cell = tf.zeros([1, 6, 7, 3])
    for _ in range(4):
        i, f, o, g = tf.split(x_gates + layer.recurrent_conv(hidden), 4, axis=-1)
        cell = tf.sigmoid(f) * cell + tf.sigmoid(i) * tf.tanh(g)
        hidden = tf.sigmoid(o) * tf.tanh(cell)
    np.testing.assert_allclose(output, hidden, rtol=1e-5, atol=1e-6)
    one_pass = ConvLSTMFeedback(filters=3, iterations=1)
    one_pass.build(features.shape)
    one_pass.set_weights(layer.get_weights())
    assert not np.allclose(one_pass(features), output)


@pytest.mark.parametrize(
    "layer",
    [
        SelfAttention(value_ratio=0.25, max_positions=100),
        ChannelAttention(reduction=4),
        CannyEdges(2.0, 0.05, 0.3),
        ConvLSTMFeedback(5, iterations=3, kernel_size=5),
        BatchNormalization(batchnorm_statistics="batch", momentum=0.9),
        MeanPreservation(),
    ],
    ids=lambda layer: type(layer).__name__,
)
def test_layers_round_trip_their_config(layer):
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is type(layer)


@pytest.mark.parametrize(
    "layer",
    [
        SelfAttention(name="sa"),
        ChannelAttention(name="ca"),
        CannyEdges(name="edges"),
        ConvLSTMFeedback(4, 1, name="feedback"),
        ReflectPadToMultiple(8, name="pad"),
        ReflectionPadding2D(1, name="reflect"),
    ],
    ids=lambda layer: layer.name,
)
def test_layers_declare_the_images_they_accept(layer):
    # InputSpec: a tensor of the wrong rank is refused by name before any computation.
    with pytest.raises(ValueError, match=rf"layer '{layer.name}' is incompatible"):
        layer(tf.zeros([8, 8, 3]))


def test_canny_edges_take_rgb_images_only():
    with pytest.raises(ValueError, match="layer 'edges' is incompatible"):
        CannyEdges(name="edges")(tf.zeros([1, 8, 8, 4]))


def test_batch_statistics_at_inference_are_the_training_statistics_at_batch_1():
    features = tf.random.stateless_normal([1, 6, 5, 4], (0, 3)) * 3.0 + 2.0
    per_image = normalization("batch", batchnorm_statistics="batch")
    trained = per_image(features, training=True)
    np.testing.assert_allclose(per_image(features, training=False), trained, atol=1e-5)
    moving = normalization("batch")  # Keras's batch norm: the moving averages
    moving.build(features.shape)
    moving.set_weights(per_image.get_weights())
    gamma, beta, mean, variance = per_image.get_weights()
    expected = (features - mean) / np.sqrt(variance + 1e-5) * gamma + beta
    np.testing.assert_allclose(moving(features, training=False), expected, atol=1e-5)
    assert not np.allclose(moving(features, training=False), trained, atol=1e-2)


def test_batch_statistics_normalise_each_image_apart_from_its_batch():
    keras.utils.set_random_seed(0)
    config = dataclasses.replace(TINY, generator_depth=4, batchnorm_statistics="batch")
    generator = build_generator(config)
    images = tf.random.stateless_uniform([3, 32, 48, 3], (0, 4), -1.0, 1.0) * [
        [[[1.0]]],
        [[[0.3]]],
        [[[0.6]]],
    ]
    alone = generator(images[:1], training=False)
    np.testing.assert_allclose(generator(images, training=False)[:1], alone, atol=1e-5)
    moving = build_generator(dataclasses.replace(config, batchnorm_statistics="moving"))
    moving.set_weights(generator.get_weights())  # same weights, the other statistics
    assert np.abs(moving(images[:1], training=False) - alone).max() > 1e-2


def test_mean_preservation_keeps_each_channel_s_mean_level():
    blurred = tf.random.uniform([2, 16, 24, 3], -0.8, 0.8, seed=1)
    restored = blurred * 1.1 + tf.constant([0.05, -0.03, 0.08])  # sharper, and shifted per channel
    kept = MeanPreservation()([blurred, restored])
    np.testing.assert_allclose(
        tf.reduce_mean(kept, axis=[1, 2]), tf.reduce_mean(blurred, axis=[1, 2]), atol=1e-6
    )
    np.testing.assert_allclose(
        kept - tf.reduce_mean(kept, [1, 2], True),
        restored - tf.reduce_mean(restored, [1, 2], True),
        atol=1e-6,
    )


def test_a_generator_that_preserves_its_mean_shifts_no_channel():
    keras.utils.set_random_seed(3)
    config = dataclasses.replace(TINY, preserve_mean=True, global_residual=True)
    blurred = tf.random.uniform([1, 40, 56, 3], -0.9, 0.9, seed=2)
    restored = build_generator(config)(blurred, training=False)
    shift = (tf.reduce_mean(restored, axis=[1, 2]) - tf.reduce_mean(blurred, axis=[1, 2])) * 127.5
    assert np.abs(shift).max() < 0.01  # grey levels
