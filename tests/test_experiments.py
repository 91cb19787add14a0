"""Every row of the paper's tables is a flagfile that builds and trains (tfdeblur.paper)."""

import collections
import dataclasses
import glob
import os
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.conftest import REPO, run_module
from tfdeblur import paper
from tfdeblur.models import build_generator
from tfdeblur.training import experiment
from tfdeblur.training.loop import initialise_generator

ROWS = sorted(
    set(glob.glob(os.path.join(REPO, "experiments", "*.cfg")))
    - {os.path.join(REPO, "experiments", "quickstart.cfg")}
)
# Narrow every network so two steps of each row run in seconds on 2 cores.
SMALL = [
    "--generator_filters=8",
    "--generator_max_filters=16",
    "--generator_blocks=2",
    "--discriminator_filters=4",
    "--vgg_weights=random",
]


def test_every_table_row_has_a_flagfile():
    names = {os.path.basename(path)[:-4] for path in ROWS}
    assert names == {
        "pix2pix",
        "pix2pix_sa",
        "pix2pix_sa_gr",
        "pix2pix_sa_sn",
        "pix2pix_sa_ca_gr_sn_percep",
        "rir",
        "rir_large",
        "deblurgan",
        "deblurgan_edge",
        "deblurgan_feedback",
    }
    assert names == set(paper.EXPERIMENTS)


@pytest.mark.parametrize("row", paper.ROWS, ids=lambda row: row.experiment)
def test_row_flagfile_names_its_row_and_holds_only_what_differs_from_its_base(row, tmp_path):
    path = os.path.join(REPO, "experiments", f"{row.experiment}.cfg")
    with open(path) as file:
        lines = file.read().splitlines()
    assert lines[0] == paper.flagfile_title(row)
    assert not re.search(r"\d\d\.\d\d", "\n".join(lines)), "reported numbers live in tfdeblur/paper.py"
    # Every setting of the row changes the experiment: none repeats what its includes already set.
    full = experiment.Experiment.from_flagfile(path)
    for index, line in enumerate(lines):
        if line.startswith("--") and not line.startswith(("--flagfile=", "--output_dir=")):
            copy = tmp_path / f"without_{index}.cfg"  # includes made absolute
            text = "\n".join(lines[:index] + lines[index + 1 :])
            copy.write_text(text.replace("--flagfile=", f"--flagfile={REPO}/experiments/"))
            assert experiment.Experiment.from_flagfile(str(copy)) != full, f"{path}: {line} repeats its base"


def test_row_flagfiles_work_from_any_directory(tmp_path, monkeypatch):
    path = os.path.join(REPO, "experiments", "rir_large.cfg")
    expected = experiment.Experiment.from_flagfile(path)
    monkeypatch.chdir(tmp_path)
    assert experiment.Experiment.from_flagfile(path) == expected
    assert expected.model.generator == "rir" and expected.model.generator_depth == 6
    assert expected.train.l1_weight == 100 and expected.train.learning_rate == 2e-4


@pytest.mark.parametrize("path", ROWS, ids=lambda path: os.path.basename(path))
def test_row_trains_and_every_weight_gets_a_gradient(path):
    # Bug 7 of the paper's code: blocks computed and thrown away. Every trainable
    # weight of G and D must receive a non-zero gradient within two steps (a fresh
    # self-attention block has gamma = 0, so its convs only get one at step 2).
    # A block that is wired dead never learns, whatever the seed; nor did a squeeze
    # layer of channel attention started with every ReLU dead (ChannelAttention).
    run = experiment.Experiment.from_flagfile(path, *SMALL)
    assert not _weights_without_gradient(run, seed=0)


