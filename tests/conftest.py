"""Shared fixtures: small models so the suite stays fast on 2 CPU cores."""

import os
import subprocess
import sys

import pytest

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


@pytest.fixture
def tiny_config():
    return TINY


def run_module(module, *args, timeout=600):
    """Runs `python -m module args...` from the repository root; returns the result."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
