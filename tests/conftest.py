"""Shared fixtures: small models so the suite stays fast on 2 CPU cores."""

import os
import subprocess
import sys

# The suite runs TensorFlow as most users' CPUs do, with oneDNN off (TensorFlow turns it on by
# default only on CPUs with AVX512_VNNI/BF16 or AMX units), unless the caller sets it: before
# TensorFlow is imported, here and in every command the tests start.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import pytest

from tfdeblur import machine
from tfdeblur.models import ModelConfig

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The 8-level U-Net of the paper, narrowed: same depth (and so the same 256
# stride that broke the paper's code on 720p frames), few filters.
TINY = ModelConfig(
    generator_depth=8,
    generator_filters=4,
    generator_max_filters=16,
    discriminator_filters=4,
    discriminator_layers=2,
)


_ISA = machine.describe()["isa"]
# TensorFlow sends bfloat16 convolutions to oneDNN on a CPU with bfloat16 units; capping oneDNN
# below them (ONEDNN_MAX_CPU_ISA=AVX2, to time such a machine as a common AVX2 one) leaves it
# unable to build them. A real AVX2 CPU runs them (emulated), and so do these tests there.
runs_bfloat16 = pytest.mark.skipif(
    (_ISA["avx512_bf16"] or _ISA["amx_bf16"]) and not machine.has_native_bfloat16(),
    reason="ONEDNN_MAX_CPU_ISA caps oneDNN below this CPU's bfloat16 units",
)


@pytest.fixture
def tiny_config():
    return TINY


def run_module(module, *args, timeout=600, unset=(), cwd=REPO):
    """Runs `python -m module args...` in `cwd` (the repository root by default), without the
    environment variables `unset`; returns the result."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={name: value for name, value in os.environ.items() if name not in unset},
    )


# A model trained in seconds, for the command-line tests.
TINY_FLAGS = [
    "--generator_depth=3",
    "--generator_filters=4",
    "--generator_max_filters=8",
    "--discriminator_layers=1",
    "--discriminator_filters=4",
    "--crop_size=32",
    "--batch_size=2",
    "--steps_per_epoch=2",
]


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory):
    """A run directory trained for 2 steps on the embedded dataset."""
    run_dir = str(tmp_path_factory.mktemp("trained") / "run")
    result = run_module("tfdeblur.train", *TINY_FLAGS, "--train_steps=2", f"--output_dir={run_dir}")
    assert result.returncode == 0, result.stderr[-3000:]
    return run_dir
