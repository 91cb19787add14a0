"""Blur pairs from high-frame-rate frames: `frames:PATH` and `synthesize --mode=frames`."""

import os
import sys

import numpy as np
import pytest

from tests.conftest import REPO, run_module
from tests.fixtures import write_png, write_video
from tfdeblur import data
from tfdeblur.data import clips, windows
from tfdeblur.errors import InputError
from tfdeblur.evaluation.metrics import psnr

SHARED_FRAMES = os.path.join(REPO, "..", "shared", "data", "gopro_frames", "GOPR0477_11_00")


def _translating_clip(folder, count=15, shift=1, seed=0):
    """`count` frames of one random pattern moving `shift` pixels right per frame (wrapping):
    frame k is np.roll(pattern, k * shift). Returns the pattern in linear light."""
    pattern = np.random.default_rng(seed).integers(0, 256, (24, 40, 3), dtype=np.uint8)
    os.makedirs(folder)
    for index in range(count):
        write_png(os.path.join(folder, f"{index:06d}.png"), np.roll(pattern, index * shift, axis=1))
    return pattern


def _predicted_blur(pattern, first, size, shift, gamma=2.2):
    """The average of frames first .. first + size - 1 in linear light (camera response x ** gamma),
    in float64."""
    linear = (pattern / 255.0) ** gamma
    mean = sum(np.roll(linear, (first + k) * shift, axis=1) for k in range(size)) / size
    return np.round(255.0 * mean ** (1 / gamma))


@pytest.mark.parametrize("shift", [1, 3])
def test_a_translating_pattern_gives_the_predicted_blur(tmp_path, shift):
    clip = str(tmp_path / "clip")
    pattern = _translating_clip(clip, shift=shift)
    pairs = list(data.evaluation_pairs(f"frames:{clip},window=5").as_numpy_iterator())
    assert [pair["name"].decode() for pair in pairs] == ["clip/000000_5", "clip/000005_5", "clip/000010_5"]
    for first, pair in zip((0, 5, 10), pairs):
        np.testing.assert_array_equal(pair["sharp"], np.roll(pattern, (first + 2) * shift, axis=1))
        difference = np.abs(pair["blur"].astype(float) - _predicted_blur(pattern, first, 5, shift))
        assert difference.max() <= 1  # float32 exp/log against float64 powers: 1 LSB at most
        assert np.mean(difference) < 0.05


def test_a_one_frame_window_pairs_a_sharp_frame_with_itself(tmp_path):
    clip = str(tmp_path / "clip")
    _translating_clip(clip, shift=2)
    pairs = list(data.evaluation_pairs(f"frames:{clip},window=1,stride=4").as_numpy_iterator())
    assert [pair["name"].decode() for pair in pairs][:2] == ["clip/000000_1", "clip/000004_1"]
    for pair in pairs:
        np.testing.assert_array_equal(pair["blur"], pair["sharp"])


def test_the_camera_response_is_a_setting_and_a_mix_draws_one_per_window(tmp_path):
    clip = str(tmp_path / "clip")
    pattern = _translating_clip(clip, count=40, shift=2)
    take = lambda response: list(  # noqa: E731
        data.evaluation_pairs(f"frames:{clip},window=5,response={response}").as_numpy_iterator()
    )
    pairs = {response: take(response) for response in ("gamma", "linear", "gamma+linear")}
    for index, pair in enumerate(pairs["linear"]):  # GoPro's `blur`: the encoded values averaged
        difference = np.abs(pair["blur"].astype(float) - _predicted_blur(pattern, 5 * index, 5, 2, gamma=1.0))
        assert difference.max() <= 1
    assert np.mean([pair["blur"].mean() for pair in pairs["gamma"]]) > np.mean(
        [pair["blur"].mean() for pair in pairs["linear"]]
    )
    drawn = []
    for mixed, *singles in zip(pairs["gamma+linear"], pairs["gamma"], pairs["linear"]):
        name, response = mixed["name"].decode().rsplit("_", 1)
        assert name == singles[0]["name"].decode()
        np.testing.assert_array_equal(mixed["blur"], singles[["gamma", "linear"].index(response)]["blur"])
        drawn.append(response)
    assert set(drawn) == {"gamma", "linear"}


