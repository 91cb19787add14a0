"""Outputs whole or absent (issue 27): `kill -9` at random moments of deblur jobs and of training,
and a checkpoint write that fails for lack of space. Each test prints its rounds."""

import os
import random
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
import skimage.data
import tensorflow as tf
from PIL import Image

from tests.conftest import REPO, TINY_FLAGS
from tests.fixtures import write_video
from tfdeblur import atomic
from tfdeblur.checkpoints.runs import TrainingCheckpoint, load_generator, write_or_check_configs
from tfdeblur.config import TrainConfig
from tfdeblur.errors import InputError
from tfdeblur.models import build_discriminator, build_generator
from tfdeblur.training.gan import GAN

ROUNDS = 3
TRAINING_ROUNDS = 5


def _start(*argv):
    return subprocess.Popen(
        [sys.executable, "-m", "tfdeblur", *argv], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _kill_when(process, ready, delay, timeout=300):
    """Waits until `ready()` (or the process ends), sleeps `delay` s, then kills it with SIGKILL;
    returns whether it was still running when killed."""
    deadline = time.monotonic() + timeout
    while not ready() and process.poll() is None:
        assert time.monotonic() < deadline, "never got ready"
        time.sleep(0.05)
    time.sleep(delay)
    running = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait()
    return running


def _whole_images(folder):
    """The visible files of `folder`, each decoded in full (a partial file would fail)."""
    names = sorted(name for name in os.listdir(folder) if not name.startswith("."))
    for name in names:
        with Image.open(folder / name) as image:
            image.load()
    return names


def test_kill_9_during_a_folder_job_leaves_whole_outputs_and_skip_existing_finishes_it(trained_run, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for index in range(16):
        crop = skimage.data.astronaut()[rng.integers(0, 200) :][:300, :300]
        Image.fromarray(crop).save(photos / f"{index:02d}.{'jpg' if index % 2 else 'png'}")
    reference = tmp_path / "reference"
    job = ["deblur", str(photos), f"--checkpoint={trained_run}", "--tile=0"]
    assert (
        subprocess.run([sys.executable, "-m", "tfdeblur", *job, "-o", str(reference)], cwd=REPO).returncode
        == 0
    )
    out = tmp_path / "out"
    chooser = random.Random(27)
    partial, killed_running = 0, 0
    for _ in range(ROUNDS):
        process = _start(*job, "-o", str(out), "--skip_existing")
        killed_running += _kill_when(
            process, lambda: out.exists() and any(out.iterdir()), chooser.uniform(0, 0.5)
        )
        names = _whole_images(out)  # raises on a partial output
        partial += len(atomic.leftovers(str(out)))
        assert set(names) <= set(os.listdir(reference))
    finished = subprocess.run(
        [sys.executable, "-m", "tfdeblur", *job, "-o", str(out), "--skip_existing"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert atomic.leftovers(str(out)) == []
    for name in os.listdir(reference):
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    print(
        f"folder job: {ROUNDS} kills ({killed_running} mid-job), {partial} hidden leftovers cleared, "
        "0 partial outputs"
    )


def test_kill_9_during_a_video_leaves_no_video_and_the_rerun_writes_it(trained_run, tmp_path):
    pytest.importorskip("av")
    clip = tmp_path / "clip.mp4"
    rng = np.random.default_rng(1)
    write_video(str(clip), [rng.integers(0, 256, (128, 160, 3), np.uint8) for _ in range(90)], rate=30)
    target = tmp_path / "out" / "sharp.mp4"
    job = ["deblur", str(clip), "-o", str(target), f"--checkpoint={trained_run}"]
    process = _start(*job)
    folder = target.parent
    assert _kill_when(process, lambda: folder.exists() and atomic.leftovers(str(folder)), 0.3)
    assert not target.exists()  # absent, not partial
    finished = subprocess.run(
        [sys.executable, "-m", "tfdeblur", *job], cwd=REPO, capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert target.exists() and atomic.leftovers(str(folder)) == []


@pytest.mark.slow  # ~100 s; tests/test_distribute.py kills and resumes a training run in CI
def test_kill_9_at_random_moments_of_training_leaves_a_loadable_checkpoint_and_resumes(tmp_path):
    run_dir = tmp_path / "run"
    checkpoints = str(run_dir / "checkpoints")
    command = ["train", *TINY_FLAGS, "--steps_per_epoch=1", "--train_steps=30", f"--output_dir={run_dir}"]
    chooser = random.Random(7)
    steps = []
    for _ in range(TRAINING_ROUNDS):
        before = tf.train.latest_checkpoint(checkpoints)
        process = _start(*command)
        # After a checkpoint newer than the round's first, at a random moment of the steps and saves.
        _kill_when(
            process,
            lambda before=before: tf.train.latest_checkpoint(checkpoints) != before,
            chooser.uniform(0, 1.0),
        )
        latest = tf.train.latest_checkpoint(checkpoints)
        load_generator(latest)  # loadable after every kill
        steps.append(int(latest.rsplit("-", 1)[1]))
    finished = subprocess.run(
        [sys.executable, "-m", "tfdeblur", *command], cwd=REPO, capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert tf.train.latest_checkpoint(checkpoints).endswith("ckpt-30")
    print(
        f"training: {TRAINING_ROUNDS} kills after checkpoints {steps}, every one loadable, resumed to step 30"
    )


def test_a_checkpoint_that_cannot_be_written_names_the_folder_and_keeps_the_last(
    tiny_config, tmp_path, monkeypatch
):
    gan = GAN(build_generator(tiny_config), build_discriminator(tiny_config))
    gan.compile(keras.optimizers.Adam(), keras.optimizers.Adam())
    blurred = tf.random.uniform([1, 64, 64, 3], -1.0, 1.0, seed=0)
    write_or_check_configs(str(tmp_path / "checkpoints"), tiny_config, TrainConfig())
    checkpoint = TrainingCheckpoint(gan, str(tmp_path / "checkpoints"))
    gan.train_on_batch(blurred, blurred)
    checkpoint.save()
    good = checkpoint.latest
    gan.train_on_batch(blurred, blurred)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tf.train.Checkpoint, "_write", full_disk)  # what CheckpointManager.save calls
    with pytest.raises(InputError) as error:
        checkpoint.save()
    assert str(error.value) == (
        f"{tmp_path / 'checkpoints'}: cannot write checkpoint ckpt-2 (No space left on device); "
        f"the last good one is kept: {good}"
    )
    monkeypatch.undo()
    assert checkpoint.latest == good
    load_generator(good)
