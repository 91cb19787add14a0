import dataclasses
import functools
import re

import keras
import numpy as np
import pytest
import skimage.data
import tensorflow as tf

from tfdeblur.deploy.deblurrer import Deblurrer
from tfdeblur.deploy.inference import TiledRestorer
from tfdeblur.errors import InputError
from tfdeblur.evaluation.metrics import psnr
from tfdeblur.evaluation.report import evaluate, format_summary, markdown_table, summarize, tiling_note
from tfdeblur.layers import ReflectPadToMultiple
from tfdeblur.models import (
    GENERATOR_REGISTRY,
    ModelConfig,
    attention_tile,
    build_discriminator,
    build_generator,
    coarse_to_fine_generator,
    patchgan_discriminator,
    unet_generator,
)


@pytest.mark.parametrize("height, width", [(720, 1280), (123, 77)])
def test_generator_keeps_any_input_size(tiny_config, height, width):
    generator = build_generator(tiny_config)
    images = tf.random.uniform([1, height, width, 3], -1.0, 1.0)
    restored = generator(images, training=False)
    assert restored.shape == (1, height, width, 3)
    assert np.all(np.abs(restored.numpy()) <= 1.0)


def test_full_size_unet_matches_pix2pix_parameter_count():
    # 54,424,387 parameters with the innermost block unnormalised (PyTorch pix2pix: 54,414,979
    # counts one BatchNorm bias difference per block; the architecture table is the same).
    generator = unet_generator(ModelConfig())
    assert len([layer for layer in generator.layers if "encoder" in layer.name and "conv" in layer.name]) == 8
    assert generator.count_params() == 54_424_387


def test_patchgan_is_70x70_and_outputs_raw_scores():
    discriminator = patchgan_discriminator(in_channels=6)
    scores = discriminator(tf.random.uniform([1, 256, 256, 6], -1.0, 1.0))
    assert scores.shape == (1, 32, 32, 1)
    assert discriminator.layers[-1].get_config()["activation"] == "linear"
    # Receptive field: 4x4 kernels, strides 2, 2, 2, 1, 1 -> 70 pixels.
    field = 1
    for stride in reversed([2, 2, 2, 1, 1]):
        field = field * stride + (4 - stride)
    assert field == 70


def test_unconditional_discriminator_takes_three_channels(tiny_config):
    discriminator = build_discriminator(tiny_config.__class__(conditional=False, discriminator_filters=4))
    assert discriminator.input_shape[-1] == 3


def test_inference_is_deterministic_and_training_is_not(tiny_config):
    # Bug 1 of the paper's code: BatchNorm in training mode and dropout at test time.
    generator = build_generator(tiny_config)
    images = tf.random.uniform([2, 64, 64, 3], -1.0, 1.0, seed=1)
    first = generator(images, training=False)
    np.testing.assert_array_equal(first, generator(images, training=False))
    assert not np.allclose(generator(images, training=True), generator(images, training=True))


@pytest.mark.parametrize("size, multiple", [(5, 8), (8, 8), (77, 256), (1, 4), (720, 256)])
def test_reflect_padding_mirrors_even_beyond_the_image(size, multiple):
    image = tf.reshape(tf.range(size * 2, dtype=tf.float32), [1, size, 2, 1])
    padded = ReflectPadToMultiple(multiple)(image).numpy()[0, :, 0, 0]
    assert padded.shape[0] % multiple == 0 and padded.shape[0] >= size
    np.testing.assert_array_equal(padded[:size], image.numpy()[0, :, 0, 0])
    if padded.shape[0] - size < size:  # where numpy can do it, it must agree
        expected = np.pad(image.numpy()[0, :, 0, 0], (0, padded.shape[0] - size), mode="reflect")
        np.testing.assert_array_equal(padded, expected)


RESNET = dict(generator="resnet", generator_filters=4, generator_blocks=2, generator_norm="instance")
# Narrow variants of every generator and switch of the paper's tables.
VARIANTS = {
    "unet_sa_ca_sn_gr": dict(
        generator_filters=4,
        generator_max_filters=16,
        encoder_attention=(8, 64),
        decoder_attention=(32, 4),
        channel_attention=True,
        channel_reduction=2,
        generator_spectral_norm=True,
        global_residual=True,
    ),
    "rir": dict(
        generator="rir",
        generator_depth=5,
        generator_filters=4,
        generator_max_filters=16,
        decoder_attention=(32,),
        channel_attention=True,
        channel_reduction=2,
        global_residual=True,
    ),
    "resnet": RESNET,
    "resnet_edge": dict(RESNET, edge_input=True),
    "resnet_feedback": dict(RESNET, feedback_iterations=4),
    "unet_coarse_to_fine": dict(
        generator_depth=3, generator_filters=4, generator_max_filters=8, generator_scales=3
    ),
}


