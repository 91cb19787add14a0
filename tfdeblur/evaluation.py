"""Evaluating a generator on a dataset of full-size pairs, and writing the report.

The report (design.md §6): `metrics.json` (means over images of `psnr`, `ssim`
and of the blurred input's `input_psnr`, `input_ssim`, plus `num_images`),
`per_image.csv`, and `comparison.png` (blurred | restored | sharp).
"""

import csv
import json
import os

import numpy as np
import tensorflow as tf

from tfdeblur import metrics
from tfdeblur.inference import TiledRestorer

FIELDS = ("psnr", "ssim", "input_psnr", "input_ssim")


def evaluate(generator, pairs, keep_images=0, progress=None, tile=None):
    """Runs `generator` over `pairs` ({"blur", "sharp", "name"} uint8 dataset).

    Returns (records, examples): one dict of per-image metrics per pair, and
    the first `keep_images` (blur, restored, sharp) uint8 triples for figures.
    `progress`, if given, is called with the running count; `tile` runs the
    generator in overlapping tiles of that side (see `TiledRestorer`).
    """
    restore = TiledRestorer(generator, tile)
    records, examples = [], []
    for index, pair in enumerate(pairs):
        blurred, sharp = pair["blur"], pair["sharp"]
        restored = tf.constant(restore(blurred.numpy()))
        name = pair["name"].numpy().decode() if "name" in pair else f"{index:05d}"
        records.append(
            {
                "name": name,
                "psnr": float(metrics.psnr(restored, sharp)),
                "ssim": float(metrics.ssim(restored, sharp)),
                "input_psnr": float(metrics.psnr(blurred, sharp)),
                "input_ssim": float(metrics.ssim(blurred, sharp)),
            }
        )
        if index < keep_images:
            examples.append((blurred.numpy(), restored.numpy(), sharp.numpy()))
        if progress:
            progress(index + 1)
    if not records:
        raise ValueError("evaluation dataset is empty")
    return records, examples


def summarize(records):
    """Means over images of every metric, and `num_images`."""
    summary = {field: float(np.mean([record[field] for record in records])) for field in FIELDS}
    summary["num_images"] = len(records)
    return summary


def comparison_grid(examples, size=192):
    """A uint8 image: one row per example, blurred | restored | sharp centre crops."""
    rows = []
    for triple in examples:
        height, width = triple[0].shape[:2]
        top, left = max(0, (height - size) // 2), max(0, (width - size) // 2)
        crops = [image[top : top + size, left : left + size] for image in triple]
        rows.append(np.concatenate(crops, axis=1))
    width = max(row.shape[1] for row in rows)
    return np.concatenate([np.pad(row, [(0, 0), (0, width - row.shape[1]), (0, 0)]) for row in rows])


def write_report(records, examples, output_dir):
    """Writes metrics.json, per_image.csv and comparison.png into `output_dir`."""
    os.makedirs(output_dir, exist_ok=True)
    summary = summarize(records)
    with open(os.path.join(output_dir, "metrics.json"), "w") as file:
        json.dump(summary, file, indent=2, allow_nan=True)
        file.write("\n")
    with open(os.path.join(output_dir, "per_image.csv"), "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=("name", *FIELDS))
        writer.writeheader()
        writer.writerows(records)
    if examples:
        _plot_comparison(records, examples, os.path.join(output_dir, "comparison.png"))
    return summary


def _plot_comparison(records, examples, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(len(examples), 3, figsize=(9, 3 * len(examples)), squeeze=False)
    for row, (record, triple) in enumerate(zip(records, examples)):
        titles = (
            f"blurred {record['input_psnr']:.2f} dB",
            f"restored {record['psnr']:.2f} dB",
            "sharp",
        )
        for axis, image, title in zip(axes[row], triple, titles):
            axis.imshow(image)
            axis.set_title(f"{record['name']}: {title}" if axis is axes[row][0] else title, fontsize=9)
            axis.axis("off")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def format_summary(summary):
    """One line for logs: restored and input PSNR/SSIM."""
    gain = summary["psnr"] - summary["input_psnr"]
    return (
        f"PSNR {summary['psnr']:.2f} dB ({gain:+.2f} over input {summary['input_psnr']:.2f}), "
        f"SSIM {summary['ssim']:.4f} (input {summary['input_ssim']:.4f}), {summary['num_images']} images"
    )
