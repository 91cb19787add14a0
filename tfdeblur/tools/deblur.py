r"""Deblurs images and videos: `tfdeblur deblur INPUT... -o OUT [--checkpoint=D | --saved_model=S | ...]`.

INPUT: image or video files, folders (their PNG/JPEG/BMP images and videos) or
globs. OUT: a file when there is one input, else a folder (created), where each
result keeps its input's name. Images come out same-size uint8 in the input's
format (BMP is written as PNG) unless `--format` says otherwise; videos frame by
frame, encoded with the input's codec, frame rate, size and pixel format
(`tfdeblur.data.video`, PyAV; audio is not carried over). The model: a training run or
packed model (`--checkpoint`), or an export run by its own runtime: a SavedModel
(`--saved_model`), ONNX (`--onnx`, ONNX Runtime) or LiteRT (`--litert`, its
interpreter, always in tiles of its fixed side). Without one, the model shipped
with the package (`tfdeblur.checkpoints.pretrained`).

Any size: generators pad to their stride and crop back. An image runs whole when
the generator's memory for it fits `--max_memory` (`tfdeblur.deploy.inference.MemoryModel`,
estimated from the model's graph), so its output is exactly the exported models';
larger ones run in overlapping tiles of the largest side that fits, with blended
seams. `--tile=N` forces tiles of side N for images with a side over N, `--tile=0`
never tiles; self-attention and LiteRT models always tile at their largest side.
A file that cannot be read is reported and skipped; the others are still
written, and the exit status is then 1. An output that cannot be written is an
error before any work is done.
"""

import functools
import glob
import os
import sys

import keras
import numpy as np
import tensorflow as tf
from absl import flags

from tfdeblur.data import video
from tfdeblur.data.files import EXTENSIONS, image_files, read_image
from tfdeblur.deploy import litert_format, onnx_format, serving
from tfdeblur.deploy.inference import GIB, MemoryModel, TiledRestorer
from tfdeblur.errors import InputError
from tfdeblur.models import attention_tile
from tfdeblur.tools import command
from tfdeblur.training import distribute

POSITIONAL = True
FLAGS = flags.FLAGS


def define_flags():
    flags.DEFINE_string(
        "output", None, "Output file (one input image) or folder.", short_name="o", required=True
    )
    command.define_model_flags()
    flags.DEFINE_string("saved_model", None, "A SavedModel written by tfdeblur.export.")
    flags.DEFINE_string("onnx", None, "An ONNX export's folder (export --format=onnx), run by ONNX Runtime.")
    flags.DEFINE_string("litert", None, "A LiteRT export (export --format=litert), its folder or .tflite.")
    flags.DEFINE_integer(
        "tile",
        None,
        "Images with a side over this run in tiles of this side (0: never tile; default: by --max_memory).",
        lower_bound=0,
    )
    flags.DEFINE_float(
        "max_memory", 4.0, "GiB the generator may use per image or tile (without --tile).", lower_bound=0.001
    )
    flags.DEFINE_integer("tile_overlap", 64, "Overlap of neighbouring tiles, blended.", lower_bound=0)
    flags.DEFINE_enum("format", "same", ["same", "png", "jpg"], "Output format: the input's, PNG or JPEG.")
    flags.DEFINE_integer("jpeg_quality", 95, "JPEG quality of JPEG outputs.", lower_bound=1, upper_bound=100)
    flags.DEFINE_bool("side_by_side", False, "Write blurred | restored side by side.")
    flags.DEFINE_enum(
        "mixed_precision",
        "float32",
        distribute.PRECISIONS,
        "Compute dtype of a checkpoint's or shipped model's generator (mixed_bfloat16: ~2x faster on "
        "CPUs with AVX512-BF16 and on TPUs/GPUs, same PSNR on the demo model).",
    )
    flags.mark_flags_as_mutual_exclusive(list(RUNTIMES))


def expand_inputs(arguments):
    """Image and video paths named by files, folders and globs, in order; InputError for one that
    names nothing."""
    paths = []
    for argument in arguments:
        if os.path.isdir(argument):
            found = sorted([*image_files(argument).values(), *_videos(argument)])
        elif glob.has_magic(argument):
            found = sorted(path for path in glob.glob(argument) if _readable(path))
        elif os.path.isfile(argument):
            found = [argument]
        else:
            raise InputError(f"{argument}: no such file or folder")
        if not found:
            raise InputError(f"{argument}: no PNG/JPEG/BMP images or videos here")
        paths.extend(found)
    return paths


def _readable(path):
    return path.lower().endswith(EXTENSIONS) or video.is_video(path)


def _videos(folder):
    return [os.path.join(folder, name) for name in os.listdir(folder) if video.is_video(name)]


def output_paths(inputs, output, image_format="same"):
    """Where each input's result goes (see the module docstring); InputError if two would collide
    or a single output's kind (image or video) differs from its input's."""
    if len(inputs) == 1 and _readable(output) and not os.path.isdir(output):
        if video.is_video(output) != video.is_video(inputs[0]):
            kind = "a video" if video.is_video(inputs[0]) else "an image"
            raise InputError(f"-o {output}: {inputs[0]} is {kind}; give {kind} file name or a folder")
        if output.lower().endswith(".bmp"):
            raise InputError(f"-o {output}: BMP is read, not written; give a .png or .jpg name")
        return [output]
    paths = []
    for path in inputs:
        stem, extension = os.path.splitext(os.path.basename(path))
        if video.is_video(path):
            pass  # a video keeps its container
        elif image_format != "same":
            extension = f".{image_format}"
        elif extension.lower() == ".bmp":
            extension = ".png"
        paths.append(os.path.join(output, stem + extension))
    seen = {}
    for source, target in zip(inputs, paths):
        if target in seen:
            raise InputError(f"{seen[target]} and {source} would both be written to {target}; rename one")
        seen[target] = source
    return paths


