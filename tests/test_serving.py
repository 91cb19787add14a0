"""Exported SavedModels: signatures, any size, the Keras generator's and the API's numbers, load and abuse."""

import base64
import dataclasses
import json
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
import skimage.data
import tensorflow as tf
from google.protobuf import text_format
from tensorflow_serving.config import model_server_config_pb2

import tfdeblur
from tests import fake_serving
from tests.conftest import REPO, TINY, run_module, runs_bfloat16
from tests.fixtures import png_header, write_png
from tfdeblur.checkpoints import pretrained
from tfdeblur.data.files import read_image
from tfdeblur.deploy import serving
from tfdeblur.deploy.inference import with_strength
from tfdeblur.evaluation.metrics import psnr
from tfdeblur.images import to_float, to_uint8
from tfdeblur.layers import BATCHNORM_STATISTICS
from tfdeblur.models import ModelConfig, build_generator
from tfdeblur.tools import client

# One small generator of each family, with the techniques that change the graph (and batch norm
# with its moving averages in the U-Net, with each image's statistics in the RiR); the U-Net
# coarse to fine (the shipped model's test covers one scale).
FAMILIES = {
    "unet": dataclasses.replace(TINY, generator_scales=2),
    "rir_attention": ModelConfig(
        generator="rir",
        generator_depth=5,
        generator_filters=4,
        generator_max_filters=8,
        generator_norm="batch",
        batchnorm_statistics="batch",
        encoder_attention=(16,),
        channel_attention=True,
        channel_reduction=2,
        generator_spectral_norm=True,
        global_residual=True,
    ),
    "resnet_edge_feedback": ModelConfig(
        generator="resnet",
        generator_filters=4,
        generator_blocks=1,
        generator_norm="instance",
        edge_input=True,
        feedback_iterations=2,
        global_residual=True,
    ),
}


WHOLE = 2048  # a tile over every image of these tests: they run whole, as the Keras generator


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def exported(request, tmp_path_factory):
    """(generator, export_dir) of one family, exported once for the module's tests."""
    keras.utils.set_random_seed(0)
    generator = build_generator(FAMILIES[request.param])
    export_dir = str(tmp_path_factory.mktemp(request.param) / "1")
    serving.export(generator, FAMILIES[request.param], export_dir, tile=WHOLE)
    return generator, export_dir


def _odd_image():
    """A 721x1283 uint8 image: neither side a multiple of any stride."""
    return tf.random.stateless_uniform([1, 721, 1283, 3], (0, 11), 0, 256, tf.int32)


def test_loaded_signatures_match_the_keras_generator(exported):
    generator, export_dir = exported
    loaded = tf.saved_model.load(export_dir)
    assert set(serving.SIGNATURES) <= set(loaded.signatures)
    images = tf.cast(_odd_image(), tf.uint8)
    expected = generator(to_float(images), training=False)

    restored = loaded.signatures["deblur_float"](images=to_float(images))["images"]
    assert restored.shape == images.shape
    np.testing.assert_allclose(restored, expected, atol=1e-5)

    restored = loaded.signatures["serving_default"](images=images)["images"]
    assert restored.dtype == tf.uint8 and restored.shape == images.shape
    difference = np.abs(restored.numpy().astype(int) - to_uint8(expected).numpy().astype(int))
    assert difference.max() <= 1

    # Encoded images of different sizes in one request; PNG out, same size as each input.
    small = tf.cast(tf.random.stateless_uniform([37, 50, 3], (0, 12), 0, 256, tf.int32), tf.uint8)
    requests = tf.stack([tf.io.encode_jpeg(images[0]), tf.io.encode_png(small)])
    restored = loaded.signatures["deblur_bytes"](image_bytes=requests)["image_bytes"]
    decoded = [tf.io.decode_png(contents) for contents in restored]
    assert [image.shape for image in decoded] == [images.shape[1:], small.shape]
    direct = loaded.signatures["serving_default"](images=small[tf.newaxis])["images"][0]
    np.testing.assert_array_equal(decoded[1], direct)


def test_malformed_bytes_raise_invalid_argument(exported):
    _, export_dir = exported
    loaded = tf.saved_model.load(export_dir)
    with pytest.raises(tf.errors.InvalidArgumentError):
        loaded.signatures["deblur_bytes"](image_bytes=tf.constant([b"not an image"]))


def test_saved_model_cli_lists_the_signatures(exported):
    _, export_dir = exported
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tensorflow.python.tools.saved_model_cli",
            "show",
            "--all",
            "--dir",
            export_dir,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    listed = set(re.findall(r"signature_def\['(\w+)'\]", result.stdout))
    assert set(serving.SIGNATURES) <= listed
    assert "inputs['image_bytes'] tensor_info:\n        dtype: DT_STRING" in result.stdout


def test_load_returns_a_float_restorer_and_the_config(exported):
    generator, export_dir = exported
    restore, config, tile = serving.load(export_dir)
    assert build_generator(config).count_params() == generator.count_params() and tile == WHOLE
    images = to_float(tf.cast(_odd_image()[:, :64, :80], tf.uint8))
    np.testing.assert_allclose(restore(images), generator(images, training=False), atol=1e-5)


