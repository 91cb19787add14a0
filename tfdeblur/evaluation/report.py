"""Evaluating a generator on a dataset of full-size pairs, and writing the report.

The report (README, "Evaluate"): `metrics.json` (means over images of `psnr`, `ssim`,
the variants `ssim_3d`, `psnr_y`, `ssim_y` (see `tfdeblur.evaluation.metrics`), the blurred
input's `input_psnr`, `input_ssim`, plus `num_images`), `metrics.md` (a markdown
table row),
`per_image.csv`, and `comparison.png` (blurred | restored | sharp).
"""

import csv
import functools
import io
import json
import os

import numpy as np
import tensorflow as tf

from tfdeblur import atomic
from tfdeblur.deploy.inference import TiledRestorer, with_strength
from tfdeblur.evaluation import metrics
from tfdeblur.evaluation.figures import saved_figure

# Metrics of the restored image, and of the blurred input (the baseline every table shows).
RESTORED_METRICS = {
    "psnr": metrics.psnr,
    "ssim": metrics.ssim,
    "ssim_3d": metrics.ssim_3d,
    "psnr_y": metrics.psnr_y,
    "ssim_y": metrics.ssim_y,
}
INPUT_METRICS = {"input_psnr": metrics.psnr, "input_ssim": metrics.ssim}
FIELDS = (*RESTORED_METRICS, *INPUT_METRICS)
# What a validation during training computes: the headline metrics (the 3-D SSIM's volume filter
# costs more than the rest together; the full set is for the reports).
HEADLINE_FIELDS = ("psnr", "ssim", "input_psnr", "input_ssim")
MARKDOWN_HEADER = (
    "| model | dataset | images | PSNR | SSIM | SSIM (3-D) | PSNR-Y | input PSNR | input SSIM |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def evaluate(generator, pairs, keep_images=0, progress=None, tile=None, fields=FIELDS, strength=1.0):
    """Runs `generator` over `pairs` ({"blur", "sharp", "name"} uint8 dataset), applying `strength`
    of its correction (`with_strength`; 1: its output as it is).

    Returns (records, examples): one dict per pair of the per-image metrics
    named in `fields`, and the first `keep_images` (blur, restored, sharp)
    uint8 triples for figures.
    `progress`, if given, is called with the running count; `tile` runs the
    generator in overlapping tiles of that side (see `TiledRestorer`).
    """
    restore = TiledRestorer(functools.partial(generator, training=False), tile)
    records, examples = [], []
    for index, pair in enumerate(pairs):
        blurred, sharp = pair["blur"], pair["sharp"]
        restored = tf.constant(with_strength(blurred.numpy(), restore(blurred.numpy()), strength))
        name = pair["name"].numpy().decode() if "name" in pair else f"{index:05d}"
        record = {"name": name}
        for field in fields:
            if field in RESTORED_METRICS:
                record[field] = float(RESTORED_METRICS[field](restored, sharp))
            else:
                record[field] = float(INPUT_METRICS[field](blurred, sharp))
        records.append(record)
        if index < keep_images:
            examples.append((blurred.numpy(), restored.numpy(), sharp.numpy()))
        if progress:
            progress(index + 1)
    if not records:
        raise ValueError("evaluation dataset is empty")
    return records, examples


def summarize(records):
    """Means over images of every metric the records hold, and `num_images`."""
    fields = [field for field in FIELDS if field in records[0]]
    summary = {field: float(np.mean([record[field] for record in records])) for field in fields}
    summary["num_images"] = len(records)
    return summary


def comparison_grid(examples, size=192):
    """A uint8 image: one row per example, blurred | restored | sharp centre crops."""
    rows = [np.concatenate([centre_crop(image, size) for image in triple], axis=1) for triple in examples]
    width = max(row.shape[1] for row in rows)
    return np.concatenate([np.pad(row, [(0, 0), (0, width - row.shape[1]), (0, 0)]) for row in rows])


def centre_crop(image, size):
    """The central size x size pixels of `image` [H, W, C] (all of a side shorter than `size`)."""
    height, width = image.shape[:2]
    top, left = max(0, (height - size) // 2), max(0, (width - size) // 2)
    return image[top : top + size, left : left + size]


def markdown_row(summary, model="", dataset=""):
    """One row under `MARKDOWN_HEADER`."""
    values = [
        f"{summary[field]:.2f}" if "psnr" in field else f"{summary[field]:.4f}"
        for field in ("psnr", "ssim", "ssim_3d", "psnr_y", "input_psnr", "input_ssim")
    ]
    return f"| {model} | {dataset} | {summary['num_images']} | " + " | ".join(values) + " |"


def write_report(records, examples, output_dir, model="", dataset="", figure_crop=0):
    """Writes metrics.json, metrics.md, per_image.csv and comparison.png into `output_dir`
    (whole frames, or their central `figure_crop`^2 pixels)."""
    os.makedirs(output_dir, exist_ok=True)
    summary = summarize(records)
    atomic.write_text(
        os.path.join(output_dir, "metrics.md"),
        f"{MARKDOWN_HEADER}\n{markdown_row(summary, model, dataset)}\n",
    )
    atomic.write_text(os.path.join(output_dir, "metrics.json"), json.dumps(summary, indent=2) + "\n")
    table = io.StringIO(newline="")
    writer = csv.DictWriter(table, fieldnames=("name", *FIELDS))
    writer.writeheader()
    writer.writerows(records)
    atomic.write_text(os.path.join(output_dir, "per_image.csv"), table.getvalue())
    if examples:
        if figure_crop:
            examples = [[centre_crop(image, figure_crop) for image in triple] for triple in examples]
        _plot_comparison(records, examples, os.path.join(output_dir, "comparison.png"))
    return summary


def _plot_comparison(records, examples, path):
    with saved_figure(path, len(examples), 3, figsize=(9, 3 * len(examples))) as (_, axes):
        for row, (record, triple) in enumerate(zip(records, examples)):
            titles = (
                f"{record['name']}: blurred {record['input_psnr']:.2f} dB",
                f"restored {record['psnr']:.2f} dB",
                "sharp",
            )
            for axis, image, title in zip(axes[row], triple, titles):
                axis.imshow(image)
                axis.set_title(title, fontsize=9)
                axis.axis("off")


def format_summary(summary):
    """One line for logs: restored and input PSNR/SSIM."""
    gain = summary["psnr"] - summary["input_psnr"]
    return (
        f"PSNR {summary['psnr']:.2f} dB ({gain:+.2f} over input {summary['input_psnr']:.2f}), "
        f"SSIM {summary['ssim']:.4f} (input {summary['input_ssim']:.4f}), {summary['num_images']} images"
    )
