r"""A large photo through `tfdeblur deblur`: `python benchmarks/large_photo.py [--megapixels=50]`.

Writes a JPEG of `--megapixels` (a scikit-image photo enlarged, with sensor-like noise),
deblurs it with the shipped model in a child process for each `--max_memory`, and
prints one JSON line per run: wall seconds, the child's peak resident memory
(`getrusage`, what the operating system counted), the budget, and the machine
and oneDNN setting (`TF_ENABLE_ONEDNN_OPTS`, inherited: run with `=0` for the
common CPU's kernels).
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from absl import app, flags
from PIL import Image

FLAGS = flags.FLAGS
# Runs its arguments as a child and prints that child's peak RSS (KiB): one measurement per run.
LAUNCHER = (
    "import resource, subprocess, sys; result = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(result.returncode)"
)
flags.DEFINE_float("megapixels", 50.0, "Size of the photo.")
flags.DEFINE_list("max_memory", ["1", "4"], "--max_memory values (GiB) to run with.")


def write_photo(path, megapixels):
    import skimage.data

    height = int(np.sqrt(megapixels * 1e6 * 2 / 3))
    width = int(height * 3 / 2)
    photo = Image.fromarray(skimage.data.astronaut()).resize((width, height), Image.Resampling.BICUBIC)
    noise = np.random.default_rng(0).normal(0, 3, (height, width, 3))
    pixels = np.clip(np.asarray(photo, np.float32) + noise, 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(path, quality=90)
    return height, width


def main(argv):
    del argv
    from tfdeblur import machine

    with tempfile.TemporaryDirectory() as folder:
        source = os.path.join(folder, "large.jpg")
        height, width = write_photo(source, FLAGS.megapixels)
        for budget in FLAGS.max_memory:
            target = os.path.join(folder, f"out_{budget}.jpg")
            start = time.perf_counter()
            deblur = [
                sys.executable,
                "-m",
                "tfdeblur",
                "deblur",
                source,
                "-o",
                target,
                f"--max_memory={budget}",
            ]
            result = subprocess.run([sys.executable, "-c", LAUNCHER, *deblur], capture_output=True, text=True)
            seconds = time.perf_counter() - start
            peak = int(result.stdout.strip().splitlines()[-1]) * 1024
            record = {
                "height": height,
                "width": width,
                "megapixels": round(height * width / 1e6, 1),
                "max_memory_gib": float(budget),
                "seconds": round(seconds, 1),
                "peak_rss_gib": round(peak / 2**30, 2),
                "error": result.stderr.strip().splitlines()[-1] if result.returncode else None,
                "onednn_variable": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
                "machine": machine.describe(),
            }
            print(json.dumps(record), flush=True)


if __name__ == "__main__":
    app.run(main)
