r"""Evaluates a generator: `tfdeblur evaluate [--checkpoint=D] [--dataset=SPEC] [--output_dir=E]`.

`--checkpoint` is a training run (its directory, `checkpoints/` or one prefix) or
a packed model's directory (`tfdeblur pack`); without it, the shipped model.

Prints the metrics of the full-size frames of `--dataset` as a markdown table row.
With `--output_dir` typed on the command line, writes `E/metrics.json` (psnr, ssim,
ssim_3d, psnr_y, ssim_y, input_psnr, input_ssim, num_images), `E/metrics.md`,
`E/per_image.csv` and `E/comparison.png`. A row's flagfile may come first
(`--flagfile=experiments/<row>.cfg`, or `--experiment=<row>`) for its dataset flags;
the run folder it names is not taken as the report's.
The network is the checkpoint's own (`checkpoints/config.json`): model flags
typed on the command line are refused, and a flagfile's are ignored.
"""

import os
import sys

from absl import flags

from tfdeblur import data
from tfdeblur.checkpoints import pretrained
from tfdeblur.errors import InputError
from tfdeblur.evaluation.report import (
    MARKDOWN_HEADER,
    evaluate,
    format_summary,
    markdown_row,
    summarize,
    write_report,
)
from tfdeblur.models import ModelConfig, attention_tile
from tfdeblur.tools import command
from tfdeblur.training import experiment

POSITIONAL = False
FLAGS = flags.FLAGS


def define_flags():
    experiment.define_flags()  # so a row's flagfile can be given; --output_dir: where to write the report
    command.define_model_flags(batchnorm_statistics=False)  # the experiment's flag serves
    flags.DEFINE_string("split", "test", "Dataset split to evaluate.")
    flags.DEFINE_integer("num_figures", 3, "Images shown in comparison.png.", lower_bound=0)
    flags.DEFINE_integer(
        "figure_crop", 0, "Show the central N x N pixels in comparison.png (0: whole frames).", lower_bound=0
    )


def main(argv):
    del argv
    typed = sorted(command.typed_flags & set(experiment.MODEL_FLAGS) - {"batchnorm_statistics"})
    if typed:
        raise InputError(
            f"{', '.join(f'--{name}' for name in typed)}: evaluate rebuilds the network from the "
            f"model's config.json (--checkpoint={FLAGS.checkpoint or 'the shipped model'}), its source of "
            "truth; drop the flag"
        )
    output_dir = FLAGS.output_dir if "output_dir" in command.typed_flags else None  # not a flagfile's run
    generator, config = command.load_model()
    flagfile_model = experiment.Experiment.from_flags(FLAGS).model
    if flagfile_model != ModelConfig() and flagfile_model != config:
        names = ", ".join(f"--{name}" for name in config.differences(flagfile_model))
        print(
            f"note: the checkpoint's config.json differs from the flagfile's model ({names}); "
            "evaluating the checkpoint's",
            file=sys.stderr,
        )
    pairs = data.evaluation_pairs(
        FLAGS.dataset, FLAGS.split, data_dir=FLAGS.data_dir, manual_dir=FLAGS.manual_dir
    )
    records, examples = evaluate(
        generator,
        pairs,
        keep_images=FLAGS.num_figures if output_dir else 0,
        tile=attention_tile(config),
        progress=(lambda count: print(f"\revaluated {count} images", end="", flush=True))
        if command.interactive()
        else None,
    )
    if command.interactive():
        print()
    model = os.path.basename(os.path.normpath(FLAGS.checkpoint or pretrained.DEFAULT))
    dataset = f"{FLAGS.dataset}/{FLAGS.split}"
    if output_dir:
        summary = write_report(
            records, examples, output_dir, model=model, dataset=dataset, figure_crop=FLAGS.figure_crop
        )
    else:  # the table alone, nothing written
        summary = summarize(records)
        print(f"{MARKDOWN_HEADER}\n{markdown_row(summary, model, dataset)}")
    print(f"{dataset}: {format_summary(summary)}")
