r"""Regenerates the paper's tables: `tfdeblur reproduce --budget=smoke|cpu|full --dataset=SPEC`.

Trains and evaluates every row of `tfdeblur.paper.ROWS` from its flagfile (each in its
own `python -m tfdeblur.train` process, so one row's failure is reported, not fatal) and
writes `results/table.md` (the paper's GoPro numbers beside ours, marked with
the dataset and budget ours come from) and `results/table.png` (a bar chart).

Budgets:
- `smoke`: 2 steps of narrow networks: checks the machinery, numbers mean nothing.
- `cpu`: narrowed networks at the paper's 256^2 crops (smaller crops are padded
  to 256 inside the 8-level U-Net anyway), batch 1, 1500 steps per row: the five
  rows without a perceptual loss take 27 min on 2 AVX-512 cores (README). Trends only.
- `full`: the flagfiles as written: the paper's schedule, for a GPU/TPU.

Rows with a perceptual loss need VGG19 ImageNet weights (`--vgg_weights`); where
they cannot be loaded the row is reported as not run. `smoke` uses random VGG
weights, and says so.
"""

import json
import os
import subprocess
import sys
import time

import numpy as np
from absl import app, flags

from tfdeblur.errors import InputError
from tfdeblur.evaluation.figures import saved_figure
from tfdeblur.flagfiles import RECIPES_DIR
from tfdeblur.paper import EXPERIMENTS as ROW_NAMES
from tfdeblur.paper import ROWS
from tfdeblur.tools import command

NARROW = [
    "--generator_filters=4",
    "--generator_max_filters=16",
    "--generator_blocks=2",
    "--discriminator_filters=4",
]
BUDGETS = {
    "smoke": [
        *NARROW,
        "--channel_reduction=1",
        "--attention_max_positions=4096",  # evaluate in 256-pixel tiles: small attention maps
        "--crop_size=64",
        "--train_steps=2",
        "--steps_per_epoch=2",
    ],
    "cpu": [
        "--generator_filters=16",
        "--generator_max_filters=64",
        "--generator_blocks=3",
        "--discriminator_filters=16",
        "--channel_reduction=4",
        "--crop_size=256",
        "--batch_size=1",
        "--train_steps=1500",
        "--steps_per_epoch=500",
    ],
    "full": [],
}

POSITIONAL = False
FLAGS = flags.FLAGS


def define_flags():
    flags.DEFINE_enum("budget", "smoke", sorted(BUDGETS), "How much training each row gets.")
    flags.DEFINE_string("dataset", "embedded", "Dataset spec to train and evaluate on.")
    flags.DEFINE_string("results_dir", "results", "Where table.md, table.png and runs/ go.")
    flags.DEFINE_list("rows", list(ROW_NAMES), "Flagfile names of the rows to run.")
    flags.DEFINE_string(
        "experiments_dir", RECIPES_DIR, "The folder of the row flagfiles (default: the recipes)."
    )
    flags.DEFINE_string(
        "vgg_weights", "imagenet", "VGG19 weights for the perceptual rows ('random' in smoke)."
    )
    flags.DEFINE_list("extra_flags", [], "More training flags for every row, e.g. --manual_dir=...")


def run_row(name, output_dir):
    """Trains and evaluates one row; returns (metrics dict or None, seconds, error line)."""
    vgg = "random" if FLAGS.budget == "smoke" else FLAGS.vgg_weights
    command = [
        sys.executable,
        "-m",
        "tfdeblur.train",
        f"--flagfile={os.path.join(FLAGS.experiments_dir, name + '.cfg')}",
        f"--dataset={FLAGS.dataset}",
        f"--output_dir={output_dir}",
        f"--vgg_weights={vgg}",
        *BUDGETS[FLAGS.budget],
        *FLAGS.extra_flags,
    ]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        return None, seconds, (errors or result.stderr.strip().splitlines() or ["failed"])[-1]
    with open(os.path.join(output_dir, "metrics.json")) as file:
        return json.load(file), seconds, ""


