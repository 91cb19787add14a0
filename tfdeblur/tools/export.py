r"""Exports a generator for TF Serving: `tfdeblur export --checkpoint=D --export_dir=S`.

`S` is a TF Serving version directory, `export/<model_name>/<version>/`, with
the signatures `serving_default` (uint8), `deblur_float` and `deblur_bytes`
(see `tfdeblur.serving`). Without `--checkpoint`, exports the demo model
shipped with the package. An existing SavedModel is never overwritten.
`--mixed_precision=mixed_bfloat16` computes in bfloat16 inside the graph
(inputs and outputs keep their dtypes).
"""

import os

from absl import flags

from tfdeblur import distribute, pretrained, serving
from tfdeblur.checkpoints import load_generator

POSITIONAL = False
FLAGS = flags.FLAGS


def define_flags():
    flags.DEFINE_string(
        "checkpoint",
        None,
        "Training output dir, checkpoint dir or checkpoint prefix (default: the demo model).",
    )
    flags.DEFINE_enum(
        "mixed_precision",
        "float32",
        [policy for policy in distribute.PRECISIONS if policy != "auto"],  # the serving machine may differ
        "Compute dtype inside the exported graph.",
    )
    flags.DEFINE_string(
        "export_dir", None, "The version directory to write, e.g. export/deblurgan/1.", required=True
    )


def main(argv):
    del argv
    distribute.set_precision(FLAGS.mixed_precision)
    generator, config = load_generator(FLAGS.checkpoint) if FLAGS.checkpoint else pretrained.load()
    serving.export(generator, config, FLAGS.export_dir)
    print(f"Wrote {FLAGS.export_dir} (signatures: {', '.join(serving.SIGNATURES)})")
    if not os.path.basename(os.path.normpath(FLAGS.export_dir)).isdigit():
        print("note: TF Serving loads numbered version directories, export/<model_name>/<version>")
