r"""Packs a model for shipping: `tfdeblur pack --checkpoint=D --output_dir=O [--datasets=...]`.

Writes `config.json` and float16 `generator.npz` (see `tfdeblur.checkpoints.pretrained`)
to `--output_dir`, then evaluates the packed weights, as they will be loaded,
on each of `--datasets` (`test` splits) and writes `metrics.json` beside them:
one summary per dataset, as `tfdeblur evaluate` prints it.
"""

import dataclasses
import json
import os

from absl import flags

from tfdeblur import atomic

POSITIONAL = False
FLAGS = flags.FLAGS


def define_flags():
    flags.DEFINE_string(
        "checkpoint",
        None,
        "Training run, checkpoint, packed model or shipped model's name to pack.",
        required=True,
    )
    flags.DEFINE_string("output_dir", None, "Where to write the packed model.", required=True)
    flags.DEFINE_list(
        "datasets", ["embedded"], "Dataset specs the packed weights are measured on (metrics.json)."
    )
    flags.DEFINE_float(
        "strength",
        None,
        "The packed model's default strength (ModelConfig.strength, what deblur applies unless told), "
        "chosen on held-out data; default: the run's own.",
        lower_bound=0.0,
        upper_bound=1.0,
    )


def main(argv):
    del argv
    from tfdeblur import data
    from tfdeblur.checkpoints import pretrained
    from tfdeblur.evaluation.report import evaluate, format_summary, summarize

    for spec in FLAGS.datasets:
        data.check_spec(spec)
    generator, config = pretrained.load_model(FLAGS.checkpoint)
    if FLAGS.strength is not None:
        config = dataclasses.replace(config, strength=FLAGS.strength)
    pretrained.save(generator, config, FLAGS.output_dir)
    packed, config = pretrained.load(FLAGS.output_dir)
    summaries = []
    for spec in FLAGS.datasets:
        records, _ = evaluate(packed, data.evaluation_pairs(spec), strength=config.strength)
        summaries.append({"dataset": f"{spec}/test", **summarize(records)})
        print(f"{spec}/test: {format_summary(summaries[-1])}")
    atomic.write_text(
        os.path.join(FLAGS.output_dir, pretrained.METRICS_NAME), json.dumps(summaries, indent=2) + "\n"
    )
    print(f"Packed {FLAGS.checkpoint} into {FLAGS.output_dir}")
