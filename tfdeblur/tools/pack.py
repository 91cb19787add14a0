r"""Packs a training run as the shipped demo model: `tfdeblur pack --checkpoint=D`.

Writes `config.json` and float16 `generator.npz` (see `tfdeblur.pretrained`)
to `--output_dir`, then evaluates the packed weights, as they will be loaded,
on `embedded/test` and writes `metrics.json` beside them.
"""

import json
import os

from absl import flags

from tfdeblur import data, pretrained
from tfdeblur.checkpoints import load_generator
from tfdeblur.evaluation import evaluate, format_summary, summarize

POSITIONAL = False
FLAGS = flags.FLAGS


def define_flags():
    flags.DEFINE_string(
        "checkpoint", None, "Training output dir, checkpoint dir or checkpoint prefix.", required=True
    )
    flags.DEFINE_string("output_dir", pretrained.DEMO_DIR, "Where to write the packed model.")


def main(argv):
    del argv
    generator, config = load_generator(FLAGS.checkpoint)
    pretrained.save(generator, config, FLAGS.output_dir)
    packed, _ = pretrained.load(FLAGS.output_dir)
    records, _ = evaluate(packed, data.evaluation_pairs("embedded"))
    summary = {"dataset": "embedded/test", **summarize(records)}
    with open(os.path.join(FLAGS.output_dir, "metrics.json"), "w") as file:
        json.dump(summary, file, indent=2)
        file.write("\n")
    print(f"Packed {FLAGS.checkpoint} into {FLAGS.output_dir}; embedded/test: {format_summary(summary)}")
