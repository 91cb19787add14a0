r"""Trains a deblurring GAN: `tfdeblur train --flagfile=experiments/<row>.cfg --output_dir=D`.

Writes `D/checkpoints/` (with `config.json`, the networks, and
`train_config.json`, the training settings), `D/logs/` (TensorBoard: losses,
both learning rates, validation PSNR/SSIM, sample images), `D/samples/*.png`, `D/flags.txt` (the
flags of every invocation, appended) and, at the end, the held-out evaluation
`D/metrics.json`, `D/per_image.csv`, `D/comparison.png`.

Running the same command again resumes from the last checkpoint, also after a
crash or `kill -9` (checkpoints are written atomically). A resume must keep
the run's model and training settings, except `TrainConfig.RESUMABLE` ones:
`--train_steps` (train further: the learning rate follows the schedule of the
new total from the step reached), `--steps_per_epoch`, `--validation_images`,
`--strategy`, `--jit_compile`, `--data_dir` and `--manual_dir`. `--strategy`
spreads training over GPUs, workers or a TPU (`tfdeblur.training.distribute`;
`--batch_size` is the global batch, at least one image per replica); a loss that
becomes NaN or infinite stops the run, keeping the last good checkpoint.
"""

from absl import flags

from tfdeblur import config_flags

POSITIONAL = False
FLAGS = flags.FLAGS


def define_flags():
    config_flags.define_experiment_flags()
    flags.mark_flag_as_required("output_dir")


def main(argv):
    del argv
    from tfdeblur.training import experiment, loop

    run = experiment.Experiment.from_flags(FLAGS)
    loop.train(run, FLAGS.output_dir, FLAGS.flags_into_string())
