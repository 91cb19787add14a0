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
from tfdeblur.tools import command

POSITIONAL = False
FLAGS = flags.FLAGS


def define_flags():
    flags.DEFINE_string(
        "checkpoint",
        None,
        "A training run (dir, checkpoints/ or a prefix), a packed model, or a shipped model's name "
        "(demo, the default).",
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
    command.check_writable([FLAGS.export_dir], f"--export_dir={FLAGS.export_dir}")
    distribute.set_precision(FLAGS.mixed_precision)
    generator, config = pretrained.load_model(FLAGS.checkpoint)
    serving.export(generator, config, FLAGS.export_dir)
    print(f"Wrote {FLAGS.export_dir} (signatures: {', '.join(serving.SIGNATURES)})")
    if not os.path.basename(os.path.normpath(FLAGS.export_dir)).isdigit():
        print("note: TF Serving loads numbered version directories, export/<model_name>/<version>")
