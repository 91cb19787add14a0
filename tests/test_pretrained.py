"""The models shipped in the package: load by name or by default, and score what they state."""

import dataclasses
import json
import os

import keras
import numpy as np
import pytest

import tfdeblur
from tests.conftest import REPO, TINY, run_module
from tfdeblur import data
from tfdeblur.checkpoints import pretrained
from tfdeblur.errors import InputError
from tfdeblur.models import build_generator
from tfdeblur.training import experiment


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


def _stated(name):
    """(dataset spec, summary) of each set `tfdeblur pack` measured shipped model `name` on."""
    with open(os.path.join(pretrained.WEIGHTS_DIR, name, pretrained.METRICS_NAME)) as file:
        return [(summary["dataset"].removesuffix("/test"), summary) for summary in json.load(file)]


SHIPPED_SETS = [(name, spec) for name in pretrained.SHIPPED for spec, _ in _stated(name)]


@pytest.mark.parametrize("name, spec", SHIPPED_SETS)
def test_shipped_models_score_their_stated_metrics(tmp_path, name, spec):
    if spec.startswith("folder:") and not os.path.isdir(os.path.join(REPO, spec.removeprefix("folder:"))):
        pytest.skip(f"{spec} is not here")
    stated = dict(_stated(name))[spec]
    # Re-measured with one command, on the packed weights as shipped.
    checkpoint = [] if name == pretrained.DEFAULT else [f"--checkpoint={name}"]
    result = run_module("tfdeblur.evaluate", f"--output_dir={tmp_path}", f"--dataset={spec}", *checkpoint)
    assert result.returncode == 0, result.stderr[-2000:]
    with open(tmp_path / "metrics.json") as file:
        measured = json.load(file)
    assert measured["num_images"] == stated["num_images"]
    assert measured["psnr"] == pytest.approx(stated["psnr"], abs=0.01)
    assert measured["ssim"] == pytest.approx(stated["ssim"], abs=1e-3)


def test_load_model_takes_a_packed_directory_or_a_training_run(tmp_path, trained_run):
    keras.utils.set_random_seed(0)
    pretrained.save(build_generator(TINY), TINY, str(tmp_path / "packed"))
    assert pretrained.load_model(str(tmp_path / "packed"))[1] == TINY
    assert pretrained.load_model(trained_run)[1].generator_depth == 3
    assert pretrained.load_model(None)[1] == pretrained.load()[1]
    demo = os.path.join(pretrained.WEIGHTS_DIR, "demo")
    assert pretrained.load_model("demo")[1] == pretrained.load(demo)[1]


@pytest.mark.parametrize("name", pretrained.SHIPPED)
def test_each_shipped_model_has_its_recipe_and_readme(name):
    """`experiments/shipped/<name>.cfg` builds the very architecture of the packed weights (whose
    default strength `tfdeblur pack --strength` chose after training)."""
    path = os.path.join(REPO, "experiments", "shipped", f"{name}.cfg")
    # A recipe's real frames are ../shared's, absent from a clean clone: the recipe with other data.
    recipe = experiment.Experiment.from_flagfile(path, "--dataset=embedded", "--eval_dataset=embedded")
    packed = pretrained.load_model(name)[1]
    assert recipe.model == dataclasses.replace(packed, strength=recipe.model.strength)
    with open(os.path.join(pretrained.WEIGHTS_DIR, name, "README.md")) as file:
        assert f"experiments/shipped/{name}.cfg" in file.read()


# Issue 28's two sets: synthetic camera shake, and held-out windows of the one real 240 fps clip.
LEVEL_SETS = ["embedded", "frames:../shared/data/gopro_frames,holdout=39,window=9,stride=3"]


@pytest.mark.parametrize("spec", LEVEL_SETS)
def test_the_default_model_shifts_no_channel_s_mean_level(spec):
    """Every output channel's mean is within 0.3 grey levels of its input's, image by image."""
    source, _, rest = spec.partition(":")
    if rest:
        path, _, options = rest.partition(",")
        if not os.path.isdir(os.path.join(REPO, path)):
            pytest.skip(f"{path} is not here")
        spec = f"{source}:{os.path.join(REPO, path)},{options}"
    deblurrer = tfdeblur.load()
    for pair in data.evaluation_pairs(spec).as_numpy_iterator():
        shift = deblurrer(pair["blur"]).mean(axis=(0, 1)) - pair["blur"].mean(axis=(0, 1))
        assert np.abs(shift).max() <= 0.3, (pair["name"], shift)
