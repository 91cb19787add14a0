r"""Training curves from TensorBoard logs: `tfdeblur plots --logdir=runs/<run>/logs`.

Writes `curves.png` (next to the logs unless `--output` says otherwise): every
`loss/*` scalar, both networks' learning rates and the validation PSNR/SSIM against
the global step, so runs that were resumed read as one curve.
"""

import collections
import glob
import os

from absl import flags

from tfdeblur.errors import InputError
from tfdeblur.evaluation.figures import saved_figure

POSITIONAL = False
FLAGS = flags.FLAGS


def define_flags():
    flags.DEFINE_string("logdir", None, "A run's TensorBoard directory (runs/<run>/logs).", required=True)
    flags.DEFINE_string("output", None, "Image to write (default: <logdir>/../curves.png).")


def read_scalars(logdir):
    """{tag: [(step, value), ...]} of every scalar in the event files under `logdir`, by step."""
    import tensorflow as tf  # its event files

    paths = sorted(glob.glob(os.path.join(logdir, "**", "events.out.tfevents.*"), recursive=True))
    if not paths:
        raise InputError(f"--logdir={logdir}: no TensorBoard event files")
    scalars = collections.defaultdict(dict)
    for path in paths:
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                if value.HasField("tensor") and not value.tensor.string_val:
                    scalars[value.tag][event.step] = float(tf.make_ndarray(value.tensor))
    return {tag: sorted(points.items()) for tag, points in scalars.items()}


def plot_curves(scalars, path):
    """Losses, learning rates, then one panel per validation metric, against the step; saved to `path`."""
    groups = [
        group for group in ("loss", "learning_rate") if any(tag.startswith(f"{group}/") for tag in scalars)
    ]
    panels = [*groups, *sorted(tag for tag in scalars if tag.startswith("validation/"))]
    with saved_figure(path, 1, len(panels), figsize=(5 * len(panels), 4)) as (_, axes):
        for axis, panel in zip(axes[0], panels):
            grouped = panel in groups
            tags = [tag for tag in scalars if tag.startswith(f"{panel}/")] if grouped else [panel]
            for tag in tags:
                steps, values = zip(*scalars[tag])
                axis.plot(steps, values, label=tag.split("/", 1)[-1], marker="." if panel != "loss" else None)
            titles = {"loss": "losses (epoch means)", "learning_rate": "learning rates"}
            axis.set(title=titles.get(panel) or f"held-out {panel.split('/')[1]}")
            axis.set(xlabel="step", yscale="symlog" if panel == "loss" else "linear")
            axis.grid(alpha=0.3)
            if grouped:
                axis.legend(fontsize=8)


def main(argv):
    del argv
    output = FLAGS.output or os.path.join(os.path.dirname(os.path.normpath(FLAGS.logdir)), "curves.png")
    plot_curves(read_scalars(FLAGS.logdir), output)
    print(f"Wrote {output}")
