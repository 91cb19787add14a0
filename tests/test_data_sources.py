"""Every data source (folder, synthetic, GoPro) and every kind of bad input (issue: data)."""

import os
import re

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image

from tests.conftest import run_module
from tests.fixtures import GOPRO_SEQUENCES, write_gopro_tree, write_pair_folder, write_png
from tfdeblur import data
from tfdeblur.data import synthetic, windows
from tfdeblur.data.blur import GAMMA
from tfdeblur.data.files import read_image
from tfdeblur.data.gopro import Gopro
from tfdeblur.data.kernels import camera_shake_trajectory, random_kernel
from tfdeblur.data.sources.synthetic import TEST_SEED as SYNTHETIC_TEST_SEED
from tfdeblur.errors import InputError


def _pairs(spec, split="test", **dirs):
    return list(data.evaluation_pairs(spec, split, **dirs).as_numpy_iterator())


def test_folder_pairs_match_by_name_and_keep_full_size(tmp_path):
    names = write_pair_folder(str(tmp_path), count=3)
    os.rename(tmp_path / "blur" / "pair01.png", tmp_path / "blur" / "pair01.PNG")
    pairs = _pairs(f"folder:{tmp_path}")
    assert [pair["name"].decode() for pair in pairs] == names
    assert all(pair["blur"].shape == pair["sharp"].shape == (40, 56, 3) for pair in pairs)


def test_folder_training_crops_cut_both_images_at_one_offset(tmp_path):
    rng = np.random.default_rng(0)
    for index in range(2):
        sharp = rng.integers(0, 256, (50, 70, 3), dtype=np.uint8)
        write_png(str(tmp_path / "sharp" / f"{index}.png"), sharp)
        write_png(str(tmp_path / "blur" / f"{index}.png"), 255 - sharp)  # a pixel-wise twin
    for pair in data.train_pairs(f"folder:{tmp_path}", 16, seed=1).take(6).as_numpy_iterator():
        assert pair["blur"].shape == (16, 16, 3)
        np.testing.assert_array_equal(pair["blur"], 255 - pair["sharp"])


def test_folder_splits_are_used_when_present(tmp_path):
    write_pair_folder(str(tmp_path / "train"), count=4)
    write_pair_folder(str(tmp_path / "test"), count=2, seed=1)
    assert len(_pairs(f"folder:{tmp_path}")) == 2
    assert next(iter(data.train_pairs(f"folder:{tmp_path}", 32)))["blur"].shape == (32, 32, 3)


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("L", lambda rgb: np.repeat(rgb[..., :1], 3, axis=-1)),
        ("RGBA", lambda rgb: rgb),
        ("P", None),
    ],
)
def test_other_png_kinds_become_rgb(tmp_path, mode, expected):
    rgb = np.random.default_rng(0).integers(0, 256, (12, 10, 3), dtype=np.uint8)
    if mode == "L":
        rgb[..., 1] = rgb[..., 2] = rgb[..., 0]
    image = Image.fromarray(rgb).convert(mode)
    path = str(tmp_path / "image.png")
    image.save(path)
    decoded = read_image(path)
    assert decoded.shape == (12, 10, 3) and decoded.dtype == np.uint8
    if expected is not None:
        np.testing.assert_array_equal(decoded, expected(rgb))
    else:  # palette: expanded to the palette's colours
        np.testing.assert_array_equal(decoded, np.asarray(image.convert("RGB")))


def test_16_bit_png_is_scaled_to_8_bits(tmp_path):
    deep = np.random.default_rng(0).integers(0, 65536, (8, 9, 3), dtype=np.uint16)
    path = str(tmp_path / "deep.png")
    tf.io.write_file(path, tf.io.encode_png(deep))
    decoded = read_image(path)
    assert decoded.dtype == np.uint8
    assert np.max(np.abs(decoded.astype(int) - deep.astype(int) / 257.0)) <= 1.0


def _corrupt(tmp_path, how):
    write_pair_folder(str(tmp_path), count=2)
    victim = tmp_path / "blur" / "pair01.png"
    if how == "garbage":
        victim.write_bytes(b"this is not a png at all")
    elif how == "truncated png":
        victim.write_bytes(victim.read_bytes()[:60])
    else:  # a truncated JPEG in place of the PNG
        os.remove(victim)
        victim = tmp_path / "blur" / "pair01.jpg"
        photo = np.random.default_rng(0).integers(0, 256, (40, 56, 3), dtype=np.uint8)
        victim.write_bytes(tf.io.encode_jpeg(photo).numpy()[:200])
    return str(victim)