@pytest.mark.parametrize("name", VARIANTS)
def test_every_generator_saves_and_reloads_with_identical_outputs(tmp_path, name):
    generator = build_generator(ModelConfig(**VARIANTS[name]))
    images = tf.random.stateless_uniform([1, 45, 71, 3], (0, 9), -1.0, 1.0)
    generator(images, training=True)  # move BatchNorm statistics and spectral-norm vectors
    expected = generator(images, training=False)
    assert expected.shape == images.shape
    path = str(tmp_path / f"{name}.keras")
    generator.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(reloaded(images, training=False), expected)


def test_edge_generator_takes_rgb_and_computes_its_edges_inside():
    # Bug 6 of the paper's code: edge maps out of sync with the image. Ours come from the input itself.
    generator = build_generator(ModelConfig(**VARIANTS["resnet_edge"]))
    assert generator.input_shape == (None, None, None, 3)
    edges = generator.get_layer("edges")
    assert generator.get_layer("with_edges").output.shape[-1] == 4
    images = tf.random.stateless_uniform([1, 32, 32, 3], (0, 1), -1.0, 1.0)
    flipped_edges = edges(tf.reverse(images, [2]))
    np.testing.assert_array_equal(flipped_edges, tf.reverse(edges(images), [2]))


def test_attention_placement_outside_the_network_is_refused():
    with pytest.raises(InputError, match=r"decoder_attention=\[512\].*stride \[512\]"):
        build_generator(ModelConfig(generator_filters=4, generator_max_filters=8, decoder_attention=(512,)))
    with pytest.raises(InputError, match="feedback_iterations"):
        build_generator(ModelConfig(feedback_iterations=2))


def test_full_size_rir_is_3x3_inside_resblocks():
    # The paper's code used 4x4 kernels at 1024 channels (~233 M parameters); ours uses 3x3.
    generator = build_generator(
        ModelConfig(
            generator="rir",
            generator_depth=5,
            generator_max_filters=1024,
            decoder_attention=(32,),
            channel_attention=True,
        )
    )
    convs = [layer for layer in generator.layers if re.search(r"_block\d_conv\d$", layer.name)]
    assert convs and all(layer.kernel_size == (3, 3) for layer in convs)
    assert generator.get_layer("encoder5_resample_conv").filters == 1024


@pytest.mark.parametrize("name", ["unet_sa_ca_sn_gr", "rir", "resnet_feedback"])
def test_one_evaluate_serves_every_generator(name):
    # Bug 8 of the paper's code: no PSNR/SSIM for Pix2Pix and RiR. One evaluation serves all.
    keras.utils.set_random_seed(0)
    config = ModelConfig(**VARIANTS[name])
    generator = build_generator(config)
    sharp = tf.cast(tf.random.stateless_uniform([2, 37, 50, 3], (0, 7), 0, 256, tf.int32), tf.uint8)
    pairs = tf.data.Dataset.from_tensor_slices({"blur": sharp, "sharp": sharp})
    records, _ = evaluate(generator, config, pairs)
    assert len(records) == 2
    # An untrained network's output may be anything: the metrics must still be well defined.
    assert all(np.isfinite(record["psnr"]) and -1 <= record["ssim"] <= 1 for record in records)


def test_coarse_to_fine_restores_the_pyramid_with_one_set_of_weights():
    config = ModelConfig(**VARIANTS["unet_coarse_to_fine"])
    single = build_generator(dataclasses.replace(config, generator_scales=1))
    multi = build_generator(config)
    assert [w.shape for w in multi.weights] == [w.shape for w in single.weights]
    multi.set_weights(single.get_weights())
    images = tf.random.stateless_uniform([2, 48, 64, 3], (0, 3), -1.0, 1.0)
    # Eq.: restored_s = G(blurred_s + up(restored_{s+1} - blurred_{s+1})), from the coarsest level.
    pyramid = [images]
    for _ in range(2):
        pyramid.append(tf.nn.avg_pool2d(pyramid[-1], 2, 2, "VALID"))
    restored = single(pyramid[2], training=False)
    for level in (1, 0):
        correction = tf.image.resize(restored - pyramid[level + 1], pyramid[level].shape[1:3])
        restored = single(pyramid[level] + correction, training=False)
    np.testing.assert_allclose(multi(images, training=False), restored, atol=1e-5)
    odd = tf.random.stateless_uniform([1, 45, 71, 3], (0, 4), -1.0, 1.0)
    assert multi(odd, training=False).shape == odd.shape


