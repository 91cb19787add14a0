r"""Deblurs images and videos: `tfdeblur deblur INPUT... -o OUT [--checkpoint=D | --saved_model=S | ...]`.

INPUT: image or video files, folders (their PNG/JPEG/BMP images and videos) or
globs. OUT: a file when there is one input, else a folder (created), where each
result keeps its input's name. Images come out same-size uint8 in the input's
format (BMP is written as PNG) unless `--format` says otherwise, as a photo tool
writes them (`tfdeblur.deploy.photos`): upright by their EXIF orientation, EXIF and
ICC profile kept, a JPEG with its input's own compression (near its size). Videos
frame by frame, encoded with the input's codec, frame rate, size and pixel format
(`tfdeblur.data.video`, PyAV; audio is not carried over). The model: a training run, packed
model or `.keras` export (`--checkpoint`), or an export run by its own runtime: a SavedModel
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
written, and the exit status is then 1. Each output is written to a hidden
temporary file and renamed when complete, so a killed job leaves whole outputs
only; run it again with `--skip_existing` to finish it. A missing input or an output folder
that cannot be written to is an error (exit 2) before TensorFlow starts.
"""

import contextlib
import glob
import os
import sys

import numpy as np
from absl import flags

from tfdeblur import atomic
from tfdeblur.config import PRECISIONS
from tfdeblur.data import video
from tfdeblur.deploy import photos
from tfdeblur.deploy.photos import EXTENSIONS
from tfdeblur.errors import InputError
from tfdeblur.tools import command

POSITIONAL = True
FLAGS = flags.FLAGS
RUNTIMES = ("saved_model", "onnx", "litert")  # each an export flag, named as the runtime it picks


def define_flags():
    flags.DEFINE_string(
        "output", None, "Output file (one input image) or folder.", short_name="o", required=True
    )
    command.define_model_flags()
    flags.DEFINE_string("saved_model", None, "A SavedModel written by tfdeblur export.")
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
    flags.DEFINE_integer(
        "jpeg_quality",
        None,
        "JPEG quality of JPEG outputs (default: a JPEG input's own compression, else 90).",
        lower_bound=1,
        upper_bound=100,
    )
    flags.DEFINE_bool("side_by_side", False, "Write blurred | restored side by side.")
    flags.DEFINE_float(
        "strength",
        None,
        "How much of the model's correction to apply: 0 returns the input, 1 the model's output "
        "(default: the model's own, chosen on held-out data; 1 for your own runs).",
        lower_bound=0.0,
        upper_bound=1.0,
    )
    flags.DEFINE_bool("skip_existing", False, "Skip inputs whose output exists (resumes a stopped job).")
    flags.DEFINE_float(
        "max_megapixels",
        photos.DEFAULT_MAX_PIXELS / 1e6,
        "Refuse images (and video frames) whose header declares more, before decoding them.",
        lower_bound=0.0,
    )
    flags.DEFINE_enum(
        "mixed_precision",
        "float32",
        PRECISIONS,
        "Compute dtype of a checkpoint's or shipped model's generator (mixed_bfloat16: ~2x faster on "
        "CPUs with AVX512-BF16 and on TPUs/GPUs, same PSNR on the demo model).",
    )
    flags.mark_flags_as_mutual_exclusive(["checkpoint", *RUNTIMES])


def check(arguments):
    """Every input names something, and the output folder can be written to: before TensorFlow."""
    if not arguments:
        raise InputError("no input images: give files, folders or globs")
    for argument in arguments:
        if not (os.path.exists(argument) or (glob.has_magic(argument) and glob.glob(argument))):
            raise InputError(f"{argument}: no such file or folder")
    output = FLAGS.output
    single = len(arguments) == 1 and os.path.isfile(arguments[0]) and _readable(output)
    folder = (os.path.dirname(output) or ".") if single and not os.path.isdir(output) else output
    command.check_writable([folder], f"-o {output}")


