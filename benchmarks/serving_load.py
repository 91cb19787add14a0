r"""An export under load and abuse, as TF Serving runs it: `python benchmarks/serving_load.py`.

The shipped model is exported (`tfdeblur export --tile`, a child process) and its SavedModel
loaded once in this process, the graph TF Serving runs. First, fresh: the ~1 MB PNG of
20000^2 black pixels to `deblur_bytes`, then a 720p photo. Then `--clients` threads send, for
`--seconds`, a mix of good photos (JPEG and PNG of `--sizes`, through `deblur_bytes`, and raw
pixels through `serving_default`) and every request of `HOSTILE`. Every good answer is compared
with `tfdeblur deblur --tile=<the same tile>` (run beforehand, a child process): equal to 1 LSB.
Every hostile one must be refused: `InvalidArgumentError` from the graph, or, for a tensor of
the wrong dtype or rank, the signature's own refusal (TF Serving refuses those before the graph).
Between the two phases, `--fresh_photo` alone: the memory one large request takes.

Prints one JSON record: requests and outcomes, p50/p99 latency and throughput of the good
requests, this process's peak RSS (`getrusage`), the machine and oneDNN setting
(`TF_ENABLE_ONEDNN_OPTS`, inherited: `=0` for the common CPU's kernels).
"""

import concurrent.futures
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
from absl import app, flags
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tests.fixtures import black_png, png_header

FLAGS = flags.FLAGS
flags.DEFINE_float("seconds", 60.0, "How long the clients send requests.")
flags.DEFINE_integer("clients", 8, "Concurrent client threads.")
flags.DEFINE_list(
    "sizes", ["1280x720", "1920x1080", "4000x3000"], "Good photos, WIDTHxHEIGHT, JPEG and PNG each."
)
flags.DEFINE_string("fresh_photo", "4000x3000", "WIDTHxHEIGHT of the PNG sent alone after the 720p one.")
flags.DEFINE_integer("tile", None, "The export's --tile (default: export's own, by its --max_memory).")
flags.DEFINE_float("max_megapixels", 25.0, "The export's --max_megapixels.")

# What a hostile client sends, by name; each must be refused.
HOSTILE = (
    "png_20000x20000_1MB",
    "png_header_60000x60000",
    "jpeg_truncated",
    "png_truncated",
    "random_bytes",
    "gif_200_frames",
    "bmp_claiming_4000x3000",
    "batch_with_one_bad_image",
    "tensor_float_to_uint8_signature",
    "tensor_of_rank_3",
    "tensor_over_the_limit",
)


def _photo(width, height, seed):
    """A photo-like uint8 image: a scikit-image photo enlarged, with sensor-like noise."""
    import skimage.data

    photo = Image.fromarray(skimage.data.astronaut()).resize((width, height), Image.Resampling.BICUBIC)
    noise = np.random.default_rng(seed).normal(0, 3, (height, width, 3))
    return np.clip(np.asarray(photo, np.float32) + noise, 0, 255).astype(np.uint8)


def _encoded(pixels, image_format):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, image_format, **({"quality": 92} if image_format == "JPEG" else {}))
    return buffer.getvalue()