@pytest.mark.parametrize("how", ["garbage", "truncated png", "truncated jpeg"])
def test_corrupt_files_are_named(tmp_path, how):
    victim = _corrupt(tmp_path, how)
    for load in (lambda: _pairs(f"folder:{tmp_path}"), lambda: data.train_pairs(f"folder:{tmp_path}", 16)):
        with pytest.raises(InputError, match=rf"{re.escape(victim)}: not a readable"):
            load()


@pytest.mark.parametrize("missing", ["sharp", "blur"])
def test_a_file_without_its_twin_is_named(tmp_path, missing):
    write_pair_folder(str(tmp_path), count=3)
    os.remove(tmp_path / missing / "pair02.png")
    other = "blur" if missing == "sharp" else "sharp"
    with pytest.raises(InputError, match=rf"{other}/pair02\.png has no {missing} twin"):
        _pairs(f"folder:{tmp_path}")


def test_a_pair_of_two_sizes_is_named(tmp_path):
    write_pair_folder(str(tmp_path), count=2)
    write_png(str(tmp_path / "sharp" / "pair00.png"), np.zeros((40, 55, 3), np.uint8))
    with pytest.raises(InputError, match=r"pair00\.png is 40x56 but .*pair00\.png is 40x55"):
        _pairs(f"folder:{tmp_path}")


def test_an_image_smaller_than_the_crop_is_named(tmp_path):
    write_pair_folder(str(tmp_path), count=2, height=40)
    with pytest.raises(InputError, match=r"pair00\.png: 40x56 is smaller than the 48x48 crop"):
        data.train_pairs(f"folder:{tmp_path}", 48)


def test_empty_and_missing_folders_are_named(tmp_path):
    (tmp_path / "blur").mkdir()
    (tmp_path / "sharp").mkdir()
    with pytest.raises(InputError, match="hold no PNG, JPEG or BMP images"):
        _pairs(f"folder:{tmp_path}")
    with pytest.raises(InputError, match="is not a folder"):
        _pairs(f"folder:{tmp_path / 'nowhere'}")
    (tmp_path / "other").mkdir()
    with pytest.raises(InputError, match="other/blur: no such folder"):
        _pairs(f"folder:{tmp_path / 'other'}")


def test_synthetic_spec_blurs_sharp_images_reproducibly(tmp_path):
    rng = np.random.default_rng(0)
    for index in range(2):
        write_png(str(tmp_path / f"photo{index}.png"), rng.integers(0, 256, (90, 100, 3), dtype=np.uint8))
    first, second = _pairs(f"synthetic:{tmp_path}"), _pairs(f"synthetic:{tmp_path}")
    assert [pair["name"].decode() for pair in first] == ["photo0", "photo1"]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a["blur"], b["blur"])
        assert a["blur"].shape == a["sharp"].shape and not np.array_equal(a["blur"], a["sharp"])
    crop = next(iter(data.train_pairs(f"synthetic:{tmp_path}", 32)))
    assert crop["blur"].shape == crop["sharp"].shape == (32, 32, 3)


def test_synthetic_mix_of_one_kind_trains_and_evaluates_with_it(tmp_path):
    rng = np.random.default_rng(1)
    write_png(str(tmp_path / "photo.png"), rng.integers(0, 256, (90, 100, 3), dtype=np.uint8))
    (warped,) = _pairs(f"synthetic:{tmp_path},mix=warp")
    (kernel,) = _pairs(f"synthetic:{tmp_path},mix=kernel")
    expected = synthetic.blurred_frame(warped["sharp"], seed=[SYNTHETIC_TEST_SEED, 0], mix={"warp": 1})
    np.testing.assert_array_equal(warped["blur"], expected)
    assert not np.array_equal(warped["blur"], kernel["blur"])
    # Training crops come from a bank of camera paths, not of PSFs.
    take = lambda spec: next(iter(data.train_pairs(spec, 32, seed=4)))  # noqa: E731
    crop, psf_crop = take(f"synthetic:{tmp_path},mix=warp"), take(f"synthetic:{tmp_path},mix=gopro")
    assert crop["blur"].shape == (32, 32, 3)
    np.testing.assert_array_equal(crop["sharp"], psf_crop["sharp"])  # same window...
    assert not np.array_equal(crop["blur"], psf_crop["blur"])  # ...blurred another way


