r"""Packs a model for shipping: `tfdeblur pack --checkpoint=D --output_dir=O [--datasets=...]`.

`--interpolate_from=M --interpolation=a` packs weights a of the way from model M's to the run's
(WiSE-FT), and `--strength` the strength the packed model applies by default.

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
    flags.DEFINE_string(
        "interpolate_from",
        None,
        "A model of the same architecture (e.g. the one --checkpoint was fine-tuned from): the packed "
        "weights are (1 - a) * its + a * the checkpoint's, a = --interpolation (WiSE-FT).",
    )
    flags.DEFINE_float(
        "interpolation",
        1.0,
        "a of --interpolate_from: 1 packs the checkpoint's weights.",
        lower_bound=0.0,
        upper_bound=1.0,
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
    if FLAGS.interpolate_from:
        interpolate(generator, config, FLAGS.interpolate_from, FLAGS.interpolation)
    if FLAGS.strength is not None:
        config = dataclasses.replace(config, strength=FLAGS.strength)
    pretrained.save(generator, config, FLAGS.output_dir)
    packed, config = pretrained.load(FLAGS.output_dir)
    summaries = []
    for spec in FLAGS.datasets:
        records, _ = evaluate(packed, config, data.evaluation_pairs(spec), strength=config.strength)
        summaries.append({"dataset": f"{spec}/test", **summarize(records, config)})
        print(f"{spec}/test: {format_summary(summaries[-1])}")
    text = json.dumps(summaries, indent=2, allow_nan=False)
    atomic.write_text(os.path.join(FLAGS.output_dir, pretrained.METRICS_NAME), text + "\n")
    print(f"Packed {FLAGS.checkpoint} into {FLAGS.output_dir}")


def interpolate(generator, config, source, fraction):
    """Moves `generator`'s weights to (1 - fraction) * source's + fraction * its own: weight-space
    ensembling of a fine-tuned model with the one it started from (WiSE-FT, Wortsman et al. 2022,
    "Robust fine-tuning of zero-shot models"), which keeps more of the start's robustness."""
    from tfdeblur.models import build_generator
    from tfdeblur.training.loop import initialise_generator

    start = build_generator(config)
    initialise_generator(start, config, source)  # refuses another architecture, naming it
    for weight, initial in zip(generator.weights, start.weights):
        weight.assign((1.0 - fraction) * initial + fraction * weight)