def test_coarse_to_fine_of_an_identity_is_the_identity():
    identity = keras.Sequential([keras.Input((None, None, 3)), keras.layers.Identity()])
    images = tf.random.stateless_uniform([1, 45, 71, 3], (0, 5), -1.0, 1.0)
    np.testing.assert_allclose(coarse_to_fine_generator(identity, 3)(images), images, atol=1e-6)
    assert coarse_to_fine_generator(identity, 1) is identity
    with pytest.raises(InputError, match="generator_scales=0: give 1 or more"):
        build_generator(ModelConfig(generator_scales=0))


def test_tiled_inference_matches_whole_image_inference():
    # BatchNorm in inference mode is per-pixel affine, so tiles agree with the whole image
    # (instance norm is not: each tile has its own statistics; see TiledRestorer).
    generator = build_generator(ModelConfig(generator_depth=3, generator_filters=8))
    photo = skimage.data.astronaut()[:200, :300]
    restore = functools.partial(generator, training=False)
    whole = TiledRestorer(restore)(photo)
    tiled = TiledRestorer(restore, tile=128, overlap=32)(photo)
    assert tiled.shape == photo.shape
    assert float(psnr(tiled, whole)) >= 40.0


@pytest.mark.parametrize("statistics", ["moving", "batch"])
def test_evaluate_tiles_as_deblur_does_and_says_so_in_its_report(statistics):
    # One tiling rule: an image over the self-attention tile runs in the tiles `deblur` uses, and
    # the report says which images were tiled and whether each tile had its own statistics.
    config = ModelConfig(
        generator_depth=3,
        generator_filters=4,
        generator_max_filters=8,
        encoder_attention=(4,),
        attention_max_positions=32 * 32,
        batchnorm_statistics=statistics,
    )
    assert attention_tile(config) == 128
    generator = build_generator(config)
    small, large = skimage.data.astronaut()[:48, :56], skimage.data.astronaut()[:200, :150]
    pairs = tf.data.Dataset.from_generator(
        lambda: iter([{"blur": small, "sharp": small}, {"blur": large, "sharp": large}]),
        output_signature={key: tf.TensorSpec([None, None, 3], tf.uint8) for key in ("blur", "sharp")},
    )
    records, examples = evaluate(generator, config, pairs, keep_images=2)
    assert [record["tile"] for record in records] == [0, 128]
    deblurrer = Deblurrer(functools.partial(generator, training=False), config)
    np.testing.assert_array_equal(examples[1][1], deblurrer(large))
    summary = summarize(records, config)
    assert (summary["tiled_images"], summary["tile"], summary["tile_overlap"]) == (1, 128, 64)
    assert summary["per_tile_statistics"] == (statistics == "batch")
    note = "1 of 2 images ran in 128x128 tiles (overlap 64)"
    assert note in tiling_note(summary) and note in format_summary(summary)
    assert ("each tile normalised by its own statistics" in tiling_note(summary)) == (statistics == "batch")
    assert markdown_table(summary, "m", "d").endswith(f"\nm: {tiling_note(summary)}.\n")


def test_attention_tile_fits_the_self_attention_budget():
    config = ModelConfig(encoder_attention=(8, 64), decoder_attention=(32, 4))
    # Stride 4 with at most 128 * 128 positions: 512-pixel tiles, a multiple of the U-Net's 256.
    assert attention_tile(config) == 512
    assert attention_tile(ModelConfig()) is None
    generator = build_generator(dataclasses.replace(config, generator_filters=4, generator_max_filters=8))
    with pytest.raises(tf.errors.InvalidArgumentError, match="max_positions"):
        generator(tf.zeros([1, 513, 512, 3]))
    generator(tf.zeros([1, 512, 512, 3]))


class _RecordingConfig:
    """A `ModelConfig` that records the fields read from it."""

    def __init__(self, config):
        self.__dict__.update(config=config, read=set())

    def __getattr__(self, name):
        self.read.add(name)
        return getattr(self.config, name)


@pytest.mark.parametrize(
    "name, settings",
    [
        (
            "unet",
            dict(generator_depth=3, encoder_attention=(2,), decoder_attention=(4,), generator_norm="batch"),
        ),
        ("rir", dict(generator_depth=2, encoder_attention=(2,), decoder_attention=(2,))),
        (
            "resnet",
            dict(generator_blocks=1, feedback_iterations=2, encoder_attention=(2,), decoder_attention=(2,)),
        ),
    ],
)
def test_each_generator_reads_the_settings_it_declares(name, settings):
    # Every switch on, so every block that reads a setting is built.
    every_switch = dict(channel_attention=True, channel_reduction=2, edge_input=True, global_residual=True)
    config = ModelConfig(
        generator=name, generator_filters=4, generator_max_filters=8, **every_switch, **settings
    )
    recording = _RecordingConfig(config)
    GENERATOR_REGISTRY[name].build(recording)
    assert recording.read == GENERATOR_REGISTRY[name].settings