def test_a_mix_blurs_each_chunk_by_one_of_its_kinds_drawn_by_weight(tmp_path):
    image = tf.data.Dataset.from_tensors(
        tf.constant(np.random.default_rng(2).integers(0, 256, (120, 120, 3), dtype=np.uint8))
    ).repeat()
    chunks = 8
    take = lambda mix: list(  # noqa: E731
        synthetic.blurred_crops(image, 24, 5, mix).batch(synthetic.CHUNK).take(chunks).as_numpy_iterator()
    )
    mixed, gopro, warp = take({"gopro": 1.0, "warp": 1.0}), take({"gopro": 1.0}), take({"warp": 1.0})
    kinds = []
    for chunk, by_gopro, by_warp in zip(mixed, gopro, warp):
        np.testing.assert_array_equal(chunk["sharp"], by_gopro["sharp"])
        matches = [np.array_equal(chunk["blur"], other["blur"]) for other in (by_gopro, by_warp)]
        assert sum(matches) == 1
        kinds.append(matches.index(True))
    assert 0 < sum(kinds) < chunks  # both kinds drawn (all alike has probability 2 / 256)
    never = take({"gopro": 1.0, "warp": 0.0})
    assert all(np.array_equal(a["blur"], b["blur"]) for a, b in zip(never, gopro))


def test_a_response_mix_blurs_each_crop_under_one_of_its_camera_responses():
    image = tf.data.Dataset.from_tensors(
        tf.constant(np.random.default_rng(3).integers(0, 256, (120, 120, 3), dtype=np.uint8))
    ).repeat()
    kinds = {"kernel": 1.0, "warp": 1.0}
    take = lambda gammas: list(  # noqa: E731
        synthetic.blurred_crops(image, 24, 5, kinds, gammas).take(64).as_numpy_iterator()
    )
    mixed, light, values = take((GAMMA, 1.0)), take((GAMMA,)), take((1.0,))
    responses = []
    for crop, by_light, by_values in zip(mixed, light, values):
        matches = [np.array_equal(crop["blur"], other["blur"]) for other in (by_light, by_values)]
        assert sum(matches) == 1
        responses.append(matches.index(True))
    assert 0 < sum(responses) < len(mixed)
    # Averaging encoded values darkens high-contrast edges against averaging light (Jensen).
    brighter = [a["blur"].mean() - b["blur"].mean() for a, b in zip(light, values)]
    assert np.mean(brighter) > 1.0


def test_gopro_kernels_are_longer_on_a_larger_canvas():
    bank = synthetic.blur_bank(0, "gopro", size=32).numpy()
    assert bank.shape == (32, synthetic.GOPRO_KERNEL_SIZE, synthetic.GOPRO_KERNEL_SIZE)
    np.testing.assert_allclose(bank.sum(axis=(1, 2)), 1.0, atol=1e-5)
    extents = [max(np.ptp(np.nonzero(psf > 1e-4)[axis]) for axis in (0, 1)) for psf in bank]
    assert max(extents) > synthetic.KERNEL_SIZE  # longer than the kernel kind can be
    assert max(extents) <= synthetic.GOPRO_LENGTHS[1] + 2


def test_embedded_mix_adds_real_frame_windows(tmp_path):
    clip = _translating_clip(tmp_path / "clip", count=20)
    spec = f"embedded,mix=frames,frames={tmp_path / 'clip'},holdout=5"
    crops = list(data.train_pairs(spec, 32, seed=1).take(6).as_numpy_iterator())
    for crop in crops:  # every sharp crop is a crop of a training frame (not of the 5 held out)
        assert any(_contains(frame, crop["sharp"]) for frame in clip[:-5])
    mixed = f"embedded,mix=kernel+frames,frames={tmp_path / 'clip'}"
    crops = list(data.train_pairs(mixed, 32, seed=1).take(32).as_numpy_iterator())
    from_frames = [any(_contains(frame, crop["sharp"]) for frame in clip) for crop in crops]
    assert 0 < sum(from_frames) < len(crops)
    two = f"embedded,mix=frames,frames={tmp_path / 'clip'},window=2"  # frames 1 px apart
    for crop in data.train_pairs(two, 32, seed=1).take(4).as_numpy_iterator():
        sharp = crop["sharp"]  # the later frame of the two: the earlier one is it moved right
        expected = windows.average(np.stack([sharp[:, 1:], sharp[:, :-1]]))["blur"].numpy()
        np.testing.assert_array_equal(crop["blur"][:, 1:], expected)


