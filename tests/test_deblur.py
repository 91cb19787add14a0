"""`python -m tfdeblur.deblur`: any size in, same size out, bad files reported, never fatal (issue 6)."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import skimage.data
import tensorflow as tf

from tests.conftest import REPO, run_module
from tests.fixtures import write_png, write_video
from tfdeblur.checkpoints import pretrained
from tfdeblur.data.files import read_image
from tfdeblur.deploy.inference import MemoryModel, graph_peak_bytes
from tfdeblur.errors import InputError
from tfdeblur.evaluation.metrics import psnr
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
    assert "Wrote 2 of 3 results" in result.stdout
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


def test_an_image_that_fits_the_memory_budget_runs_whole_like_the_export(trained_run, tmp_path):
    frame = str(tmp_path / "frame.png")
    write_png(frame, np.random.default_rng(0).integers(0, 256, (721, 1283, 3), dtype=np.uint8))
    export_dir = str(tmp_path / "model" / "1")
    result = run_module("tfdeblur.export", f"--checkpoint={trained_run}", f"--export_dir={export_dir}")
    assert result.returncode == 0, result.stderr[-3000:]
    exported = tf.saved_model.load(export_dir).signatures["serving_default"]
    expected = exported(images=tf.constant(read_image(frame)[np.newaxis]))["images"][0].numpy()
    outputs = {}
    for name, extra in {"default": [], "small_budget": ["--max_memory=0.002"]}.items():
        outputs[name] = str(tmp_path / f"{name}.png")
        result = run_module(
            "tfdeblur.deblur", frame, f"--checkpoint={trained_run}", "-o", outputs[name], *extra
        )
        assert result.returncode == 0, result.stderr[-3000:]
        outputs[name] = (read_image(outputs[name]), result.stdout)
    restored, printed = outputs["default"]
    np.testing.assert_array_equal(restored, expected)  # whole: exactly the SavedModel's output
    assert "run whole in --max_memory=4 GiB" in printed
    tile = int(re.search(r"larger ones in (\d+)x\1 tiles", outputs["small_budget"][1]).group(1))
    assert tile < 721  # 2 MiB leaves room for tiles only


@pytest.mark.parametrize("onednn", ["0", "1"])
def test_the_memory_model_bounds_the_generators_peak_with_and_without_onednn(onednn):
    # The allocator's peak, measured in a process of its own (benchmarks/memory.py keeps statistics
    # with oneDNN off too), for the shipped U-Net on a padded size it was not estimated at.
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/memory.py",
            "--models=demo",
            "--sizes=300x500,721x1283",
            f"--onednn={onednn}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [record.get("error") for record in records] == [None, None]
    for record in records:
        assert record["machine"]["onednn"] is (onednn == "1")
        # The peak moves with the order ops run in (busy cores): the right size, with a margin.
        assert 0.75 <= record["estimate_over_peak"] <= 4.0, record


def test_the_memory_model_counts_padded_pixels_without_running_the_generator():
    _, config = pretrained.load_model(None)  # the shipped U-Net (stride 32)
    memory = MemoryModel(config)
    assert memory.per_pixel > 0
    assert memory.bytes(300, 500) == memory.bytes(320, 512)  # the same padded input
    side = memory.largest_side(memory.bytes(1000, 1000))
    assert side % 32 == 0 and 960 <= side <= 1024


def test_graph_peak_holds_each_output_until_its_last_consumer():
    mib = 2**20

    @tf.function
    def chain(images):  # [1, 512, 512, 4] float32: 4 MiB per full-size tensor
        a = images * 2.0
        b = a + 1.0  # a and b held: 8 MiB; a freed after
        c = b * 3.0  # b and c: 8 MiB; b is still needed below
        d = tf.reduce_mean(c, axis=-1, keepdims=True)  # b, c, d: 9 MiB; c freed
        return b + d  # b, d and the sum: 9 MiB

    graph = chain.get_concrete_function(tf.TensorSpec([1, 512, 512, 4])).graph
    assert graph_peak_bytes(graph) == 9 * mib


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
    with pytest.raises(InputError, match=r"\*.bmp: no PNG/JPEG/BMP images or videos here"):
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


def test_a_video_is_deblurred_frame_by_frame_in_its_own_format(trained_run, photos, tmp_path):
    av = pytest.importorskip("av")
    rng = np.random.default_rng(0)
    scene = skimage.data.astronaut()[100:140, 100:200]
    frames = [
        np.clip(scene[:, index * 4 : index * 4 + 56] + rng.normal(0, 2, (40, 56, 3)), 0, 255)
        for index in range(6)
    ]
    frames = [frame.astype(np.uint8) for frame in frames]
    clips = tmp_path / "clips"
    clips.mkdir()
    write_video(clips / "walk.mov", frames, rate=30)
    (clips / "broken.mp4").write_bytes(b"not a video")
    for index, frame in enumerate(frames):
        write_png(str(tmp_path / "frames" / f"{index}.png"), frame)
    model = f"--checkpoint={trained_run}"
    # A video, a corrupt video and a photo in one call: the readable ones are written.
    out = tmp_path / "out"
    result = run_module("tfdeblur.deblur", str(clips), str(photos / "coffee.jpg"), model, "-o", str(out))
    assert result.returncode == 1, result.stderr[-3000:]
    assert f"error: {clips / 'broken.mp4'}: not a readable video" in result.stderr
    assert "Traceback" not in result.stderr and "Wrote 2 of 3 results" in result.stdout
    as_images = run_module("tfdeblur.deblur", str(tmp_path / "frames"), model, "-o", str(tmp_path / "images"))
    assert as_images.returncode == 0, as_images.stderr[-3000:]

    with av.open(str(out / "walk.mov")) as container:
        stream = container.streams.video[0]
        assert (stream.average_rate, stream.codec_context.name, stream.codec_context.pix_fmt) == (
            30,
            "png",
            "rgb24",
        )
        restored = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
    assert len(restored) == len(frames)
    for index, frame in enumerate(restored):
        expected = read_image(str(tmp_path / "images" / f"{index}.png"))
        assert frame.shape == expected.shape == (40, 56, 3)
        assert np.abs(frame.astype(int) - expected).max() <= 1

    side_by_side = tmp_path / "side_by_side.mov"
    result = run_module(
        "tfdeblur.deblur", str(clips / "walk.mov"), model, "-o", str(side_by_side), "--side_by_side"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with av.open(str(side_by_side)) as container:
        first = next(container.decode(video=0)).to_ndarray(format="rgb24")
    np.testing.assert_array_equal(first[:, :56], frames[0])


def test_outputs_that_cannot_be_written_are_named_before_any_work(photos, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder")
    result = run_module("tfdeblur.deblur", str(photos / "coffee.jpg"), "-o", str(blocker / "out.png"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"error: -o {blocker / 'out.png'}: cannot create {blocker}" in result.stderr
    result = run_module("tfdeblur.export", f"--export_dir={blocker / '1'}")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"error: --export_dir={blocker / '1'}: cannot create {blocker / '1'}" in result.stderr
    result = run_module("tfdeblur.deblur", str(photos / "coffee.jpg"), "-o", str(tmp_path / "x.mp4"))
    assert (
        result.returncode == 2
        and "coffee.jpg is an image; give an image file name or a folder" in result.stderr
    )
