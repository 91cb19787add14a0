r"""Evaluates a trained generator: `python -m tfdeblur.evaluate --checkpoint=D --output_dir=E`.

Writes `E/metrics.json` (psnr, ssim, input_psnr, input_ssim, num_images),
`E/per_image.csv` and `E/comparison.png`, on full-size frames of `--dataset`.
"""

from absl import flags

from tfdeblur import cli, data
from tfdeblur.checkpoints import load_generator
from tfdeblur.evaluation import evaluate, format_summary, write_report
from tfdeblur.models import attention_tile

FLAGS = flags.FLAGS
cli.define_dataset_flag()
flags.DEFINE_string(
    "checkpoint", None, "Training output dir, checkpoint dir or checkpoint prefix.", required=True
)
flags.DEFINE_string("split", "test", "Dataset split to evaluate.")
flags.DEFINE_string("output_dir", None, "Where to write the report.", required=True)
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
    summary = write_report(records, examples, FLAGS.output_dir)
    print(f"{FLAGS.dataset}/{FLAGS.split}: {format_summary(summary)}")


if __name__ == "__main__":
    cli.run(main)