def test_windows_draw_odd_sizes_from_the_range_and_stride_as_asked(tmp_path):
    clip = str(tmp_path / "clip")
    _translating_clip(clip, count=40)
    names = [pair["name"].decode() for pair in data.evaluation_pairs(f"frames:{clip}").as_numpy_iterator()]
    sizes = [int(name.rsplit("_", 1)[1]) for name in names]
    assert len(names) == 3 and set(sizes) <= {7, 9, 11, 13}  # first frames 0, 13, 26: no overlap
    assert [name.split("/")[1][:6] for name in names] == ["000000", "000013", "000026"]
    strided = list(data.evaluation_pairs(f"frames:{clip},window=8,stride=4").as_numpy_iterator())
    assert [pair["name"].decode() for pair in strided][:2] == ["clip/000000_8", "clip/000004_8"]
    assert len(strided) == 9  # first frames 0, 4, ..., 32


def test_training_crops_come_from_random_windows(tmp_path):
    clip = str(tmp_path / "clips" / "a")
    _translating_clip(clip, shift=2)
    crops = list(data.train_pairs(f"frames:{tmp_path / 'clips'},window=3-5", 16, seed=2).take(8))
    assert all(crop["blur"].shape == crop["sharp"].shape == (16, 16, 3) for crop in crops)
    assert all(crop["blur"].dtype.name == "uint8" for crop in crops)
    assert any(not np.array_equal(crop["blur"], crop["sharp"]) for crop in crops)


def _striped_clip(folder, count=8, period=10, size=(80, 100)):
    """`count` frames of white vertical lines every `period` pixels on black, moving 1 px per frame."""
    os.makedirs(folder)
    columns = np.arange(size[1])
    for index in range(count):
        frame = np.zeros((*size, 3), np.uint8)
        frame[:, (columns - index) % period == 0] = 255
        write_png(os.path.join(folder, f"{index:06d}.png"), frame)


def _cycles(image):
    """The number of periods across a crop: the lowest of the strongest frequencies of its mean row
    (1-px lines have harmonics as strong as their fundamental)."""
    row = image.astype(float).mean(axis=(0, 2))
    spectrum = np.abs(np.fft.rfft(row - row.mean()))
    return int(np.flatnonzero(spectrum >= 0.9 * spectrum.max())[0])


@pytest.mark.parametrize("scale, cycles", [(1, 4), (2, 2), (0.5, 8)])
def test_the_scale_setting_resizes_training_windows(tmp_path, scale, cycles):
    clip = str(tmp_path / "clip")
    _striped_clip(clip)
    spec = f"frames:{clip},window=3,scale={scale}-{scale}"
    crops = list(data.train_pairs(spec, 40, seed=1).take(4))
    for crop in crops:
        assert crop["blur"].shape == crop["sharp"].shape == (40, 40, 3)
        assert crop["blur"].dtype.name == "uint8"
        # A period of 10 px, seen from twice as near or far: 20 or 5 px, in the blur as in the target.
        assert _cycles(crop["sharp"].numpy()) == _cycles(crop["blur"].numpy()) == cycles
    names = [pair["name"].decode() for pair in data.evaluation_pairs(spec).as_numpy_iterator()]
    assert names == ["clip/000000_3", "clip/000003_3"]  # evaluation windows are never resized
    assert data.evaluation_pairs(spec).element_spec["blur"].shape.as_list() == [None, None, 3]


def test_a_scale_range_draws_factors_across_it_in_a_mix_too(tmp_path):
    clip = str(tmp_path / "clip")
    _striped_clip(clip)
    crops = data.train_pairs(f"frames:{clip},window=3,scale=0.5-2", 40, seed=3).take(40)
    assert {_cycles(crop["sharp"].numpy()) for crop in crops} >= {2, 3, 4, 5, 6, 7}
    mixed = data.train_pairs(f"embedded,mix=frames,frames={clip},window=3,scale=2-2", 40, seed=3)
    assert {_cycles(crop["sharp"].numpy()) for crop in mixed.take(4)} == {2}