def _translating_clip(folder, count, size=(48, 64)):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    scene = rng.integers(0, 256, (size[0], size[1] + count, 3), dtype=np.uint8)
    frames = [scene[:, index : index + size[1]] for index in range(count)]
    for index, frame in enumerate(frames):
        write_png(str(folder / f"{index:04d}.png"), frame)
    return frames


def _contains(image, crop):
    height, width = crop.shape[:2]
    return any(
        np.array_equal(image[top : top + height, left : left + width], crop)
        for top in range(image.shape[0] - height + 1)
        for left in range(image.shape[1] - width + 1)
    )


@pytest.mark.parametrize(
    "spec, message",
    [
        ("synthetic:{tmp},mix=shake", "unknown setting 'mix=shake' for synthetic"),
        ("folder:{tmp},mix=warp", "unknown setting 'mix=warp' for folder"),
        ("embedded:photos", "'embedded' takes no argument"),
        ("embedded,mix=kernel+kernel:2", "'kernel' appears twice in the mix"),
        ("embedded,mix=kernel:0", "the mix's weights are all 0"),
        ("embedded,mix=kernel+frames", "need both a frames weight in mix= and the clips' folder"),
        ("embedded,frames={tmp}", "need both a frames weight in mix= and the clips' folder"),
        ("embedded,holdout=3", "holdout= applies to frames=PATH, not given"),
        ("embedded,window=3", "window= applies to frames=PATH, not given"),
        ("embedded,mix=frames,frames={tmp},window=3-2", "window=3-2: give frame counts from 1 to"),
        ("embedded,scale=0.5-2", "scale= applies to frames=PATH, not given"),
        ("embedded,mix=frames,frames={tmp},scale=0-1", "scale=0-1 needs 0 < low <= high"),
        ("embedded,response=gamma+gamma", "response=gamma+gamma: a camera response appears twice"),
        ("embedded,response=srgb", "unknown setting 'response=srgb' for embedded"),
        ("synthetic:{tmp},mix=frames,frames={tmp}/none", "{tmp}/none is neither a folder nor a video file"),
    ],
)
def test_bad_spec_settings_are_named(tmp_path, spec, message):
    with pytest.raises(InputError, match=re.escape(message.format(tmp=tmp_path))):
        data.check_spec(spec.format(tmp=tmp_path))


def test_kernels_sum_to_one_are_deterministic_and_follow_the_length_range():
    for seed in range(10):
        for low, high in ((3.0, 6.0), (10.0, 25.0)):
            rng = np.random.default_rng(seed)
            length = rng.uniform(low, high)
            path = camera_shake_trajectory(rng, length)
            assert np.sum(np.abs(np.diff(path))) == pytest.approx(length, rel=1e-6)
            kernel = random_kernel(np.random.default_rng(seed), 27, (low, high))
            assert kernel.sum() == pytest.approx(1.0, abs=1e-5)
            rows, columns = np.nonzero(kernel > 1e-4)
            assert max(np.ptp(rows), np.ptp(columns)) <= high + 2
            np.testing.assert_array_equal(kernel, random_kernel(np.random.default_rng(seed), 27, (low, high)))


def test_warp_blur_varies_across_the_image():
    # A pure rotation about the centre: the centre stays sharp, the corners smear.
    sharp = np.random.default_rng(0).integers(0, 256, (121, 121, 3), dtype=np.uint8)
    poses = np.zeros((9, 4), np.float32)
    poses[:, 2] = np.linspace(-0.03, 0.03, 9)
    blurred = synthetic.warp_blur(tf.constant(sharp), tf.constant(poses)).numpy().astype(float)
    error = np.abs(blurred - sharp).mean(axis=-1)
    centre, corner = error[55:66, 55:66].mean(), error[:11, :11].mean()
    assert corner > 3 * centre
    frame = synthetic.blurred_frame(sharp, seed=[1, 2], mix={"warp": 1})
    np.testing.assert_array_equal(frame, synthetic.blurred_frame(sharp, seed=[1, 2], mix={"warp": 1}))


