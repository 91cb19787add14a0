"""ONNX and LiteRT exports of every generator family, run by their own runtimes (issue 14)."""

import os

import keras
import numpy as np
import onnxruntime
import pytest
import skimage.data
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter
from PIL import Image

import tfdeblur
from tests.conftest import run_module
from tests.fixtures import write_png
from tests.test_serving import FAMILIES
from tfdeblur.checkpoints import pretrained
from tfdeblur.data.files import read_image
from tfdeblur.deploy import litert_format, onnx_format, photos, serving
from tfdeblur.deploy.inference import with_strength, with_strength_float
from tfdeblur.errors import InputError
from tfdeblur.images import to_float, to_uint8
from tfdeblur.layers.padding import padded_side
from tfdeblur.models import ModelConfig, attention_tile, build_generator, input_multiple


def _images(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _tile(config, least=64):
    """The smallest tile of at least `least` pixels the generator of `config` takes as it is."""
    return min(padded_side(least, input_multiple(config)), attention_tile(config) or np.inf)


def _check_onnx(generator, export_dir, images, strength=1.0):
    """ONNX Runtime against Keras at `strength`: float <= 1e-4, uint8 <= 1 LSB."""
    expected = generator(to_float(images), training=False)
    uint8 = onnxruntime.InferenceSession(os.path.join(export_dir, "model.onnx"))
    restored = uint8.run(["restored"], {"images": images})[0]
    assert restored.dtype == np.uint8 and restored.shape == images.shape
    expected_uint8 = with_strength(images, to_uint8(expected), strength).numpy()
    assert np.abs(restored.astype(int) - expected_uint8.astype(int)).max() <= 1
    floats = onnxruntime.InferenceSession(os.path.join(export_dir, "model_float.onnx"))
    restored = floats.run(["restored"], {"images": to_float(images).numpy()})[0]
    np.testing.assert_allclose(restored, with_strength_float(to_float(images), expected, strength), atol=1e-4)
    return floats


def _litert_gap(generator, export_dir, tile, strength=1.0):
    """The largest and the mean difference between the LiteRT interpreter and Keras (at `strength`)
    on one tile, through the `tile` signature."""
    interpreter = Interpreter(model_path=os.path.join(export_dir, litert_format.MODEL_NAME))
    runner = interpreter.get_signature_runner("tile")
    entry = runner.get_input_details()["images"]
    assert list(entry["shape"]) == [1, tile, tile, 3] and entry["dtype"] == np.float32
    images = to_float(_images([1, tile, tile, 3], seed=1)).numpy()
    expected = with_strength_float(images, generator(images, training=False).numpy(), strength)
    difference = np.abs(runner(images=images)["restored"] - expected)
    return float(difference.max()), float(difference.mean())


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def family(request):
    keras.utils.set_random_seed(0)
    return FAMILIES[request.param], build_generator(FAMILIES[request.param])


def test_onnx_runs_every_family_at_any_batch_and_size(family, tmp_path):
    config, generator = family
    onnx_format.export(generator, config, str(tmp_path))
    session = _check_onnx(generator, str(tmp_path), _images([2, 45, 77, 3]))
    (entry,), (exit_,) = session.get_inputs(), session.get_outputs()
    assert entry.shape == exit_.shape == ["batch", "height", "width", 3]
    restore, loaded_config = onnx_format.load(str(tmp_path))
    assert loaded_config == config
    images = to_float(_images([1, 33, 40, 3]))
    np.testing.assert_allclose(restore(images), generator(images, training=False), atol=1e-4)


def test_litert_runs_every_family_on_its_tile_in_float32_and_float16(family, tmp_path):
    config, generator = family
    tile = _tile(config)
    gaps = {}
    for dtype in litert_format.DTYPES:
        litert_format.export(generator, config, str(tmp_path / dtype), tile, dtype)
        gaps[dtype] = _litert_gap(generator, str(tmp_path / dtype), tile)
    assert gaps["float32"][0] <= 1e-4
    # float16 weights: < 1e-5 for these random U-Net and RiR, a mean of ~1e-3 (largest 0.07, 9 LSB)
    # for the DeblurGAN-like one, whose instance norms amplify the rounding of its few weights.
    assert gaps["float16"][1] <= 5e-3
    # `load` runs smaller images at their own size, through the `any_size` signature.
    restore, _, loaded_tile = litert_format.load(str(tmp_path / "float32"))
    images = to_float(_images([1, tile - 5, tile - 9, 3]))
    assert loaded_tile == tile
    np.testing.assert_allclose(restore(images), generator(images, training=False), atol=1e-4)


def test_the_shipped_model_exports_to_every_format(tmp_path):
    generator, config = pretrained.load_model(None)
    onnx_format.export(generator, config, str(tmp_path / "onnx"))
    _check_onnx(generator, str(tmp_path / "onnx"), _images([1, 721, 1283, 3]), config.strength)
    tile = litert_format.DEFAULT_TILE
    for dtype in litert_format.DTYPES:
        litert_format.export(generator, config, str(tmp_path / dtype), tile, dtype)
        # float16 too: shipped weights are stored as float16 (checkpoints.pretrained), so exactly kept.
        assert _litert_gap(generator, str(tmp_path / dtype), tile, config.strength)[0] <= 1e-4
    sizes = {
        dtype: os.path.getsize(tmp_path / dtype / litert_format.MODEL_NAME) for dtype in litert_format.DTYPES
    }
    assert sizes["float16"] < 0.55 * sizes["float32"]


def test_a_layer_no_format_can_carry_is_named(tmp_path):
    class Shift(keras.layers.Layer):  # ImageProjectiveTransformV3: no ONNX op, no TFLite builtin
        def call(self, images):
            shift = tf.constant([[1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0]])
            return tf.raw_ops.ImageProjectiveTransformV3(
                images=images,
                transforms=shift,
                output_shape=tf.shape(images)[1:3],
                fill_value=0.0,
                interpolation="BILINEAR",
                fill_mode="REFLECT",
            )

    blurred = keras.Input([None, None, 3])
    restored = Shift(name="shift")(keras.layers.Conv2D(3, 3, padding="same", name="conv")(blurred))
    generator = keras.Model(blurred, restored, name="toy")
    generator(np.zeros([1, 8, 8, 3], np.float32))
    config = ModelConfig(generator="resnet")
    message = "{} cannot carry layer 'shift': TensorFlow op ImageProjectiveTransformV3 has no {} equivalent"
    with pytest.raises(InputError, match=message.format("ONNX", "ONNX")):
        onnx_format.export(generator, config, str(tmp_path / "onnx"))
    assert not os.path.exists(tmp_path / "onnx" / "model.onnx")
    with pytest.raises(InputError, match=message.format("LiteRT", "LiteRT")):
        litert_format.export(generator, config, str(tmp_path / "litert"), tile=64)


def test_litert_tiles_must_fit_the_generator():
    config = FAMILIES["rir_attention"]
    with pytest.raises(InputError, match=r"--tile=100: not a multiple of the generator's stride \(\d+\)"):
        litert_format.check_tile(config, 100)
    too_large = attention_tile(config) + input_multiple(config)
    with pytest.raises(InputError, match=f"--tile={too_large}: over the largest side its self-attention"):
        litert_format.check_tile(config, too_large)


def test_deblur_runs_onnx_and_litert_exports_like_the_checkpoint(trained_run, tmp_path):
    photo = str(tmp_path / "photo.png")
    write_png(photo, skimage.data.astronaut()[:150, :230])
    for name, extra in {"onnx": [], "litert": ["--tile=64"]}.items():
        result = run_module(
            "tfdeblur.export",
            f"--checkpoint={trained_run}",
            f"--export_dir={tmp_path / name}",
            f"--format={name}",
            *extra,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    outputs = {}
    for name, model in {
        "checkpoint": f"--checkpoint={trained_run}",
        "onnx": f"--onnx={tmp_path / 'onnx'}",
        "litert": f"--litert={tmp_path / 'litert' / 'model.tflite'}",
        "tiled": f"--checkpoint={trained_run}",
    }.items():
        outputs[name] = str(tmp_path / f"{name}.png")
        tiles = ["--tile=64", "--tile_overlap=32"] if name in ("litert", "tiled") else []
        result = run_module("tfdeblur.deblur", photo, model, "-o", outputs[name], *tiles)
        assert result.returncode == 0, result.stderr[-3000:]
    restored = {name: read_image(path).astype(int) for name, path in outputs.items()}
    assert np.abs(restored["onnx"] - restored["checkpoint"]).max() <= 1
    # The LiteRT model runs the same 64^2 tiles as the tiled checkpoint.
    assert restored["litert"].shape == (150, 230, 3)
    assert np.abs(restored["litert"] - restored["tiled"]).max() <= 1


def test_missing_exports_and_runtimes_are_named(tmp_path, monkeypatch):
    with pytest.raises(InputError, match=f"--onnx={tmp_path}: no model_float.onnx"):
        onnx_format.load(str(tmp_path))
    with pytest.raises(InputError, match=f"--litert={tmp_path}: no model.tflite here"):
        litert_format.load(str(tmp_path))
    (tmp_path / "model.tflite").write_bytes(b"not a flatbuffer")
    with pytest.raises(InputError, match="not a LiteRT model"):
        litert_format.load(str(tmp_path))


def _phone_jpeg(path, pixels, orientation):
    """Writes `pixels` as a phone does: a JPEG stored sideways, with the EXIF `orientation` that
    turns it upright (6: turned 90 degrees clockwise to view)."""
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[photos.ORIENTATION] = orientation
    image.save(path, "JPEG", quality=92, exif=exif.tobytes())


def test_every_export_of_the_shipped_model_answers_as_the_api(tmp_path):
    """SavedModel signatures, ONNX and LiteRT against `tfdeblur.load()` at the model's own
    strength: <= 1 LSB, the same orientation, channel means within 0.3 levels; photos smaller
    than the LiteRT tile, larger than the SavedModel's, and a phone JPEG turned by EXIF."""
    tile = 256
    generator, config = pretrained.load_model(None)
    assert config.strength == 0.5
    serving.export(generator, config, str(tmp_path / "saved_model"), tile=tile)
    onnx_format.export(generator, config, str(tmp_path / "onnx"))
    litert_format.export(generator, config, str(tmp_path / "litert"), tile)
    photo = skimage.data.coffee()  # 400 x 600
    paths = {"small.png": photo[100:300, 200:500], "large.png": photo[:, :520]}
    for name, pixels in paths.items():
        write_png(str(tmp_path / name), pixels)
    _phone_jpeg(str(tmp_path / "phone.jpg"), np.rot90(photo[:300, :420], 1), orientation=6)
    served = tf.saved_model.load(str(tmp_path / "saved_model")).signatures
    onnx = onnxruntime.InferenceSession(str(tmp_path / "onnx" / "model.onnx"))
    api = {"whole": tfdeblur.load(tile=0), "tiled": tfdeblur.load(tile=tile)}
    loaded = {
        runtime: tfdeblur.load(str(tmp_path / runtime)) for runtime in ("saved_model", "onnx", "litert")
    }
    for name in [*paths, "phone.jpg"]:
        path = str(tmp_path / name)
        upright = photos.read_photo(path).pixels
        expected = {how: deblurrer(path) for how, deblurrer in api.items()}
        assert expected["whole"].shape == upright.shape
        contents = tf.stack([tf.io.read_file(path)])
        outputs = {
            "deblur_bytes": (
                "tiled",
                tf.io.decode_png(served["deblur_bytes"](image_bytes=contents)["image_bytes"][0]),
            ),
            "serving_default": ("tiled", served["serving_default"](images=upright[np.newaxis])["images"][0]),
            "onnx": ("whole", onnx.run(["restored"], {"images": upright[np.newaxis]})[0][0]),
            **{
                f"load({runtime})": (how, loaded[runtime](path))
                for runtime, how in {"saved_model": "tiled", "onnx": "whole", "litert": "tiled"}.items()
            },
        }
        for runtime, (how, restored) in outputs.items():
            restored = np.asarray(restored).astype(int)
            assert restored.shape == upright.shape, (name, runtime)
            assert np.abs(restored - expected[how]).max() <= 1, (name, runtime)
            means = restored.mean(axis=(0, 1)) - expected[how].mean(axis=(0, 1))
            assert np.abs(means).max() <= 0.3, (name, runtime, means)
        assert np.abs(expected["whole"].astype(int) - upright).mean() > 0.3  # the model changes the photo