def expand_inputs(arguments):
    """Image and video paths named by files, folders and globs, in order; InputError for one that
    names nothing."""
    paths = []
    for argument in arguments:
        if os.path.isdir(argument):
            names = sorted(os.listdir(argument))
            found = [os.path.join(argument, name) for name in names if _readable(name)]
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


def main(argv):
    import keras

    from tfdeblur.deploy import deblurrer
    from tfdeblur.training import distribute

    inputs = expand_inputs(argv[1:])
    outputs = output_paths(inputs, FLAGS.output, FLAGS.format)
    duplicates = [name for name in ("batchnorm_statistics", "mixed_precision") if FLAGS[name].present]
    runtime = next((runtime for runtime in RUNTIMES if FLAGS[runtime].value), None)
    if runtime and duplicates:
        raise InputError(f"--{duplicates[0]} applies to --checkpoint; export with it instead")
    distribute.set_precision(FLAGS.mixed_precision)
    model = deblurrer.load(
        FLAGS[runtime].value if runtime else FLAGS.checkpoint,
        runtime=runtime,
        batchnorm_statistics=FLAGS.batchnorm_statistics,
        max_memory=FLAGS.max_memory,
        tile=FLAGS.tile,
        tile_overlap=FLAGS.tile_overlap,
        strength=FLAGS.strength,
    )
    for note in model.notes:
        print(note, file=sys.stderr if note.startswith("note:") else sys.stdout)

    def deblur(blurred):
        restored = model(blurred)
        return np.concatenate([blurred, restored], axis=1) if FLAGS.side_by_side else restored

    for folder in sorted({os.path.dirname(target) or "." for target in outputs}):
        atomic.remove_leftovers(folder)  # of a job killed while writing
    jobs = list(zip(inputs, outputs))
    if FLAGS.skip_existing:
        jobs = [(source, target) for source, target in jobs if not os.path.exists(target)]
    failed = []
    images = [source for source, _ in jobs if not video.is_video(source)]
    verbose = 1 if command.interactive() else 2  # a log gets one line at the end, not redraws
    progress = keras.utils.Progbar(len(images), unit_name="image", verbose=verbose) if images else None
    max_pixels = round(FLAGS.max_megapixels * 1e6)
    for source, target in jobs:
        try:
            if video.is_video(source):
                with _naming_write_errors(target), atomic.replacing(target) as temporary:
                    deblur_video(source, temporary, deblur, max_pixels)
            else:
                photo = photos.read_photo(source, max_pixels)
                contents = photos.encode_photo(photo.like(deblur(photo.pixels)), target, FLAGS.jpeg_quality)
                with _naming_write_errors(target):
                    atomic.write_bytes(target, contents)
                progress.add(1)
        except InputError as error:
            failed.append(str(error))
    for message in failed:
        print(f"error: {message}", file=sys.stderr)
    skipped = f" ({len(inputs) - len(jobs)} already there, skipped)" if len(jobs) < len(inputs) else ""
    print(f"Wrote {len(jobs) - len(failed)} of {len(inputs)} results to {FLAGS.output}{skipped}")
    if failed:
        sys.exit(1)


def deblur_video(source, target, deblur, max_pixels):
    """Deblurs the video `source` frame by frame into `target`, in the source's format."""
    import keras

    source_format = video.video_format(source)
    photos.check_size(source, source_format.width, source_format.height, max_pixels)
    count = video.frame_count(source)
    print(f"{source}: {count} frames, {source_format.width}x{source_format.height}, {source_format.rate} fps")
    progress = keras.utils.Progbar(count, unit_name="frame", verbose=1 if command.interactive() else 2)

    def restored_frames():
        for frame in video.frames(source):
            yield deblur(frame)
            progress.add(1)

    encoder = video.write(target, restored_frames(), source_format)
    print(f"{target}: encoded with {encoder}, {source_format.pixel_format}")


@contextlib.contextmanager
def _naming_write_errors(path):
    """An OSError while `path` is written (a full disk) becomes an InputError naming it."""
    try:
        yield
    except OSError as error:
        raise InputError(f"{path}: cannot write ({error.strerror})") from None
