"""The demo model shipped in the package: loads without a checkpoint, and scores what it states."""

import json
import os

import keras
import numpy as np
import pytest

from tests.conftest import TINY, run_module
from tfdeblur import pretrained
from tfdeblur.errors import InputError
from tfdeblur.models import build_generator


def test_save_and_load_round_trip_in_float16(tmp_path):
    keras.utils.set_random_seed(0)
    generator = build_generator(TINY)
    pretrained.save(generator, TINY, str(tmp_path))
    loaded, config = pretrained.load(str(tmp_path))
    assert config == TINY
    for saved, restored in zip(generator.weights, loaded.weights):
        np.testing.assert_allclose(restored.numpy(), saved.numpy(), rtol=1e-3, atol=1e-4)


def test_load_names_a_missing_model(tmp_path):
    with pytest.raises(InputError, match=r"generator\.npz: no packed model here"):
        pretrained.load(str(tmp_path))


def test_shipped_demo_model_scores_its_stated_metrics(tmp_path):
    # metrics.json was written by `python -m tfdeblur.pack` with these very weights.
    with open(os.path.join(pretrained.DEMO_DIR, "metrics.json")) as file:
        stated = json.load(file)
    # Re-measured with one command, on the packed weights as shipped.
    result = run_module("tfdeblur.evaluate", f"--output_dir={tmp_path}", "--dataset=embedded")
    assert result.returncode == 0, result.stderr[-2000:]
    with open(tmp_path / "metrics.json") as file:
        measured = json.load(file)
    assert measured["num_images"] == stated["num_images"]
    assert measured["psnr"] == pytest.approx(stated["psnr"], abs=0.01)
    assert measured["ssim"] == pytest.approx(stated["ssim"], abs=1e-3)
    assert measured["psnr"] > measured["input_psnr"] + 1.0


def test_load_model_takes_a_packed_directory_or_a_training_run(tmp_path, trained_run):
    keras.utils.set_random_seed(0)
    pretrained.save(build_generator(TINY), TINY, str(tmp_path / "packed"))
    assert pretrained.load_model(str(tmp_path / "packed"))[1] == TINY
    assert pretrained.load_model(trained_run)[1].generator_depth == 3
    assert pretrained.load_model(None)[1] == pretrained.load()[1]