def test_bad_scale_settings_are_named(tmp_path):
    _striped_clip(str(tmp_path / "clip"))
    with pytest.raises(InputError, match="scale=2-1 needs 0 < low <= high"):
        data.check_spec(f"frames:{tmp_path / 'clip'},scale=2-1")


def test_holdout_keeps_each_clips_last_frames_for_validation(tmp_path):
    for name in ("a", "b"):
        _translating_clip(str(tmp_path / "clips" / name), count=20)
    spec = f"frames:{tmp_path / 'clips'},window=5,holdout=6"
    names = [pair["name"].decode() for pair in data.evaluation_pairs(spec).as_numpy_iterator()]
    assert names == ["a/000014_5", "b/000014_5"]  # the last 6 frames: 14..19, one window each
    train = clips.find(str(tmp_path / "clips"), "train", holdout=6)
    assert os.path.basename(train["a"].files[-1]) == "000013.png"
    assert len(train["a"]) == len(train["b"]) == 14
    with pytest.raises(InputError, match="holdout=20: clip 'a' has only 20 frames"):
        data.train_pairs(f"frames:{tmp_path / 'clips'},holdout=20", 16)


@pytest.mark.skipif(not os.path.isdir(SHARED_FRAMES), reason="the shared GoPro frames are not here")
def test_the_shared_gopro_frames_give_gopro_sized_blurred_pairs(tmp_path):
    clip = tmp_path / "GOPR0477_11_00"
    clip.mkdir()
    for name in sorted(os.listdir(SHARED_FRAMES))[:26]:
        os.symlink(os.path.join(SHARED_FRAMES, name), clip / name)
    pairs = list(data.evaluation_pairs(f"frames:{clip}").as_numpy_iterator())
    assert len(pairs) == 2  # 26 frames, windows every 13
    for pair in pairs:
        assert pair["blur"].shape == pair["sharp"].shape == (720, 1280, 3)
        assert 28.0 < float(psnr(pair["blur"], pair["sharp"])) < 40.0  # blurred, yet the same scene


@pytest.mark.parametrize("problem", ["too_few", "sizes", "corrupt"])
def test_bad_clips_are_named(tmp_path, problem):
    clip = str(tmp_path / "clip")
    _translating_clip(clip, count=6 if problem == "too_few" else 15)
    expected = {"too_few": f"{clip}: 6 frames in clip 'clip', fewer than the 13-frame window"}
    if problem == "sizes":
        write_png(os.path.join(clip, "000003.png"), np.zeros((24, 41, 3), np.uint8))
        expected[problem] = f"{clip}/000003.png is 24x41 but {clip}/000000.png is 24x40"
    if problem == "corrupt":
        with open(os.path.join(clip, "000004.png"), "wb") as file:
            file.write(b"not an image")
        expected[problem] = f"{clip}/000004.png: not a readable PNG/JPEG/BMP image"
    for load in (
        lambda: data.evaluation_pairs(f"frames:{clip}"),
        lambda: data.train_pairs(f"frames:{clip}", 16),
    ):
        with pytest.raises(InputError) as error:
            load()
        assert expected[problem] in str(error.value)


def test_window_settings_list_their_frame_counts(tmp_path):
    assert windows.window_sizes("9") == [9]
    assert windows.window_sizes("7-13") == [7, 9, 11, 13]
    assert windows.window_sizes("5-9+8+6+7") == [5, 6, 7, 8, 9]
    clip = str(tmp_path / "clip")
    _translating_clip(clip, count=20)
    names = [
        pair["name"].decode()
        for pair in data.evaluation_pairs(f"frames:{clip},window=4+6,stride=2").as_numpy_iterator()
    ]
    assert {name.rsplit("_", 1)[1] for name in names} == {"4", "6"}


def test_bad_window_settings_are_named(tmp_path):
    for spec, message in (
        ("window=0", "window=0: give frame counts from 1 to 1000"),
        ("window=5+4-3", "window=5\\+4-3: give frame counts from 1 to 1000 joined by '\\+'"),
        ("window=x", "unknown setting"),
    ):
        with pytest.raises(InputError, match=message):
            data.check_spec(f"frames:{tmp_path},{spec}")


