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

from absl import flags

from tfdeblur import config_flags
from tfdeblur.config import TrainConfig
from tfdeblur.tools import command

POSITIONAL = False
FLAGS = flags.FLAGS
UNKNOWN_FLAG_HINT = " (the network is the model's own, from its config.json)"


def define_flags():
    config_flags.define_settings(TrainConfig, config_flags.DATA_SETTINGS)
    command.define_model_flags()
    flags.DEFINE_string("output_dir", None, "Where to write the report (default: print the table only).")
    flags.DEFINE_string("split", "test", "Dataset split to evaluate.")
    flags.DEFINE_integer("num_figures", 3, "Images shown in comparison.png.", lower_bound=0)
    flags.DEFINE_float(
        "strength",
        None,
        "How much of the model's correction is measured, as `deblur --strength` (default: the model's own).",
        lower_bound=0.0,
        upper_bound=1.0,
    )
    flags.DEFINE_integer(
        "figure_crop", 0, "Show the central N x N pixels in comparison.png (0: whole frames).", lower_bound=0
    )


def check(argv):
    del argv
    if FLAGS.output_dir and "output_dir" in command.typed_flags:
        command.check_writable([FLAGS.output_dir], f"--output_dir={FLAGS.output_dir}")


def main(argv):
    del argv
    from tfdeblur import data
    from tfdeblur.checkpoints import pretrained
    from tfdeblur.evaluation.report import evaluate, format_summary, markdown_table, summarize, write_report

    output_dir = FLAGS.output_dir if "output_dir" in command.typed_flags else None  # not a recipe's run
    generator, config = command.load_model()
    pairs = data.evaluation_pairs(
        FLAGS.dataset, FLAGS.split, data_dir=FLAGS.data_dir, manual_dir=FLAGS.manual_dir
    )
    records, examples = evaluate(
        generator,
        config,
        pairs,
        keep_images=FLAGS.num_figures if output_dir else 0,
        strength=config.strength if FLAGS.strength is None else FLAGS.strength,
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
            records,
            examples,
            output_dir,
            model=model,
            dataset=dataset,
            figure_crop=FLAGS.figure_crop,
            config=config,
        )
    else:  # the table alone, nothing written
        summary = summarize(records, config)
        print(markdown_table(summary, model, dataset), end="")
    print(f"{dataset}: {format_summary(summary)}")
