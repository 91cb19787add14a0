"""Evaluating a generator on a dataset of full-size pairs, and writing the report.

The report (README, "Evaluate"; docs/evaluation.md): `metrics.json` (means over images of
`psnr`, `ssim`, the variants `ssim_3d`, `psnr_y`, `ssim_y` (see `tfdeblur.evaluation.metrics`),
the blurred input's `input_psnr`, `input_ssim`, plus `num_images`, `psnr_capped` (images
whose PSNR reached `metrics.PSNR_CAP`) and how images were tiled), `metrics.md` (a markdown
table row, and a line saying which images ran in tiles), `per_image.csv`, and
`comparison.png` (blurred | restored | sharp).

Images run as `tfdeblur deblur` runs them (`Deblurrer`: whole where the memory rule and
self-attention allow, else in blended tiles), so a table and a deblurred photo come from
one tiling rule.
"""

import csv
import functools
import io
import json
import os

import numpy as np
import tensorflow as tf

from tfdeblur import atomic
from tfdeblur.deploy.deblurrer import DEFAULT_TILE_OVERLAP, Deblurrer
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


def evaluate(generator, config, pairs, keep_images=0, progress=None, fields=FIELDS, strength=1.0):
    """Runs `generator` (of `config`, a `ModelConfig`) over `pairs` ({"blur", "sharp", "name"} uint8
    dataset) as `tfdeblur deblur` does (a `Deblurrer` with its defaults), applying `strength` of
    its correction (1: its output as it is).

    Returns (records, examples): one dict per pair of the per-image metrics
    named in `fields` and `tile` (the side of the tiles it ran in, 0 whole), and the
    first `keep_images` (blur, restored, sharp) uint8 triples for figures.
    `progress`, if given, is called with the running count.
    """
    deblurrer = Deblurrer(functools.partial(generator, training=False), config, strength=strength)
    records, examples = [], []
    for index, pair in enumerate(pairs):
        blurred, sharp = pair["blur"], pair["sharp"]
        restored = tf.constant(deblurrer(blurred.numpy()))
        name = pair["name"].numpy().decode() if "name" in pair else f"{index:05d}"
        record = {"name": name, "tile": deblurrer.tile_of(*blurred.shape[:2]) or 0}
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


def summarize(records, config=None):
    """Means over images of every metric the records hold, `num_images`, `psnr_capped` (images at
    `metrics.PSNR_CAP`: identical to their reference, or within rounding of it), and
    `tiled_images`; where some ran in tiles, `tile` (the largest side), `tile_overlap` and
    `per_tile_statistics` (whether `config`'s generator normalised each tile by its own statistics)."""
    fields = [field for field in FIELDS if field in records[0]]
    summary = {field: float(np.mean([record[field] for record in records])) for field in fields}
    summary["num_images"] = len(records)
    if "psnr" in fields:
        summary["psnr_capped"] = sum(record["psnr"] >= metrics.PSNR_CAP for record in records)
    tiles = [record["tile"] for record in records if record.get("tile")]
    summary["tiled_images"] = len(tiles)
    if tiles:
        summary["tile"] = max(tiles)
        summary["tile_overlap"] = DEFAULT_TILE_OVERLAP
        summary["per_tile_statistics"] = bool(config and config.normalises_per_image)
    return summary


def tiling_note(summary):
    """A sentence saying which images ran in tiles and whether tiles were normalised apart ("" if none)."""
    if not summary.get("tiled_images"):
        return ""
    note = (
        f"{summary['tiled_images']} of {summary['num_images']} images ran in {summary['tile']}x"
        f"{summary['tile']} tiles (overlap {summary['tile_overlap']})"
    )
    if summary["per_tile_statistics"]:
        note += ', each tile normalised by its own statistics (docs/evaluation.md, "Tiles")'
    return note


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


def markdown_table(summary, model="", dataset=""):
    """The header, one row, and the tiling note (if any) under it."""
    note = tiling_note(summary)
    table = f"{MARKDOWN_HEADER}\n{markdown_row(summary, model, dataset)}\n"
    return f"{table}\n{model}: {note}.\n" if note else table


def write_report(records, examples, output_dir, model="", dataset="", figure_crop=0, config=None):
    """Writes metrics.json, metrics.md, per_image.csv and comparison.png into `output_dir`
    (whole frames, or their central `figure_crop`^2 pixels); `config`: the model's `ModelConfig`."""
    os.makedirs(output_dir, exist_ok=True)
    summary = summarize(records, config)
    atomic.write_text(os.path.join(output_dir, "metrics.md"), markdown_table(summary, model, dataset))
    # Strict JSON: every value is finite (PSNR is capped), so any parser reads it.
    text = json.dumps(summary, indent=2, allow_nan=False)
    atomic.write_text(os.path.join(output_dir, "metrics.json"), text + "\n")
    table = io.StringIO(newline="")
    writer = csv.DictWriter(table, fieldnames=("name", *FIELDS, "tile"))
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
    """One line for logs: restored and input PSNR/SSIM, how many images, capped and tiled."""
    gain = summary["psnr"] - summary["input_psnr"]
    line = (
        f"PSNR {summary['psnr']:.2f} dB ({gain:+.2f} over input {summary['input_psnr']:.2f}), "
        f"SSIM {summary['ssim']:.4f} (input {summary['input_ssim']:.4f}), {summary['num_images']} images"
    )
    if summary.get("psnr_capped"):
        line += f", {summary['psnr_capped']} at the {metrics.PSNR_CAP:g} dB PSNR cap"
    note = tiling_note(summary)
    return f"{line}; {note}" if note else line