def write_table(results, path):
    """The markdown table: paper vs ours, per row."""
    budget_note = {
        "smoke": "2 steps of narrow networks (a machinery check: the numbers mean nothing)",
        "cpu": "narrowed networks, 1500 steps of 256^2 crops at batch 1 on a 2-core CPU",
        "full": "the paper's schedule",
    }[FLAGS.budget]
    lines = [
        "# The paper's tables, regenerated",
        "",
        f"Ours: `--dataset={FLAGS.dataset}`, budget `{FLAGS.budget}` ({budget_note}); "
        "paper: GoPro, 300 epochs. PSNR on uint8 RGB; SSIM per channel (11x11, sigma 1.5); "
        "SSIM (3-D) is the MATLAB-style variant (tfdeblur.evaluation.metrics).",
    ]
    if FLAGS.budget == "smoke":
        lines.append("Perceptual rows used random VGG19 weights in this smoke run.")
    lines += [
        "",
        "| table | row | paper PSNR | paper SSIM | our PSNR | our SSIM | our SSIM (3-D) | input PSNR "
        "| time (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row, (summary, seconds, error) in zip(ROWS, results):
        if row.experiment not in FLAGS.rows:
            continue
        if summary:
            psnr, ssim, ssim_3d, input_psnr = (
                summary[key] for key in ("psnr", "ssim", "ssim_3d", "input_psnr")
            )
            ours = f"{psnr:.2f} | {ssim:.4f} | {ssim_3d:.4f} | {input_psnr:.2f}"
        else:
            ours = f"not run: {error} | | |"
        lines.append(
            f"| {row.table} | {row.label} | {row.psnr:.2f} | {row.ssim:.3f} | {ours} | {seconds:.0f} |"
        )
    with open(path, "w") as file:
        file.write("\n".join(lines) + "\n")


def plot_table(results, path):
    """Bar chart of the paper's and our PSNR per row (different data and budgets: compare trends)."""
    rows = [(row, result) for row, result in zip(ROWS, results) if row.experiment in FLAGS.rows]
    positions = np.arange(len(rows))
    with saved_figure(path, figsize=(max(6, 1.1 * len(rows)), 4.5)) as (_, axes):
        axis = axes[0][0]
        axis.bar(positions - 0.2, [row.psnr for row, _ in rows], 0.4, label="paper (GoPro)")
        ours = [result[0]["psnr"] if result[0] else 0.0 for _, result in rows]
        axis.bar(positions + 0.2, ours, 0.4, label=f"ours ({FLAGS.dataset}, {FLAGS.budget})")
        axis.set_xticks(positions, [row.experiment for row, _ in rows], rotation=35, ha="right", fontsize=8)
        axis.set(ylabel="PSNR (dB)", title="Paper vs ours (different data and budgets: compare trends)")
        axis.legend(fontsize=8)


def main(argv):
    del argv
    unknown = sorted(set(FLAGS.rows) - set(ROW_NAMES))
    if unknown:
        raise app.UsageError(f"--rows: unknown rows {unknown}")
    if not os.path.isdir(FLAGS.experiments_dir):
        raise InputError(
            f"--experiments_dir={FLAGS.experiments_dir}: no such folder (the repository's experiments/)"
        )
    command.check_writable([FLAGS.results_dir], f"--results_dir={FLAGS.results_dir}")
    results = []
    for row in ROWS:
        if row.experiment not in FLAGS.rows:
            results.append((None, 0.0, "not selected"))
            continue
        output_dir = os.path.join(FLAGS.results_dir, "runs", FLAGS.budget, row.experiment)
        results.append(run_row(row.experiment, output_dir))
        summary, seconds, error = results[-1]
        status = f"PSNR {summary['psnr']:.2f}" if summary else f"not run: {error}"
        print(f"{row.label}: {status} ({seconds:.0f} s)", flush=True)
    write_table(results, os.path.join(FLAGS.results_dir, "table.md"))
    plot_table(results, os.path.join(FLAGS.results_dir, "table.png"))
    print(f"Wrote {os.path.join(FLAGS.results_dir, 'table.md')} and table.png")
