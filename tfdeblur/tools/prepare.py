r"""Prepares GoPro for training: `tfdeblur prepare --manual_dir=DIR [--data_dir=D] [--config=blur]`.

Builds the TFDS dataset `gopro/<config>` from the manual download in `DIR`
(`GOPRO_Large.zip`, or the `GOPRO_Large/` folder extracted from it) into
`--data_dir` (default: ~/tensorflow_datasets), decoding every frame once, so a
corrupt file is named now rather than mid-training. It needs no Apache Beam:
`tfds build datasets/gopro` (the TFDS command line) imports `apache_beam` at start,
which `pip install apache-beam` provides. Training prepares it too when needed.
"""

from absl import flags

from tfdeblur.data.sources import gopro

POSITIONAL = False
FLAGS = flags.FLAGS


def define_flags():
    flags.DEFINE_string("manual_dir", None, "Where GOPRO_Large.zip or GOPRO_Large/ is.", required=True)
    flags.DEFINE_string("data_dir", None, "TFDS data directory (default: ~/tensorflow_datasets).")
    flags.DEFINE_multi_enum("config", list(gopro.CONFIGS), gopro.CONFIGS, "GoPro configs to prepare.")


def main(argv):
    del argv
    for config in FLAGS.config:
        builder = gopro.prepare(config, FLAGS.data_dir, FLAGS.manual_dir)
        splits = ", ".join(
            f"{name} {split.num_examples}" for name, split in sorted(builder.info.splits.items())
        )
        print(f"Prepared gopro/{config} in {builder.data_dir} ({splits} pairs)")