def test_export_command_writes_a_version_and_never_overwrites_one(trained_run, tmp_path):
    export_dir = str(tmp_path / "quick" / "1")
    result = run_module("tfdeblur.export", f"--checkpoint={trained_run}", f"--export_dir={export_dir}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert os.path.exists(os.path.join(export_dir, "saved_model.pb"))
    result = run_module("tfdeblur.export", f"--checkpoint={trained_run}", f"--export_dir={export_dir}")
    assert result.returncode == 2
    assert f"--export_dir={export_dir}: already holds saved_model.pb" in result.stderr


def test_deblur_and_export_follow_the_batchnorm_statistics_switch(trained_run, tmp_path):
    photo = str(tmp_path / "photo.png")
    write_png(photo, skimage.data.astronaut()[:64, :80])
    images = to_float(skimage.data.astronaut()[None, :64, :80])
    expected = {
        statistics: to_uint8(pretrained.load_model(trained_run, statistics)[0](images, training=False))[0]
        for statistics in BATCHNORM_STATISTICS
    }
    assert np.abs(expected["batch"].numpy().astype(int) - expected["moving"].numpy()).max() > 2
    export_dir = str(tmp_path / "export" / "1")
    switch = "--batchnorm_statistics=batch"
    result = run_module(
        "tfdeblur.export", f"--checkpoint={trained_run}", f"--export_dir={export_dir}", switch
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert serving.load(export_dir)[1].batchnorm_statistics == "batch"
    for name, model in {
        "checkpoint": [f"--checkpoint={trained_run}", switch],
        "export": [f"--saved_model={export_dir}"],
    }.items():
        output = str(tmp_path / f"{name}.png")
        result = run_module("tfdeblur.deblur", photo, *model, "-o", output)
        assert result.returncode == 0, result.stderr[-3000:]
        assert np.abs(read_image(output).astype(int) - expected["batch"].numpy()).max() <= 1, name


def test_client_requests_are_what_the_signature_takes(exported):
    # What TF Serving does with a request, done in-process: its tensors fed to the signature.
    _, export_dir = exported
    loaded = tf.saved_model.load(export_dir)
    image = tf.cast(_odd_image()[0, :45, :70], tf.uint8)
    encoded = [tf.io.encode_png(image).numpy(), tf.io.encode_jpeg(image).numpy()]
    expected = loaded.signatures["serving_default"](images=image[tf.newaxis])["images"][0]

    request = client.predict_request("demo", encoded)
    signature = loaded.signatures[request.model_spec.signature_name]
    outputs = signature(**{name: tf.make_ndarray(proto) for name, proto in request.inputs.items()})
    np.testing.assert_array_equal(tf.io.decode_png(outputs["image_bytes"][0]), expected)

    body = client.rest_body(encoded)
    assert body["signature_name"] == request.model_spec.signature_name
    response = {"predictions": [{"b64": base64.b64encode(contents).decode()} for contents in encoded]}
    assert client.rest_outputs(response) == encoded
    assert json.loads(json.dumps(body))["instances"][1] == {"b64": base64.b64encode(encoded[1]).decode()}


def test_client_names_an_absent_server(tmp_path):
    photo = tmp_path / "photo.png"
    photo.write_bytes(tf.io.encode_png(tf.zeros([8, 8, 3], tf.uint8)).numpy())
    for transport in ("--rest", "--norest"):
        result = run_module(
            "tfdeblur.client",
            str(photo),
            "-o",
            str(tmp_path / "out.png"),
            "--port=1",
            "--timeout=5",
            transport,
        )
        assert result.returncode == 2, result.stderr[-2000:]
        assert f"error: {photo}: TF Serving at localhost:1" in result.stderr


def test_models_config_parses_as_tf_serving_config():
    with open(os.path.join(REPO, "export", "models.config")) as file:
        config = text_format.Parse(file.read(), model_server_config_pb2.ModelServerConfig())
    models = config.model_config_list.config
    assert [model.name for model in models] == ["demo", "deblurgan"]
    assert all(model.base_path == f"/models/{model.name}" for model in models)


@runs_bfloat16
def test_bfloat16_export_of_the_demo_model_stays_within_float32_quality(tmp_path):
    result = run_module(
        "tfdeblur.export", f"--export_dir={tmp_path / '1'}", "--mixed_precision=mixed_bfloat16"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    generator, config = pretrained.load()
    photo = tf.constant(skimage.data.astronaut()[tf.newaxis, :300, :400])
    expected = with_strength(photo, to_uint8(generator(to_float(photo), training=False)), config.strength)
    restored = tf.saved_model.load(str(tmp_path / "1")).signatures["serving_default"](images=photo)["images"]
    assert float(psnr(restored[0], expected[0])) > 45.0  # 59.8 dB on the full astronaut


@pytest.fixture(scope="module")
def shipped_export(tmp_path_factory):
    """The shipped model exported with 256-pixel tiles (photos here run whole and tiled)."""
    generator, config = pretrained.load_model(None)
    export_dir = str(tmp_path_factory.mktemp("shipped") / "1")
    serving.export(generator, config, export_dir, tile=256)
    return export_dir


def test_limits_are_a_signature_of_the_export(shipped_export):
    loaded = tf.saved_model.load(shipped_export)
    limits = {name: value.numpy().item() for name, value in loaded.signatures["limits"]().items()}
    assert limits == {"max_megapixels": 25.0, "tile": 256, "tile_overlap": 64, "strength": 0.5}
    assert serving.load(shipped_export)[2] == 256


def test_batches_of_mixed_sizes_and_empty_batches(shipped_export):
    signatures = tf.saved_model.load(shipped_export).signatures
    deblurrer = tfdeblur.load(tile=256)
    photos = [skimage.data.astronaut()[:90, :130], skimage.data.coffee()[:300, :290], skimage.data.chelsea()]
    encoded = tf.constant([tf.io.encode_png(photo).numpy() for photo in photos])
    restored = signatures["deblur_bytes"](image_bytes=encoded)["image_bytes"]
    for photo, contents in zip(photos, restored.numpy()):
        difference = tf.io.decode_png(contents).numpy().astype(int) - deblurrer(photo)
        assert np.abs(difference).max() <= 1
    assert signatures["deblur_bytes"](image_bytes=tf.constant([], tf.string))["image_bytes"].shape == [0]
    empty = signatures["serving_default"](images=tf.zeros([0, 8, 8, 3], tf.uint8))["images"]
    assert empty.shape == [0, 8, 8, 3]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"images: 3x0 pixels, none"):
        signatures["serving_default"](images=tf.zeros([1, 0, 3, 3], tf.uint8))


def test_a_server_survives_concurrent_load_and_abuse():
    """A few seconds of `benchmarks/serving_load.py`: the ~1 MB 20000^2 PNG refused first, by
    its size, then good photos (whole and tiled) answered as the command line does while 8
    clients also send every hostile request, each refused; the process stays alive and small."""
    result = subprocess.run(
        [
            sys.executable,
            os.path.join(REPO, "benchmarks", "serving_load.py"),
            "--seconds=3",
            "--sizes=320x240,600x400",
            "--fresh_photo=700x500",
            "--tile=256",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads(result.stdout.strip().splitlines()[-1])
    refusal = "image_bytes[0]: 20000x20000 pixels, over the limit of 25 megapixels set at export"
    assert record["bomb"] == f"assertion failed: [{refusal}]"
    assert record["720p.jpg"]["max_difference"] <= 1 and record["fresh.png"]["max_difference"] <= 1
    assert record["good_requests"] > 0 and record["wrong_outputs"] == []
    assert record["hostile_kinds_sent"] == sorted(record["hostile_kinds"]) and record["hostile_served"] == []
    assert len(record["hostile_kinds"]) == 11
    assert record["empty_batch"] == [] and record["alive"]
    assert record["peak_rss_gib"] < 4.0


def test_client_shows_a_refusal_or_a_timeout_as_one_error_line_naming_the_file(shipped_export, tmp_path):
    huge, photo = tmp_path / "huge.png", tmp_path / "photo.jpg"
    huge.write_bytes(png_header(30000, 30000))
    photo.write_bytes(tf.io.encode_jpeg(skimage.data.astronaut()[:100, :150]).numpy())
    expected = tfdeblur.load(tile=256)(str(photo))

    def run_client(path, port, transport, *extra):
        output = str(tmp_path / "out.png")
        result = run_module("tfdeblur.client", str(path), "-o", output, f"--port={port}", transport, *extra)
        return result, output

    with fake_serving.serve(shipped_export) as (grpc_port, rest_port):
        for transport, port, api in (
            ("--norest", grpc_port, "gRPC): INVALID_ARGUMENT"),
            ("--rest", rest_port, "REST): 400"),
        ):
            result, output = run_client(photo, port, transport)
            assert result.returncode == 0, result.stderr[-3000:]
            assert np.abs(read_image(output).astype(int) - expected).max() <= 1
            result, _ = run_client(huge, port, transport)
            assert result.returncode == 2
            assert result.stderr.strip().splitlines()[-1] == (
                f"error: {huge}: TF Serving at localhost:{port} ({api}: image_bytes[0]: 30000x30000 pixels, "
                "over the limit of 25 megapixels set at export"
            )
            assert "[[" not in result.stderr and "Detected at node" not in result.stderr
    with fake_serving.serve(shipped_export, delay=5.0) as (grpc_port, rest_port):
        for transport, port, api in (("--norest", grpc_port, "gRPC"), ("--rest", rest_port, "REST")):
            result, _ = run_client(photo, port, transport, "--timeout=1")
            assert result.returncode == 2, result.stderr[-3000:]
            assert result.stderr.strip().splitlines()[-1] == (
                f"error: {photo}: TF Serving at localhost:{port} ({api}): no answer within 1 s (--timeout)"
            )