def test_synthesize_writes_folders_the_folder_spec_reads(tmp_path):
    write_pair_folder(str(tmp_path / "src"), count=2)
    result = run_module(
        "tfdeblur",
        "synthesize",
        f"--sharp_dir={tmp_path / 'src' / 'sharp'}",
        f"--out={tmp_path / 'out'}",
        "--mode=warp",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    pairs = _pairs(f"folder:{tmp_path / 'out'}")
    assert len(pairs) == 2 and not np.array_equal(pairs[0]["blur"], pairs[0]["sharp"])


def test_synthesize_names_an_output_folder_it_cannot_create(tmp_path):
    write_pair_folder(str(tmp_path / "src"), count=1)
    (tmp_path / "file").write_text("not a folder")
    out = tmp_path / "file" / "out"
    result = run_module("tfdeblur", "synthesize", f"--sharp_dir={tmp_path / 'src' / 'sharp'}", f"--out={out}")
    assert result.returncode != 0
    assert f"--out={out}: cannot create" in result.stderr and "Traceback" not in result.stderr


def test_gopro_spec_prepares_from_the_manual_dir(tmp_path):
    counts = write_gopro_tree(str(tmp_path / "manual"))
    dirs = {"data_dir": str(tmp_path / "tfds"), "manual_dir": str(tmp_path / "manual")}
    pairs = _pairs("gopro/blur", "test", **dirs)
    assert len(pairs) == counts["test"]
    names = {pair["name"].decode() for pair in pairs}
    expected = {f"{sequence}/{frame:06d}.png" for sequence in GOPRO_SEQUENCES["test"] for frame in range(2)}
    assert names == expected
    assert pairs[0]["blur"].shape == (48, 64, 3)
    crop = next(iter(data.train_pairs("gopro/blur_gamma", 32, **dirs)))
    assert crop["sharp"].shape == (32, 32, 3)


def test_gopro_training_batches_are_the_same_for_the_same_seed(tmp_path):
    # Several record files, so that the file order (drawn from the seed) matters.
    write_gopro_tree(str(tmp_path / "manual"), frames=3)
    dirs = {"data_dir": str(tmp_path / "tfds"), "manual_dir": str(tmp_path / "manual")}
    builder = Gopro(config="blur", data_dir=dirs["data_dir"])
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=dirs["manual_dir"], num_shards=4)
    )
    assert len(builder.info.splits["train"].shard_lengths) == 4

    def batches(seed):
        stream = data.training_batches(data.train_pairs("gopro/blur", 16, seed=seed, **dirs), 2, seed=seed)
        return np.stack([np.concatenate(batch) for batch in stream.take(20)])

    first = batches(seed=3)
    assert first.shape == (20, 4, 16, 16, 3)
    np.testing.assert_array_equal(batches(seed=3), first)
    assert not np.array_equal(batches(seed=4), first)


def test_gopro_without_the_download_says_where_to_put_it(tmp_path):
    (tmp_path / "manual").mkdir()
    dirs = {"data_dir": str(tmp_path / "tfds"), "manual_dir": str(tmp_path / "manual")}
    with pytest.raises(InputError, match=r"GOPRO_Large\.zip"):
        _pairs("gopro/blur", **dirs)


@pytest.mark.parametrize("spec", ["gopro/blur", "folder"])
def test_evaluate_runs_end_to_end_on_the_fixtures(tmp_path, spec, trained_run):
    if spec == "folder":
        write_pair_folder(str(tmp_path / "pairs"), count=2)
        args = [f"--dataset=folder:{tmp_path / 'pairs'}"]
    else:
        write_gopro_tree(str(tmp_path / "manual"))
        args = [
            "--dataset=gopro/blur",
            f"--manual_dir={tmp_path / 'manual'}",
            f"--data_dir={tmp_path / 'tfds'}",
        ]
    result = run_module(
        "tfdeblur.evaluate", f"--checkpoint={trained_run}", f"--output_dir={tmp_path / 'eval'}", *args
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "eval" / "metrics.json").exists()
