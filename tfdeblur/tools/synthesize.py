r"""Writes blurred/sharp pairs: `tfdeblur synthesize --sharp_dir=S --out=O` or `--mode=frames --frames_dir=F`.

`O/blur/<name>.png` and `O/sharp/<name>.png`, which `--dataset=folder:O` then
reads. From sharp photos (`--sharp_dir`): `--mode=kernel` blurs each image with
one camera-shake PSF (10-25 px), `--mode=gopro` with one of GoPro-like length
(10-50 px), `--mode=warp` with GoPro-like, spatially varying blur
(`tfdeblur.data.synthetic`); image i is blurred with seed (`--seed`, i). From
high-frame-rate frames (`--mode=frames --frames_dir=F`: a clip's frames, a
video file, or a folder of clips): the average of `--window` consecutive frames in linear light
and its centre frame, as GoPro was made (`tfdeblur.data.sources.frames`), one
pair every `--stride` frames, named `<clip>_<first frame>_<N>`. `--response=linear` averages
the encoded values instead of light (GoPro's `blur` images rather than `blur_gamma`;
`tfdeblur.data.blur.RESPONSES`). The same pairs every time.
"""

import os

import tensorflow as tf
from absl import flags

from tfdeblur.data import synthetic, windows
from tfdeblur.data.blur import RESPONSES, responses
from tfdeblur.data.files import image_files, read_image
from tfdeblur.errors import InputError
from tfdeblur.tools import command

POSITIONAL = False
FLAGS = flags.FLAGS


def define_flags():
    flags.DEFINE_enum(
        "mode",
        "kernel",
        [*synthetic.KINDS, "frames"],
        "Camera-shake PSF (10-25 px or GoPro-like 10-50 px), GoPro-like warps, or frame averages.",
    )
    flags.DEFINE_string("sharp_dir", None, "kernel, gopro, warp: folder of sharp PNG/JPEG/BMP images.")
    flags.DEFINE_string(
        "frames_dir",
        None,
        "frames: a clip (a folder of consecutive frames or a video file), or a folder of clips.",
    )
    flags.DEFINE_string("out", None, "Output folder (gets blur/ and sharp/).", required=True)
    flags.DEFINE_integer("seed", 0, "kernel, gopro, warp: image i is blurred with seed (seed, i).")
    flags.DEFINE_string(
        "window",
        windows.DEFAULT_WINDOW,
        "frames: frames per blurred image: N, a range low-high (its odd N), or several joined by +.",
    )
    flags.DEFINE_enum(
        "response",
        "gamma",
        list(RESPONSES),
        "Camera response the blur averages under: light (gamma 2.2) or the encoded values (linear).",
    )
    flags.DEFINE_integer(
        "stride", None, "frames: frames between windows (default: the largest N).", lower_bound=1
    )


def main(argv):
    del argv
    source = FLAGS.frames_dir if FLAGS.mode == "frames" else FLAGS.sharp_dir
    if not source:
        raise InputError(
            f"--mode={FLAGS.mode} needs --{'frames_dir' if FLAGS.mode == 'frames' else 'sharp_dir'}"
        )
    outputs = [os.path.join(FLAGS.out, folder) for folder in ("blur", "sharp")]
    command.check_writable(outputs, f"--out={FLAGS.out}")
    count = 0
    for count, pair in enumerate(_frame_pairs() if FLAGS.mode == "frames" else _photo_pairs(), 1):
        for folder in ("blur", "sharp"):
            path = os.path.join(FLAGS.out, folder, f"{pair['name']}.png")
            tf.io.write_file(path, tf.io.encode_png(pair[folder]))
        print(f"\r{count} {pair['name']}", end="", flush=True)
    print(f"\nWrote {count} pairs to {FLAGS.out}")


def _photo_pairs():
    sources = image_files(FLAGS.sharp_dir)
    if not sources:
        raise InputError(f"--sharp_dir={FLAGS.sharp_dir}: no PNG, JPEG or BMP images")
    for index, (name, path) in enumerate(sorted(sources.items())):
        sharp = read_image(path)
        blurred = synthetic.blurred_frame(
            sharp, seed=[FLAGS.seed, index], mix={FLAGS.mode: 1.0}, gammas=responses(FLAGS.response)
        )
        yield {"blur": blurred, "sharp": sharp, "name": name}


def _frame_pairs():
    sizes = windows.window_sizes(FLAGS.window)
    found = windows.checked_clips(FLAGS.frames_dir, sizes)
    for pair in windows.window_pairs(found, sizes, FLAGS.stride or max(sizes), responses(FLAGS.response)):
        yield {**pair, "name": pair["name"].replace("/", "_")}
