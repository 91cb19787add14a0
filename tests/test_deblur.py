"""`python -m tfdeblur.deblur`: any size in, same size out, bad files reported, never fatal (issue 6)."""

import os

import numpy as np
import pytest
import skimage.data
import tensorflow as tf

from tests.conftest import run_module
from tests.fixtures import write_png
from tfdeblur.data.files import read_image
from tfdeblur.errors import InputError
from tfdeblur.metrics import psnr
from tfdeblur.tools import deblur


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """A folder of two odd-sized photos (PNG and JPEG) and one corrupt file."""
    folder = tmp_path_factory.mktemp("photos")
    write_png(str(folder / "astronaut.png"), skimage.data.astronaut()[:101, :203])
    tf.io.write_file(str(folder / "coffee.jpg"), tf.io.encode_jpeg(skimage.data.coffee()[:77, :130]))
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    return folder


def test_folder_with_a_corrupt_file_writes_the_others_and_fails(trained_run, photos, tmp_path):
    out = tmp_path / "out"
    result = run_module("tfdeblur.deblur", str(photos), f"--checkpoint={trained_run}", "-o", str(out))
    assert result.returncode == 1, result.stderr[-3000:]
    assert f"error: {photos / 'broken.png'}: not a readable PNG/JPEG/BMP image" in result.stderr
    assert "Wrote 2 of 3 images" in result.stdout
    assert sorted(os.listdir(out)) == ["astronaut.png", "coffee.jpg"]  # formats kept
    assert read_image(str(out / "astronaut.png")).shape == (101, 203, 3)
    assert read_image(str(out / "coffee.jpg")).shape == (77, 130, 3)


def test_saved_model_tiles_and_side_by_side(trained_run, photos, tmp_path):
    export_dir = str(tmp_path / "model" / "1")
    result = run_module("tfdeblur.export", f"--checkpoint={trained_run}", f"--export_dir={export_dir}")
    assert result.returncode == 0, result.stderr[-3000:]
    source = str(photos / "astronaut.png")
    outputs = {}
    for name, extra in {"whole": [], "tiled": ["--tile=64", "--tile_overlap=16"]}.items():
        outputs[name] = str(tmp_path / f"{name}.png")
        result = run_module(
            "tfdeblur.deblur",
            source,
            f"--saved_model={export_dir}",
            "-o",
            outputs[name],
            "--side_by_side",
            *extra,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    whole, tiled = (read_image(path) for path in outputs.values())
    assert whole.shape == (101, 2 * 203, 3)
    np.testing.assert_array_equal(whole[:, :203], read_image(source))  # blurred | restored
    # BatchNorm in inference mode: tiles agree with the whole image (see TiledRestorer).
    assert float(psnr(tiled[:, 203:], whole[:, 203:])) >= 40.0


def test_inputs_expand_files_folders_and_globs(photos):
    expanded = deblur.expand_inputs([str(photos / "*.jpg"), str(photos)])
    assert [os.path.basename(path) for path in expanded] == [
        "coffee.jpg",
        "astronaut.png",
        "broken.png",
        "coffee.jpg",
    ]
    with pytest.raises(InputError, match=r"nothing\.png: no such file or folder"):
        deblur.expand_inputs([str(photos / "nothing.png")])
    with pytest.raises(InputError, match=r"\*.bmp: no PNG/JPEG/BMP images here"):
        deblur.expand_inputs([str(photos / "*.bmp")])


def test_output_paths_keep_names_and_refuse_collisions():
    assert deblur.output_paths(["a/x.jpg"], "y.png") == ["y.png"]
    assert deblur.output_paths(["a/x.jpg", "a/z.bmp"], "out") == ["out/x.jpg", "out/z.png"]
    assert deblur.output_paths(["a/x.jpg"], "out", "png") == ["out/x.png"]
    with pytest.raises(InputError, match=r"a/x\.png and b/x\.png would both be written to out/x\.png"):
        deblur.output_paths(["a/x.png", "b/x.png"], "out")
    with pytest.raises(InputError, match=r"-o y\.bmp: BMP is read, not written"):
        deblur.output_paths(["a/x.png"], "y.bmp")


def test_without_a_model_flag_the_shipped_demo_model_runs(photos, tmp_path):
    out = str(tmp_path / "sharp.jpg")
    result = run_module("tfdeblur.deblur", str(photos / "coffee.jpg"), "-o", out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert read_image(out).shape == (77, 130, 3)
