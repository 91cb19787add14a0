"""The demo model shipped in the package: loads without a checkpoint, and scores what it states."""

import json
import os

import keras
import numpy as np
import pytest

from tests.conftest import TINY
from tfdeblur import data, pretrained
from tfdeblur.errors import InputError
from tfdeblur.evaluation import evaluate, summarize
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


def test_shipped_demo_model_scores_its_stated_metrics():
    # metrics.json was written by `python -m tfdeblur.pack` with these very weights.
    with open(os.path.join(pretrained.DEMO_DIR, "metrics.json")) as file:
        stated = json.load(file)
    generator, _ = pretrained.load()
    measured = summarize(evaluate(generator, data.evaluation_pairs("embedded"))[0])
    assert measured["num_images"] == stated["num_images"]
    assert measured["psnr"] == pytest.approx(stated["psnr"], abs=0.01)
    assert measured["ssim"] == pytest.approx(stated["ssim"], abs=1e-3)
    assert measured["psnr"] > measured["input_psnr"] + 1.0
