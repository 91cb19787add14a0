r"""Exports a generator: `tfdeblur export --checkpoint=D --export_dir=S [--format=saved_model]`.

`--format=saved_model` (default): `S` is a TF Serving version directory,
`export/<model_name>/<version>/`, with the signatures `serving_default` (uint8),
`deblur_float`, `deblur_bytes` and `limits` (`tfdeblur.deploy.serving`): images over
`--max_megapixels` are refused, those with a side over `--tile` (default: the largest that
fits `--max_memory`) run in tiles inside the graph. `--format=onnx`: `S` gets
`model.onnx` (uint8) and `model_float.onnx`, any batch and size (`tfdeblur.deploy.onnx_format`).
`--format=litert`: `S` gets `model.tflite`, one `--tile`^2 float tile, float32 or
float16 weights (`--litert_dtype`; `tfdeblur.deploy.litert_format`). `--format=keras`: `S` gets
`model.keras` and `config.json` (`tfdeblur.deploy.deblurrer.save_keras`). Without `--checkpoint`,
exports the model shipped with the package. An existing export is never overwritten.
`--mixed_precision=mixed_bfloat16` computes in bfloat16 inside a SavedModel
(inputs and outputs keep their dtypes).
"""

import os

from absl import flags

from tfdeblur.config import PRECISIONS
from tfdeblur.deploy import deblurrer, litert_format, onnx_format, serving
from tfdeblur.errors import InputError
from tfdeblur.tools import command
from tfdeblur.training import distribute

POSITIONAL = False
FLAGS = flags.FLAGS


def define_flags():
    command.define_model_flags()
    flags.DEFINE_enum(
        "mixed_precision",
        "float32",
        [policy for policy in PRECISIONS if policy != "auto"],  # the serving machine may differ
        "Compute dtype inside the exported graph.",
    )
    flags.DEFINE_string(
        "export_dir", None, "The version directory to write, e.g. export/deblurgan/1.", required=True
    )
    flags.DEFINE_enum(
        "format",
        "saved_model",
        ["saved_model", "onnx", "litert", "keras"],
        "TF Serving, ONNX Runtime, LiteRT, or a .keras file (keras.saving.load_model).",
    )
    flags.DEFINE_integer(
        "tile",
        None,
        "litert: the model's fixed tile side, a multiple of its stride (default "
        f"{litert_format.DEFAULT_TILE}); saved_model: images with a side over it run in tiles of it "
        "(default: the largest side that fits --max_memory).",
        lower_bound=1,
    )
    flags.DEFINE_integer(
        "tile_overlap", serving.DEFAULT_TILE_OVERLAP, "saved_model: tiles' overlap.", lower_bound=0
    )
    flags.DEFINE_float(
        "max_memory",
        1.0,
        "saved_model: GiB the generator may use per tile (chooses --tile).",
        lower_bound=0.001,
    )
    flags.DEFINE_float(
        "max_megapixels",
        serving.DEFAULT_MAX_MEGAPIXELS,
        "saved_model: larger images are refused, from their header, before decoding.",
        lower_bound=0.001,
    )
    flags.DEFINE_enum("litert_dtype", "float32", litert_format.DTYPES, "litert: the weights' dtype.")


def main(argv):
    del argv
    command.check_writable([FLAGS.export_dir], f"--export_dir={FLAGS.export_dir}")
    if FLAGS.format != "saved_model" and FLAGS.mixed_precision != "float32":
        raise InputError(f"--mixed_precision applies to --format=saved_model, not {FLAGS.format}")
    distribute.set_precision(FLAGS.mixed_precision)
    generator, config = command.load_model()
    if FLAGS.format == "onnx":
        onnx_format.export(generator, config, FLAGS.export_dir)
        print(f"Wrote {FLAGS.export_dir}: {', '.join(onnx_format.MODELS)} (opset {onnx_format.OPSET})")
    elif FLAGS.format == "keras":
        path = deblurrer.save_keras(generator, config, FLAGS.export_dir)
        print(f"Wrote {path} (keras.saving.load_model after import tfdeblur.layers, or tfdeblur.load)")
    elif FLAGS.format == "litert":
        tile = FLAGS.tile or litert_format.DEFAULT_TILE
        litert_format.export(generator, config, FLAGS.export_dir, tile, FLAGS.litert_dtype)
        shape = f"{tile}^2 tile, {FLAGS.litert_dtype} weights"
        print(f"Wrote {FLAGS.export_dir}: {litert_format.MODEL_NAME} ({shape})")
    else:
        tile = FLAGS.tile or deblurrer.tile_for(config, FLAGS.max_memory)
        serving.export(
            generator,
            config,
            FLAGS.export_dir,
            tile=tile,
            tile_overlap=FLAGS.tile_overlap,
            max_megapixels=FLAGS.max_megapixels,
        )
        print(
            f"Wrote {FLAGS.export_dir} (signatures: {', '.join(serving.SIGNATURES)}; images up to "
            f"{FLAGS.max_megapixels:g} MP, tiles of {tile} px over it, strength {config.strength:g})"
        )
        if not os.path.basename(os.path.normpath(FLAGS.export_dir)).isdigit():
            print("note: TF Serving loads numbered version directories, export/<model_name>/<version>")