def encode(image, path, jpeg_quality=95):
    """uint8 [H, W, 3] -> PNG or JPEG bytes, by the extension of `path`."""
    if path.lower().endswith((".jpg", ".jpeg")):
        return tf.io.encode_jpeg(image, quality=jpeg_quality).numpy()
    return tf.io.encode_png(image).numpy()


RUNTIMES = ("checkpoint", "saved_model", "onnx", "litert")
FALLBACK_TILE = 1024  # for a SavedModel exported without its config: no memory model


def load_restorer():
    """(restore, config, tile) from the flags: a float [-1, 1] function in inference mode, its
    `ModelConfig` (None for an export written without one), and the fixed tile side of a LiteRT
    model (else None)."""
    exported = [name for name in RUNTIMES[1:] if getattr(FLAGS, name)]
    if exported and FLAGS.mixed_precision != "float32":
        raise InputError("--mixed_precision applies to --checkpoint; export with it instead")
    if FLAGS.saved_model:
        return (*serving.load(FLAGS.saved_model), None)
    if FLAGS.onnx:
        return (*onnx_format.load(FLAGS.onnx), None)
    if FLAGS.litert:
        return litert_format.load(FLAGS.litert)
    distribute.set_precision(FLAGS.mixed_precision)
    generator, config = command.load_model()
    return functools.partial(generator, training=False), config, None


def main(argv):
    inputs = expand_inputs(argv[1:])
    if not inputs:
        raise InputError("no input images: give files, folders or globs")
    outputs = output_paths(inputs, FLAGS.output, FLAGS.format)
    command.check_writable([os.path.dirname(path) or "." for path in outputs], f"-o {FLAGS.output}")
    restore, config, fixed_tile = load_restorer()
    restorer = tiled_restorer(restore, config, fixed_tile)

    def deblur(blurred):
        restored = restorer(blurred)
        return np.concatenate([blurred, restored], axis=1) if FLAGS.side_by_side else restored

    failed = []
    images = [(source, target) for source, target in zip(inputs, outputs) if not video.is_video(source)]
    verbose = 1 if command.interactive() else 2  # a log gets one line at the end, not redraws
    progress = keras.utils.Progbar(len(images), unit_name="image", verbose=verbose) if images else None
    for source, target in zip(inputs, outputs):
        try:
            if video.is_video(source):
                deblur_video(source, target, deblur)
            else:
                restored = deblur(read_image(source))
                _write_file(target, encode(restored, target, FLAGS.jpeg_quality))
                progress.add(1)
        except InputError as error:
            failed.append(str(error))
    for message in failed:
        print(f"error: {message}", file=sys.stderr)
    print(f"Wrote {len(inputs) - len(failed)} of {len(inputs)} results to {FLAGS.output}")
    if failed:
        sys.exit(1)


def tiled_restorer(restore, config, fixed_tile):
    """The `TiledRestorer` the flags and the model ask for (see the module docstring)."""
    whole = None
    if FLAGS.tile is not None:
        tile = FLAGS.tile or None
    elif config is None:
        tile = FALLBACK_TILE
        print(f"note: no config.json beside the model: tiles over {tile} px", file=sys.stderr)
    else:
        memory = MemoryModel(config)
        budget = FLAGS.max_memory * GIB
        tile = memory.largest_side(budget)
        whole = lambda height, width: memory.bytes(height, width) <= budget  # noqa: E731
        megapixels = budget / memory.per_pixel / 1e6
        print(
            f"Images up to ~{megapixels:.1f} MP run whole in --max_memory={FLAGS.max_memory:g} GiB "
            f"(estimated from the model's graph), larger ones in {tile}x{tile} tiles"
        )
    limits = [side for side in (config and attention_tile(config), fixed_tile) if side]
    if limits and (tile is None or tile > min(limits)):
        tile, whole = min(limits), None
    if tile is not None and FLAGS.tile_overlap >= tile:
        raise InputError(f"--tile_overlap={FLAGS.tile_overlap} must be smaller than the tile ({tile})")
    if tile is not None and config and config.normalises_per_image:
        print(
            f"note: the model normalises each tile by its own statistics; images tiled by {tile} px "
            "may show it (raise --max_memory, or --tile=0, where memory allows)",
            file=sys.stderr,
        )
    return TiledRestorer(restore, tile, FLAGS.tile_overlap, whole)


def deblur_video(source, target, deblur):
    """Deblurs the video `source` frame by frame into `target`, in the source's format."""
    source_format = video.video_format(source)
    count = video.frame_count(source)
    print(f"{source}: {count} frames, {source_format.width}x{source_format.height}, {source_format.rate} fps")
    progress = keras.utils.Progbar(count, unit_name="frame", verbose=1 if command.interactive() else 2)

    def restored_frames():
        for frame in video.frames(source):
            yield deblur(frame)
            progress.add(1)

    encoder = video.write(target, restored_frames(), source_format)
    print(f"{target}: encoded with {encoder}, {source_format.pixel_format}")


def _write_file(path, contents):
    try:
        tf.io.write_file(path, contents)
    except tf.errors.OpError as error:
        raise InputError(f"{path}: cannot write ({error.message.strip()})") from None