def test_synthesize_writes_frame_pairs_the_folder_spec_reads(tmp_path):
    _translating_clip(str(tmp_path / "clips" / "walk"))
    result = run_module(
        "tfdeblur",
        "synthesize",
        "--mode=frames",
        f"--frames_dir={tmp_path / 'clips'}",
        "--window=5",
        "--response=linear",
        f"--out={tmp_path / 'pairs'}",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(os.listdir(tmp_path / "pairs" / "blur")) == [
        "walk_000000_5.png",
        "walk_000005_5.png",
        "walk_000010_5.png",
    ]
    written = list(data.evaluation_pairs(f"folder:{tmp_path / 'pairs'}").as_numpy_iterator())
    spec = f"frames:{tmp_path / 'clips'},window=5,response=linear"
    direct = list(data.evaluation_pairs(spec).as_numpy_iterator())
    for a, b in zip(written, direct):
        np.testing.assert_array_equal(a["blur"], b["blur"])
        np.testing.assert_array_equal(a["sharp"], b["sharp"])


def test_a_video_file_is_a_clip_like_a_folder_of_its_frames(tmp_path):
    pattern = _translating_clip(str(tmp_path / "frames"), shift=2)
    frames = [np.roll(pattern, index * 2, axis=1) for index in range(15)]
    (tmp_path / "clips").mkdir()
    write_video(tmp_path / "clips" / "walk.mov", frames)
    from_video = list(data.evaluation_pairs(f"frames:{tmp_path / 'clips' / 'walk.mov'},window=5"))
    from_folder = list(data.evaluation_pairs(f"frames:{tmp_path / 'frames'},window=5"))
    assert [pair["name"].numpy().decode() for pair in from_video] == [
        "walk/000000_5",
        "walk/000005_5",
        "walk/000010_5",
    ]
    for video_pair, folder_pair in zip(from_video, from_folder, strict=True):
        np.testing.assert_array_equal(video_pair["blur"], folder_pair["blur"])
        np.testing.assert_array_equal(video_pair["sharp"], folder_pair["sharp"])
    # In a folder of clips beside a folder of frames; held out and trained on like one.
    os.rename(tmp_path / "frames", tmp_path / "clips" / "still")
    found = clips.find(str(tmp_path / "clips"))
    assert sorted(found) == ["still", "walk"] and len(found["walk"]) == 15
    held_out = data.evaluation_pairs(f"frames:{tmp_path / 'clips'},window=5,holdout=5")
    assert [pair["name"].numpy().decode() for pair in held_out] == ["still/000010_5", "walk/000010_5"]
    crops = list(data.train_pairs(f"frames:{tmp_path / 'clips' / 'walk.mov'},window=3", 16, seed=1).take(4))
    assert all(crop["blur"].shape == (16, 16, 3) for crop in crops)


def test_bad_video_files_are_named(tmp_path, monkeypatch):
    fake = tmp_path / "clip.mp4"
    fake.write_bytes(b"not a video at all")
    pytest.importorskip("av")
    with pytest.raises(InputError, match=f"{fake}: not a readable video"):
        data.evaluation_pairs(f"frames:{fake}")
    notes = tmp_path / "notes.txt"
    notes.write_text("frames?")
    with pytest.raises(InputError, match=f"{notes} is neither a folder nor a video file"):
        data.check_spec(f"frames:{notes}")
    write_video(tmp_path / "short.mov", [np.zeros((24, 40, 3), np.uint8)] * 4)
    with pytest.raises(InputError, match="4 frames in clip 'short', fewer than the 13-frame window"):
        data.evaluation_pairs(f"frames:{tmp_path / 'short.mov'}")
    monkeypatch.setitem(sys.modules, "av", None)  # PyAV not installed
    with pytest.raises(
        InputError, match=r'short.mov: reading video files needs PyAV: pip install "tfdeblur\[video'
    ):
        data.evaluation_pairs(f"frames:{tmp_path / 'short.mov'}")
