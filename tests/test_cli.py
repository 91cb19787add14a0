"""The command-line tools end to end, in subprocesses, as a user runs them."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import TINY_FLAGS, run_module
from tests.fixtures import write_pair_folder


def _error_lines(result):
    return [
        line for line in result.stderr.splitlines() if "error" in line.lower() and "cuda" not in line.lower()
    ]


def test_bad_flagfile_is_named_without_traceback(tmp_path):
    missing = str(tmp_path / "no_such.cfg")
    result = run_module("tfdeblur.train", f"--flagfile={missing}", f"--output_dir={tmp_path}")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert any(missing in line for line in _error_lines(result)), result.stderr


def test_unknown_dataset_spec_is_named_without_traceback(tmp_path):
    result = run_module("tfdeblur.train", "--dataset=imagenet", f"--output_dir={tmp_path}")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert any("--dataset=imagenet" in line for line in _error_lines(result)), result.stderr


def test_train_resume_and_evaluate(tmp_path):
    run_dir = str(tmp_path / "run")
    first = run_module("tfdeblur.train", *TINY_FLAGS, "--train_steps=4", f"--output_dir={run_dir}")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Resuming" not in first.stdout
    for name in (
        "checkpoints/config.json",
        "checkpoints/ckpt-4.index",
        "metrics.json",
        "per_image.csv",
        "comparison.png",
        "samples/step_000002.png",
        "samples/step_000004.png",
    ):
        assert os.path.exists(os.path.join(run_dir, name)), name
    assert os.listdir(os.path.join(run_dir, "logs"))

    # The same command with more steps continues where the first one stopped.
    second = run_module("tfdeblur.train", *TINY_FLAGS, "--train_steps=6", f"--output_dir={run_dir}")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Resuming from" in second.stdout and "at step 4" in second.stdout
    assert os.path.exists(os.path.join(run_dir, "checkpoints", "ckpt-6.index"))

    with open(os.path.join(run_dir, "metrics.json")) as file:
        trained = json.load(file)
    assert trained["num_images"] == 8
    assert {"psnr", "ssim", "input_psnr", "input_ssim"} <= set(trained)

    report = str(tmp_path / "eval")
    evaluated = run_module("tfdeblur.evaluate", f"--checkpoint={run_dir}", f"--output_dir={report}")
    assert evaluated.returncode == 0, evaluated.stderr[-3000:]
    with open(os.path.join(report, "metrics.json")) as file:
        assert json.load(file) == trained  # the same checkpoint, the same fixed held-out set
    with open(os.path.join(report, "per_image.csv")) as file:
        assert len(file.read().splitlines()) == 1 + trained["num_images"]


def test_evaluate_names_a_missing_checkpoint(tmp_path):
    result = run_module("tfdeblur.evaluate", f"--checkpoint={tmp_path}/none", f"--output_dir={tmp_path}")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"error: --checkpoint={tmp_path}/none" in result.stderr


def test_plots_draws_the_training_curves(tmp_path, trained_run):
    output = str(tmp_path / "curves.png")
    result = run_module(
        "tfdeblur.plots", f"--logdir={os.path.join(trained_run, 'logs')}", f"--output={output}"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert os.path.getsize(output) > 10_000


def test_evaluate_reads_a_row_flagfile_and_writes_a_markdown_row(tmp_path, trained_run):
    report = tmp_path / "eval"
    result = run_module(
        "tfdeblur.evaluate",
        "--flagfile=experiments/quickstart.cfg",
        f"--checkpoint={trained_run}",
        f"--output_dir={report}",
        "--num_figures=1",
        "--figure_crop=64",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (report / "comparison.png").stat().st_size > 5_000
    header, rule, row = (report / "metrics.md").read_text().splitlines()
    assert header.count("|") == rule.count("|") == row.count("|")
    with open(report / "metrics.json") as file:
        assert {"ssim_3d", "psnr_y", "ssim_y"} <= set(json.load(file))


def _reproduce_smoke(tmp_path, *rows):
    """Runs `tfdeblur reproduce --budget=smoke` (on `rows`, or all); returns the table's row lines."""
    results = tmp_path / "results"
    selection = [f"--rows={','.join(rows)}"] if rows else []
    result = run_module(
        "tfdeblur", "reproduce", "--budget=smoke", f"--results_dir={results}", *selection, timeout=1800
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (results / "table.png").stat().st_size > 10_000
    lines = (results / "table.md").read_text().splitlines()
    table = [line for line in lines if line.startswith("| ") and line[2].isdigit()]
    for row in table:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert float(cells[4]) > 0 and -1 <= float(cells[5]) <= 1, row  # our PSNR, SSIM: the row ran
    return table


def test_reproduce_smoke_budget_writes_the_table_of_the_rows_asked_for(tmp_path):
    # The table's machinery on one row; every row's 2-step training is in test_experiments,
    # and the ten-row table in the slow test below.
    table = _reproduce_smoke(tmp_path, "pix2pix_sa_gr")
    assert [row.split("|")[2].strip() for row in table] == ["+ Sl. Attn + GR"]


def test_reproduce_names_a_results_dir_it_cannot_create(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    results = tmp_path / "file" / "results"
    result = run_module("tfdeblur", "reproduce", "--budget=smoke", f"--results_dir={results}")
    assert result.returncode != 0
    assert f"--results_dir={results}: cannot create" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow  # ten training processes: 5-14 minutes on 2 cores
def test_reproduce_smoke_budget_writes_the_table(tmp_path):
    assert len(_reproduce_smoke(tmp_path)) == 10


def test_resume_with_another_training_setting_is_refused_naming_it(trained_run):
    result = run_module(
        "tfdeblur.train", *TINY_FLAGS, "--train_steps=2", "--l1_weight=5", f"--output_dir={trained_run}"
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "error: " in result.stderr and "train_config.json" in result.stderr
    assert "--l1_weight=5.0 (the run has 100.0)" in result.stderr


def test_training_further_continues_on_the_schedule_of_the_new_total(tmp_path, trained_run):
    # The run trained 2 steps with the default schedule (constant: decay_start 1.0); resumed
    # with --decay_start unchanged and --train_steps=3, it continues at the full rate.
    run_dir = tmp_path / "run"
    shutil.copytree(trained_run, run_dir)
    # Where the user has not set TF_ENABLE_ONEDNN_OPTS, the commands turn oneDNN on (the suite
    # sets it to 0 for the run it resumes); flags.txt names the kernels of each invocation.
    result = run_module(
        "tfdeblur.train",
        *TINY_FLAGS,
        "--train_steps=3",
        f"--output_dir={run_dir}",
        unset=["TF_ENABLE_ONEDNN_OPTS"],
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "note: resuming with --train_steps=3 (was 2)" in result.stdout
    assert "Resuming from" in result.stdout and "Learning rate at step 2: 0.0002" in result.stdout
    with open(run_dir / "checkpoints" / "train_config.json") as file:
        assert json.load(file)["train_steps"] == 3
    invocations = re.findall(
        r"# tfdeblur train, started .* \((oneDNN \w+)\)", (run_dir / "flags.txt").read_text()
    )
    assert len(invocations) == 2
    if os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0":
        assert invocations == ["oneDNN off", "oneDNN on"]


def test_evaluate_refuses_model_flags_naming_the_checkpoint_config(tmp_path, trained_run):
    result = run_module(
        "tfdeblur.evaluate",
        f"--checkpoint={trained_run}",
        f"--output_dir={tmp_path}",
        "--generator_depth=4",
        "--nochannel_attention",
        "--batchnorm_statistics=batch",  # an inference setting: taken, not refused
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "error: --generator_depth: not a flag of tfdeblur evaluate (the network is the model's own, "
        "from its config.json) (see tfdeblur evaluate --help)"
    )


def test_evaluate_prints_its_table_and_writes_only_where_told(tmp_path, trained_run):
    # A recipe names its training run's folder as --output_dir: that is not the report's.
    result = run_module(
        "tfdeblur", "evaluate", "--experiment=quickstart", f"--checkpoint={trained_run}", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-2000:]
    header, rule, row, summary = result.stdout.strip().splitlines()[-4:]
    assert header.startswith("| model | dataset | images | PSNR") and rule.startswith("|---")
    assert row.startswith("| run | embedded/test | 8 |") and summary.startswith("embedded/test: PSNR")
    assert os.listdir(tmp_path) == []


def test_an_identical_pair_is_scored_at_the_psnr_cap_in_strict_json(tmp_path, trained_run):
    # A sharp frame paired with itself (frames' window=1) has MSE 0 against its input: PSNR is capped,
    # counted, and metrics.json stays JSON (Python's json.dumps would write Infinity).
    names = write_pair_folder(str(tmp_path / "pairs"), count=2)
    pairs = tmp_path / "pairs"
    shutil.copy(pairs / "sharp" / f"{names[0]}.png", pairs / "blur" / f"{names[0]}.png")
    report = tmp_path / "report"
    result = run_module(
        "tfdeblur.evaluate",
        f"--checkpoint={trained_run}",
        f"--dataset=folder:{pairs}",
        f"--output_dir={report}",
        "--strength=0",  # the input itself: identical to its reference
    )
    assert result.returncode == 0, result.stderr[-2000:]

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    summary = json.loads((report / "metrics.json").read_text(), parse_constant=refuse)
    assert summary["num_images"] == 2 and summary["psnr_capped"] == 1
    per_image = (report / "per_image.csv").read_text()
    assert f"{names[0]},100.0," in per_image
    assert "1 at the 100 dB PSNR cap" in result.stdout


@pytest.mark.parametrize(
    "command, listed, not_listed",
    [
        ("deblur", ["--checkpoint", "--batchnorm_statistics", "--max_memory", "--output"], ["--train_steps"]),
        ("models", ["--generator", "--summary", "--experiments"], ["--train_steps", "--manual_dir"]),
        ("evaluate", ["--checkpoint", "--dataset", "--output_dir"], ["--generator", "--train_steps"]),
        ("train", ["--generator", "--train_steps", "--output_dir"], ["--checkpoint"]),
    ],
)
def test_help_lists_the_flags_a_command_takes(command, listed, not_listed):
    result = run_module("tfdeblur", command, "--help")
    assert result.returncode == 0
    flags = set(re.findall(r"^  (?:-\w,)?--(?:\[no\])?(\w+)", result.stdout, re.M))
    assert {flag[2:] for flag in listed} <= flags and not {flag[2:] for flag in not_listed} & flags
    assert "exit status: 0 done, 1 some inputs failed, 2 bad usage or input" in result.stdout


def _without_tensorflow(*argv):
    """Runs `tfdeblur argv...` where importing TensorFlow fails: what is checked before it starts."""
    code = (
        "import sys; sys.modules['tensorflow'] = None; from tfdeblur.tools import main; "
        f"main(['tfdeblur', *{list(argv)!r}])"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_help_bad_flags_and_missing_paths_answer_before_tensorflow_starts(tmp_path):
    for argv in (
        ["--help"],
        ["--version"],
        ["deblur", "--help"],
        ["train", "--help"],
        ["evaluate", "--help"],
    ):
        result = _without_tensorflow(*argv)
        assert result.returncode == 0 and result.stdout and not result.stderr, (argv, result.stderr[-2000:])
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder")
    for argv, status, message in [
        (["deblur", "missing.jpg", "-o", "x.jpg"], 2, "error: missing.jpg: no such file or folder"),
        (
            ["deblur", str(blocker), "-o", str(blocker / "out.png")],
            2,
            f"error: -o {blocker / 'out.png'}: cannot",
        ),
        (["deblur", str(blocker)], 2, "error: --output is required"),
        (["deblur", str(blocker), "-o", "x.png", "--tile=-1"], 2, "error: flag --tile=-1: "),
        (["train", "--output_dir=x", "--train_steps=many"], 2, "error: flag --train_steps=many: "),
        (
            ["train", "--output_dir=x", "--no_such_flag=1"],
            2,
            "error: --no_such_flag: not a flag of tfdeblur train",
        ),
        (["train", "--output_dir=x", "--experiment=nope"], 2, "error: --experiment=nope: no such recipe"),
        (["models", "stray"], 2, "error: tfdeblur models takes no arguments besides flags, got: stray"),
        (
            ["evaluate", f"--output_dir={blocker / 'report'}"],
            2,
            f"error: --output_dir={blocker / 'report'}: cannot",
        ),
    ]:
        result = _without_tensorflow(*argv)
        assert result.returncode == status, (argv, result.stderr[-2000:])
        assert result.stderr.startswith(message) and len(result.stderr.strip().splitlines()) == 1, (
            argv,
            result.stderr,
        )


def test_tensorflow_start_up_lines_are_shown_only_when_asked(tmp_path):
    quiet = run_module("tfdeblur", "models", "--generator_depth=3")
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr[-2000:]
    verbose = run_module("tfdeblur", "models", "--generator_depth=3", "--verbosity=0")
    assert verbose.returncode == 0 and verbose.stdout == quiet.stdout