def _weights_without_gradient(run, seed):
    """Trains the row two steps from `seed`; the paths of the weights whose gradients stayed 0."""
    keras.utils.set_random_seed(seed)
    gan = experiment.build_gan(run)
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3), run_eagerly=True)
    seen = collections.defaultdict(bool)
    for optimizer in (gan.optimizer, gan.discriminator_optimizer):
        _record_gradients(optimizer, seen)

    # 128x128: every attention block of the rows then sees more than one position.
    sharp = tf.random.stateless_uniform([1, 128, 128, 3], (0, 5), -1.0, 1.0)
    blurred = tf.nn.avg_pool2d(sharp, 5, 1, "SAME")
    for _ in range(2):
        logs = gan.train_on_batch(blurred, sharp, return_dict=True)
    assert all(np.isfinite(value) for value in logs.values()), logs

    weights = gan.generator.trainable_weights + gan.discriminator.trainable_weights
    assert {weight.path for weight in weights} <= set(seen)
    expected_critic_steps = 5 if run.train.adversarial_loss == "wgan-gp" else 1
    assert int(gan.discriminator_optimizer.iterations) == 2 * expected_critic_steps
    return [path for path, nonzero in seen.items() if not nonzero]


def _record_gradients(optimizer, seen):
    apply = optimizer.apply

    def recording_apply(gradients, variables):
        for gradient, variable in zip(gradients, variables):
            seen[variable.path] |= gradient is not None and bool(tf.reduce_any(gradient != 0))
        return apply(gradients, variables)

    optimizer.apply = recording_apply


@pytest.mark.parametrize("path", ROWS, ids=lambda path: os.path.basename(path))
def test_models_summary_prints_the_parameter_count(path):
    result = run_module("tfdeblur", "models", f"--flagfile={path}", "--summary")
    assert result.returncode == 0, result.stderr[-2000:]
    *_, discriminator_line, generator_line = result.stdout.strip().splitlines()
    assert re.fullmatch(r"params: \d+", generator_line), generator_line
    assert re.fullmatch(r"discriminator params: \d+", discriminator_line), discriminator_line
    # The README's model table quotes both counts; they must be what the code builds.
    row = re.search(
        rf"`{os.path.basename(path)}` \|[^|]*\| ([\d,]+) \| ([\d,]+) \| ([\d.]+) / ([\d.]+) \|", _readme()
    )
    assert row, f"README has no table row for {os.path.basename(path)}"
    assert [int(count.replace(",", "")) for count in row.groups()[:2]] == [
        int(generator_line.split()[-1]),
        int(discriminator_line.split()[-1]),
    ]
    # ... and the paper's numbers, as tfdeblur.paper holds them.
    (reported,) = [entry for entry in paper.ROWS if entry.experiment == os.path.basename(path)[:-4]]
    assert (float(row.group(3)), float(row.group(4))) == (reported.psnr, reported.ssim)


def _readme():
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as file:
        return file.read()


def test_the_real_motion_fine_tuning_recipe_starts_from_the_demo_model():
    # Its data are ../shared's frames, absent from a clean clone: the recipe with other data.
    path = os.path.join(REPO, "experiments", "finetune", "real_motion.cfg")
    recipe = experiment.Experiment.from_flagfile(path, "--dataset=embedded", "--eval_dataset=embedded")
    assert recipe.train.init_from == "demo" and recipe.train.crop_size == 128
    initialise_generator(build_generator(recipe.model), recipe.model, "demo")  # the same generator


def test_the_real_motion_follow_ups_change_one_thing_each():
    folder = os.path.join(REPO, "experiments", "finetune")
    read = lambda name: experiment.Experiment.from_flagfile(  # noqa: E731 (../shared: not in a clone)
        os.path.join(folder, name), "--dataset=embedded", "--eval_dataset=embedded"
    )
    base, scaled, pyramid = map(
        read, ("real_motion.cfg", "real_motion_scale.cfg", "real_motion_coarse_to_fine.cfg")
    )
    assert scaled.model == base.model
    assert pyramid.model == dataclasses.replace(base.model, generator_scales=2)
    for recipe in (scaled, pyramid):
        assert recipe.train.init_from == "runs/motion" and recipe.train.learning_rate == 2e-4
    initialise_generator(build_generator(pyramid.model), pyramid.model, "demo")  # one scale -> two

    def dataset(name):
        with open(os.path.join(folder, name), encoding="utf-8") as file:
            return [line.strip() for line in file if line.startswith("--dataset=")]

    assert dataset("real_motion_scale.cfg") == [dataset("real_motion.cfg")[0] + ",scale=0.5-2"]
    assert dataset("real_motion_coarse_to_fine.cfg") == []  # real_motion.cfg's
