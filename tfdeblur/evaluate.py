r"""Evaluates a trained generator: `python -m tfdeblur.evaluate --checkpoint=D --output_dir=E`.

Writes `E/metrics.json` (psnr, ssim, ssim_3d, psnr_y, ssim_y, input_psnr,
input_ssim, num_images), `E/metrics.md` (a markdown table row),
`E/per_image.csv` and `E/comparison.png`, on full-size frames of `--dataset`.
A row's flagfile may come first (`--flagfile=experiments/<row>.cfg`) for its
dataset flags; give `--output_dir` after it, as the flagfile names the run's.
"""

import os

from absl import flags

from tfdeblur import cli, data
from tfdeblur.checkpoints import load_generator
from tfdeblur.evaluation import evaluate, format_summary, write_report
from tfdeblur.models import attention_tile

FLAGS = flags.FLAGS
cli.define_experiment_flags()  # so a row's flagfile can be given; its model flags yield to config.json
flags.mark_flag_as_required("output_dir")
flags.DEFINE_string(
    "checkpoint", None, "Training output dir, checkpoint dir or checkpoint prefix.", required=True
)
flags.DEFINE_string("split", "test", "Dataset split to evaluate.")
flags.DEFINE_integer("num_figures", 3, "Images shown in comparison.png.", lower_bound=0)


def main(argv):
    del argv
    generator, config = load_generator(FLAGS.checkpoint)
    pairs = data.evaluation_pairs(FLAGS.dataset, FLAGS.split, **cli.dataset_dirs(FLAGS))
    records, examples = evaluate(
        generator,
        pairs,
        keep_images=FLAGS.num_figures,
        tile=attention_tile(config),
        progress=lambda count: print(f"\revaluated {count} images", end="", flush=True),
    )
    print()
    model = os.path.basename(os.path.normpath(FLAGS.checkpoint))
    summary = write_report(
        records, examples, FLAGS.output_dir, model=model, dataset=f"{FLAGS.dataset}/{FLAGS.split}"
    )
    print(f"{FLAGS.dataset}/{FLAGS.split}: {format_summary(summary)}")


if __name__ == "__main__":
    cli.run(main)