def _hostile_requests(good_jpeg, good_png):
    """{name: (signature, input)} of `HOSTILE`."""
    frames = [Image.fromarray(np.full([64, 64, 3], shade, np.uint8)) for shade in range(200)]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:])
    bmp = bytearray(_encoded(np.zeros([8, 8, 3], np.uint8), "BMP"))
    bmp[18:26] = np.array([4000, 3000], "<i4").tobytes()
    side = int(np.sqrt(FLAGS.max_megapixels * 1e6)) + 1
    return {
        "png_20000x20000_1MB": ("deblur_bytes", [black_png(20000, 20000)]),
        "png_header_60000x60000": ("deblur_bytes", [png_header(60000, 60000)]),
        "jpeg_truncated": ("deblur_bytes", [good_jpeg[: len(good_jpeg) // 2]]),
        "png_truncated": ("deblur_bytes", [good_png[: len(good_png) // 2]]),
        "random_bytes": ("deblur_bytes", [np.random.default_rng(0).bytes(100_000)]),
        "gif_200_frames": ("deblur_bytes", [gif.getvalue()]),
        "bmp_claiming_4000x3000": ("deblur_bytes", [bytes(bmp)]),
        "batch_with_one_bad_image": ("deblur_bytes", [good_png, b"not an image"]),
        "tensor_float_to_uint8_signature": ("serving_default", np.zeros([1, 32, 32, 3], np.float32)),
        "tensor_of_rank_3": ("serving_default", np.zeros([32, 32, 3], np.uint8)),
        "tensor_over_the_limit": ("serving_default", np.zeros([1, side, side, 3], np.uint8)),
    }


def _call(signatures, signature, value):
    """The signature's outputs for one request, as TF Serving feeds it."""
    import tensorflow as tf

    if signature == "deblur_bytes":
        return signatures[signature](image_bytes=tf.constant(value, tf.string))["image_bytes"].numpy()
    return signatures[signature](images=tf.constant(value))["images"].numpy()


def _decoded(outputs):
    return [np.asarray(Image.open(io.BytesIO(contents)).convert("RGB")) for contents in outputs]


def _run(command):
    result = subprocess.run([sys.executable, "-m", "tfdeblur", *command], capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"tfdeblur {command[0]} failed: {result.stderr[-2000:]}")
    return result.stdout


def main(argv):
    del argv
    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(measure(folder)), flush=True)


def measure(folder):
    """Prepares the photos, the export and the command line's answers in `folder`; runs the load."""
    good = {}  # {file name: contents}, stems unique for the command line's outputs
    for index, size in enumerate(FLAGS.sizes):
        width, height = (int(side) for side in size.split("x"))
        for image_format, extension in (("JPEG", "jpg"), ("PNG", "png")):
            good[f"{size}_{extension}.{extension}"] = _encoded(_photo(width, height, index), image_format)
    good["720p.jpg"] = _encoded(_photo(1280, 720, 99), "JPEG")
    width, height = (int(side) for side in FLAGS.fresh_photo.split("x"))
    good["fresh.png"] = _encoded(_photo(width, height, 98), "PNG")
    os.makedirs(os.path.join(folder, "good"))
    for name, contents in good.items():
        with open(os.path.join(folder, "good", name), "wb") as file:
            file.write(contents)
    export_dir = os.path.join(folder, "export", "1")
    tile = ["--tile", str(FLAGS.tile)] if FLAGS.tile else []
    _run(["export", f"--export_dir={export_dir}", f"--max_megapixels={FLAGS.max_megapixels}", *tile])

    import tensorflow as tf

    from tfdeblur import machine

    signatures = tf.saved_model.load(export_dir).signatures
    limits = {name: value.numpy().item() for name, value in signatures["limits"]().items()}
    _run(
        [
            "deblur",
            os.path.join(folder, "good"),
            "-o",
            os.path.join(folder, "expected"),
            "--format=png",
            f"--tile={limits['tile']}",
            f"--tile_overlap={limits['tile_overlap']}",
        ]
    )
    expected = {
        name: np.asarray(Image.open(os.path.join(folder, "expected", os.path.splitext(name)[0] + ".png")))
        for name in good
    }

    record = {
        "tile": limits["tile"],
        "max_megapixels": limits["max_megapixels"],
        "strength": limits["strength"],
    }
    bomb = [black_png(20000, 20000)]
    start = time.perf_counter()
    try:
        _call(signatures, "deblur_bytes", bomb)
        record["bomb"] = "served"
    except tf.errors.InvalidArgumentError as error:
        record["bomb"] = _message(error)
    record["bomb_seconds"] = round(time.perf_counter() - start, 3)
    record["bomb_bytes"] = len(bomb[0])
    for name in ("720p.jpg", "fresh.png"):  # one after the other, alone: the memory of one request
        start = time.perf_counter()
        (restored,) = _decoded(_call(signatures, "deblur_bytes", [good[name]]))
        record[name] = {
            "megapixels": round(restored.shape[0] * restored.shape[1] / 1e6, 1),
            "bytes": len(good[name]),
            "seconds": round(time.perf_counter() - start, 2),
            "max_difference": int(np.abs(restored.astype(int) - expected[name]).max()),
            "peak_rss_gib": round(_peak_rss() / 2**30, 2),
        }

    hostile = _hostile_requests(good[f"{FLAGS.sizes[0]}_jpg.jpg"], good[f"{FLAGS.sizes[0]}_png.png"])
    requests = [("good", name) for name in good] + [("hostile", name) for name in hostile]
    outcomes, lock = [], threading.Lock()
    deadline = time.perf_counter() + FLAGS.seconds

    def client(seed):
        """Sends its share of every hostile request first (all kinds arrive together), then a
        random mix until the deadline."""
        shuffled = random.Random(seed)
        first = [("hostile", name) for name in list(hostile)[seed :: FLAGS.clients]]
        while first or time.perf_counter() < deadline:
            kind, name = first.pop() if first else shuffled.choice(requests)
            start = time.perf_counter()
            if kind == "good":
                outcome = _good(signatures, good, expected, name, shuffled)
            else:
                outcome = _hostile(signatures, *hostile[name])
            with lock:
                outcomes.append((kind, name, outcome, time.perf_counter() - start))

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(FLAGS.clients) as pool:
        list(pool.map(client, range(FLAGS.clients)))
    elapsed = time.perf_counter() - start
    served = [latency for kind, _, outcome, latency in outcomes if kind == "good" and outcome == "right"]
    record.update(
        {
            "clients": FLAGS.clients,
            "seconds": round(elapsed, 1),
            "requests": len(outcomes),
            "good_requests": sum(kind == "good" for kind, *_ in outcomes),
            "wrong_outputs": sorted(
                {name for kind, name, outcome, _ in outcomes if kind == "good" and outcome != "right"}
            ),
            "hostile_requests": sum(kind == "hostile" for kind, *_ in outcomes),
            "hostile_kinds": list(HOSTILE),
            "hostile_kinds_sent": sorted({name for kind, name, *_ in outcomes if kind == "hostile"}),
            "hostile_served": sorted(
                {name for kind, name, outcome, _ in outcomes if kind == "hostile" and outcome == "served"}
            ),
            "refusals": {name: outcome for kind, name, outcome, _ in outcomes if kind == "hostile"},
            "p50_seconds": round(float(np.percentile(served, 50)), 3) if served else None,
            "p99_seconds": round(float(np.percentile(served, 99)), 3) if served else None,
            "good_per_second": round(len(served) / elapsed, 2),
            "empty_batch": list(_call(signatures, "deblur_bytes", [])),
            "peak_rss_gib": round(_peak_rss() / 2**30, 2),
            "alive": True,
            "onednn": machine.onednn_enabled(),
            "onednn_variable": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
            "machine": machine.describe(),
        }
    )
    return record


def _good(signatures, good, expected, name, shuffled):
    """'right' when the good request `name` (bytes, or its pixels as a tensor) gets the command
    line's answer to 1 LSB, else what it got."""
    try:
        if shuffled.random() < 0.5:
            (restored,) = _decoded(_call(signatures, "deblur_bytes", [good[name]]))
        else:
            pixels = np.asarray(Image.open(io.BytesIO(good[name])).convert("RGB"))
            restored = _call(signatures, "serving_default", pixels[np.newaxis])[0]
    except Exception as error:  # a good request must not fail: report how it did
        return f"failed: {_message(error)}"
    difference = (
        np.abs(restored.astype(int) - expected[name]).max()
        if restored.shape == expected[name].shape
        else None
    )
    return "right" if difference is not None and difference <= 1 else f"wrong: {restored.shape}, {difference}"


def _hostile(signatures, signature, value):
    """'served' when a hostile request got an answer, else the first line of its refusal."""
    import tensorflow as tf

    try:
        _call(signatures, signature, value)
        return "served"
    except (tf.errors.InvalidArgumentError, TypeError, ValueError) as error:
        return _message(error)


def _message(error):
    """The line of a TensorFlow error that says what was wrong (not where it was raised)."""
    lines = [line.strip() for line in getattr(error, "message", str(error)).splitlines()]
    where = ("Graph execution error", "Detected at node", "<stack traces", "[[")
    said = [line for line in lines if line and not line.startswith(where)]
    return (said or [type(error).__name__])[0][:200]


def _peak_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


if __name__ == "__main__":
    app.run(main)
