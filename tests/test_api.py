"""The Python API (issue 26): `tfdeblur.load` -> `Deblurrer`, quick `import tfdeblur`, `.keras` exports."""

import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import skimage.data
import tensorflow as tf

import tfdeblur
from tests.conftest import REPO
from tests.test_photos import write_phone_jpeg
from tfdeblur.checkpoints import pretrained
from tfdeblur.deploy import deblurrer as deblurrer_module
from tfdeblur.errors import InputError


@pytest.fixture(scope="module")
def deblurrer():
    return tfdeblur.load(strength=1.0)  # the generator's output as it is


def _python(code, cwd):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_import_tfdeblur_is_quick_and_lists_its_public_names(tmp_path):
    assert sorted(tfdeblur.__all__) == ["Deblurrer", "__version__", "load"]
    assert {"Deblurrer", "load"} <= set(dir(tfdeblur))
    result = _python(
        """
        import sys, tfdeblur
        print(tfdeblur.__version__, "tensorflow" in sys.modules)
        tfdeblur.Deblurrer
        print("tensorflow" in sys.modules)
        """,
        tmp_path,
    )
    assert result.stdout.split() == [tfdeblur.__version__, "False", "True"], result.stderr[-2000:]


def test_arrays_tensors_batches_and_paths_come_back_as_they_went_in(deblurrer, tmp_path):
    image = skimage.data.astronaut()[:75, :101]
    generator, _ = pretrained.load_model()
    expected = tf.cast(
        tf.round(
            tf.clip_by_value((generator(image[None] / 127.5 - 1.0, training=False)[0] + 1) * 127.5, 0, 255)
        ),
        tf.uint8,
    ).numpy()
    restored = deblurrer(image)
    assert isinstance(restored, np.ndarray) and restored.dtype == np.uint8 and restored.shape == image.shape
    # Whole, and the generator's output: eager and graph kernels may round one level apart.
    assert np.abs(restored.astype(int) - expected).max() <= 1 and (restored != expected).mean() < 1e-3
    tensor = deblurrer(tf.constant(image))
    assert isinstance(tensor, tf.Tensor) and tensor.dtype == tf.uint8
    np.testing.assert_array_equal(tensor.numpy(), restored)
    batch = deblurrer(np.stack([image, image[::-1]]))
    assert batch.shape == (2, *image.shape)
    np.testing.assert_array_equal(batch[0], restored)
    write_phone_jpeg(tmp_path / "phone.jpg", image)
    from_path = deblurrer(tmp_path / "phone.jpg")
    assert from_path.shape == image.shape  # upright, by its EXIF orientation


@pytest.mark.parametrize(
    "images, named",
    [
        (np.zeros([8, 8, 3], np.float32), "float32 [8, 8, 3]"),
        (np.zeros([8, 8], np.uint8), "uint8 [8, 8]"),
        (np.zeros([8, 8, 4], np.uint8), "uint8 [8, 8, 4]"),
    ],
)
def test_other_dtypes_and_shapes_are_refused_by_name(deblurrer, images, named):
    with pytest.raises(
        InputError, match=re.escape(f"images: expected uint8 [H, W, 3] or [N, H, W, 3] RGB, got {named}")
    ):
        deblurrer(images)


def test_a_keras_export_loads_with_keras_saving_after_importing_the_layers(tmp_path):
    generator, config = pretrained.load_model()
    path = deblurrer_module.save_keras(generator, config, str(tmp_path / "keras"))
    image = skimage.data.coffee()[:64, :96]
    np.save(tmp_path / "image.npy", image)
    result = _python(
        f"""
        import keras, numpy as np
        import tfdeblur.layers  # registers tfdeblur's layers with keras.saving
        model = keras.saving.load_model({path!r})
        image = np.load({str(tmp_path / "image.npy")!r})
        restored = model(image[None] / 127.5 - 1.0, training=False)
        np.save({str(tmp_path / "restored.npy")!r}, np.asarray(restored))
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    expected = generator(image[None] / 127.5 - 1.0, training=False).numpy()
    np.testing.assert_allclose(np.load(tmp_path / "restored.npy"), expected, atol=1e-5)
    assert deblurrer_module.runtime_of(str(tmp_path / "keras")) == "keras"
    np.testing.assert_array_equal(tfdeblur.load(str(tmp_path / "keras"))(image), tfdeblur.load()(image))
    with pytest.raises(InputError, match=r"already holds model\.keras"):
        deblurrer_module.save_keras(generator, config, str(tmp_path / "keras"))


def readme_python():
    """The code blocks of the README's "Python" section."""
    with open(os.path.join(REPO, "README.md")) as file:
        text = file.read()
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_readme_python_example_runs_as_written(tmp_path):
    (code,) = readme_python()
    result = _python(code, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "(480, 640, 3) uint8"


def test_strength_0_is_the_input_1_the_model_and_between_a_blend(deblurrer):
    image = skimage.data.astronaut()[:64, :80]
    full = deblurrer(image)  # the model's output (strength 1)
    np.testing.assert_array_equal(tfdeblur.load(strength=0.0)(image), image)  # exact identity
    np.testing.assert_array_equal(tfdeblur.load(strength=1.0)(image), full)
    # By default, the model's own strength (chosen on held-out data when it was packed).
    default = tfdeblur.load()
    assert default.strength == default.config.strength == 0.5
    np.testing.assert_array_equal(default(image), tfdeblur.load(strength=0.5)(image))
    half = tfdeblur.load(strength=0.5)(image).astype(int)
    assert np.abs(half - (image.astype(int) + full) / 2).max() <= 0.5
    with pytest.raises(InputError, match=r"strength=1\.5: expected a value from 0"):
        tfdeblur.load(strength=1.5)
