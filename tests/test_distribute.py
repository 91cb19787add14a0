"""Scale and resilience (issue 7): strategies, mixed precision, NaN guard, crash-safe resume."""

import dataclasses
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.conftest import REPO, TINY, TINY_FLAGS, run_module, runs_bfloat16
from tfdeblur.checkpoints.runs import TrainingCheckpoint
from tfdeblur.config import TrainConfig
from tfdeblur.errors import InputError, TrainingDiverged
from tfdeblur.models import build_discriminator, build_generator
from tfdeblur.tools.plots import read_scalars
from tfdeblur.training import distribute, experiment
from tfdeblur.training.callbacks import SaveCheckpoint, StopOnNonFinite
from tfdeblur.training.gan import GAN
from tfdeblur.training.losses import PerceptualLoss, l1_loss


@pytest.mark.parametrize(("devices", "adversarial"), [(2, "lsgan"), (2, "wgan-gp"), (3, "wgan-gp")])
def test_mirrored_on_logical_cpus_matches_one_device_or_refuses_by_name(devices, adversarial):
    # Global batches 1, 2 and 3 on 2 or 3 replicas: an even split, an uneven one ([2, 1]) and
    # the paper's batch 1, which cannot be split. Losses are averaged over the global batch and
    # the gradient penalty's points drawn for it, so every split computes what one device does:
    # only the order of float32 sums differs (~1e-7 relative), while dividing each replica's mean
    # by the replica count is off by a third for [2, 1], and an empty replica gives NaN.
    result = subprocess.run(
        [sys.executable, "-m", "tests.mirrored_losses", str(devices), adversarial],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    runs = {run["batch"]: run for run in map(json.loads, result.stdout.strip().splitlines())}
    assert sorted(runs) == [1, 2, 3]
    for batch, run in runs.items():
        if batch < devices:
            assert run["refused"].startswith(f"--batch_size={batch} is smaller than the {devices} replicas")
            assert f"use --batch_size={devices}" in run["refused"]
            continue
        for one, mirrored in zip(run["one_device"], run["mirrored"], strict=True):
            assert all(np.isfinite(value) for value in mirrored.values()), mirrored
            assert mirrored == pytest.approx(one, rel=1e-5)
        assert run["gradients"] < 1e-5


def test_both_learning_rates_follow_the_training_step_with_five_critic_steps(tmp_path):
    # The critic's optimizer steps 5 times per training step; its rate must still be the schedule's
    # at the training step (evaluated at its own count it reached 0 at step 2 of 8 here).
    run_dir = tmp_path / "run"
    result = run_module(
        "tfdeblur.train",
        *TINY_FLAGS,
        "--adversarial_loss=wgan-gp",
        "--critic_steps=5",
        "--discriminator_norm=instance",
        "--noconditional",
        "--learning_rate=1e-3",
        "--decay_start=0.25",
        "--train_steps=8",
        "--validation_images=3",
        f"--output_dir={run_dir}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # Each validation scores 3 images, said so; the final report all 8 of embedded/test.
    assert "step 8: validation on the first 3 held-out images: PSNR" in result.stdout
    assert re.search(r"Held-out embedded/test: PSNR .*, 8 images", result.stdout)
    scalars = read_scalars(str(run_dir / "logs"))
    schedule = experiment.learning_rate(TrainConfig(learning_rate=1e-3, decay_start=0.25, train_steps=8))
    for network in ("generator", "discriminator"):
        logged = scalars[f"learning_rate/{network}"]
        assert [step for step, _ in logged] == [2, 4, 6, 8]
        for step, rate in logged:
            assert rate == pytest.approx(float(schedule(step)), abs=1e-9), (network, step)
    assert scalars["learning_rate/discriminator"][1][1] == pytest.approx(2e-3 / 3)  # step 4: 4/6 left


def test_the_papers_batch_of_one_on_two_replicas_is_refused_before_training(tmp_path):
    result = run_module(
        "tests.logical_cpus",
        "2",
        "train",
        *TINY_FLAGS,
        "--batch_size=1",
        "--strategy=mirrored",
        "--train_steps=2",
        f"--output_dir={tmp_path / 'run'}",
    )
    assert result.returncode == 2, result.stderr[-3000:]
    assert result.stderr.strip().splitlines()[-1] == (
        "error: --batch_size=1 is smaller than the 2 replicas of MirroredStrategy: each replica needs "
        "at least one image of the global batch; use --batch_size=2 (it trains as one device at that "
        'batch) or --strategy=one_device (the paper\'s batch 1; README, "Scale out")'
    )
    assert not (tmp_path / "run" / "checkpoints" / "checkpoint").exists()


def test_strategies_by_name():
    assert isinstance(distribute.make_strategy("auto"), tf.distribute.OneDeviceStrategy)  # CPU-only machine
    with pytest.raises(InputError, match="--strategy=tpu: no TPU attached"):
        distribute.make_strategy("tpu")
    with pytest.raises(InputError, match="TF_CONFIG"):
        distribute.make_strategy("multi_worker")


@pytest.fixture
def precision():
    yield distribute.set_precision
    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("policy", ["mixed_float16", pytest.param("mixed_bfloat16", marks=runs_bfloat16)])
def test_mixed_precision_trains_with_float32_outputs(precision, policy):
    # WGAN-GP and a perceptual loss: every loss term of the paper's rows, in reduced precision.
    precision(policy)
    keras.utils.set_random_seed(0)
    config = dataclasses.replace(TINY, discriminator_norm="instance")
    gan = GAN(
        build_generator(config),
        build_discriminator(config, score_bias=False),
        adversarial="wgan-gp",
        content_losses={"l1": (100.0, l1_loss), "perceptual": (0.03, PerceptualLoss(weights=None))},
        critic_steps=2,
    )
    gan.compile(
        distribute.optimizer_for(keras.optimizers.Adam(1e-3), policy),
        distribute.optimizer_for(keras.optimizers.Adam(1e-3), policy),
    )
    assert isinstance(gan.optimizer, keras.optimizers.LossScaleOptimizer) == (policy == "mixed_float16")
    sharp = tf.random.stateless_uniform([2, 64, 64, 3], (0, 3), -1.0, 1.0)
    for _ in range(2):
        logs = gan.train_on_batch(tf.nn.avg_pool2d(sharp, 3, 1, "SAME"), sharp, return_dict=True)
    assert all(np.isfinite(value) for value in logs.values()), logs
    assert gan.generator(sharp).dtype == tf.float32
    convs = [layer for layer in gan.generator.layers if isinstance(layer, keras.layers.Conv2D)]
    assert {layer.compute_dtype for layer in convs} == {policy.removeprefix("mixed_")}


def test_nan_stops_training_and_keeps_the_last_good_checkpoint(tmp_path):
    keras.utils.set_random_seed(0)
    gan = GAN(build_generator(TINY), build_discriminator(TINY))
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    checkpoint = TrainingCheckpoint(gan, str(tmp_path))
    sharp = tf.random.stateless_uniform([6, 32, 32, 3], (0, 4), -1.0, 1.0)
    blurred = tf.tensor_scatter_nd_update(sharp, [[4, 0, 0, 0]], [np.nan])  # the 5th image: step 5
    dataset = tf.data.Dataset.from_tensor_slices((blurred, sharp)).batch(1)
    with pytest.raises(TrainingDiverged, match=r"step 5: .*g_l1 = nan.*checkpoint is .*ckpt-4"):
        gan.fit(
            dataset,
            epochs=3,
            steps_per_epoch=2,
            callbacks=[StopOnNonFinite(checkpoint), SaveCheckpoint(checkpoint)],
            shuffle=False,
            verbose=0,
        )
    assert checkpoint.latest.endswith("ckpt-4")
    reader = tf.train.load_checkpoint(checkpoint.latest)
    for name in reader.get_variable_to_shape_map():
        value = reader.get_tensor(name)
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            assert np.isfinite(value).all(), name


def test_kill_9_then_the_same_command_resumes_to_the_requested_step(tmp_path):
    run_dir = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "tfdeblur.train",
        *TINY_FLAGS,
        "--train_steps=12",
        "--steps_per_epoch=4",
        f"--output_dir={run_dir}",
    ]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    # A checkpoint is complete once the `checkpoint` index names it (its files are written first).
    while not tf.train.latest_checkpoint(str(run_dir / "checkpoints")):
        assert process.poll() is None and time.monotonic() < deadline, "no checkpoint before the kill"
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()

    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    resumed = [line for line in result.stdout.splitlines() if line.startswith("Resuming from")]
    assert len(resumed) == 1, result.stdout[-2000:]
    # The step counter continues from the checkpoint it names, and ends at --train_steps.
    saved_step = int(resumed[0].split("ckpt-")[1].split()[0])
    assert resumed[0].endswith(f"at step {saved_step}") and saved_step >= 4
    assert tf.train.latest_checkpoint(str(run_dir / "checkpoints")).endswith("ckpt-12")
    assert (run_dir / "metrics.json").exists()


def test_two_process_multi_worker_run_trains(tmp_path):
    # Two workers on 127.0.0.1, one CPU each: MultiWorkerMirroredStrategy through fit().
    ports = [_free_port(), _free_port()]
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    processes = []
    for index in range(2):
        environment = dict(
            os.environ, TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        )
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tfdeblur.train",
                    *TINY_FLAGS,
                    "--strategy=multi_worker",
                    "--train_steps=4",
                    f"--output_dir={tmp_path / 'run'}",
                ],
                cwd=REPO,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outputs = [process.communicate(timeout=600) for process in processes]
    for process, (_, stderr) in zip(processes, outputs):
        assert process.returncode == 0, stderr[-3000:]
    assert tf.train.latest_checkpoint(str(tmp_path / "run" / "checkpoints")).endswith("ckpt-4")
    assert (tmp_path / "run" / "metrics.json").exists()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
