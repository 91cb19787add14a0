r"""Prints the networks of an experiment: `tfdeblur models --experiment=NAME --summary` (or
`--flagfile=F`); `tfdeblur models --experiments` lists the recipes. A recipe's training
settings are skipped.

Ends with the line `params: <N>`, the generator's parameter count (the network
that is deployed), after a line with the discriminator's.
"""

from absl import flags

from tfdeblur import config_flags, flagfiles
from tfdeblur.config import ModelConfig

POSITIONAL = False
FLAGS = flags.FLAGS


def define_flags():
    config_flags.define_settings(ModelConfig)
    flags.DEFINE_bool("summary", False, "Print the layer-by-layer summaries of G and D.")
    flags.DEFINE_bool("experiments", False, "List the recipes --experiment=NAME takes, and what each is.")


def main(argv):
    del argv
    if FLAGS.experiments:
        for name, path in flagfiles.recipes().items():
            print(f"{name:36} {flagfiles.title(path)}")
        return
    from tfdeblur.models import build_discriminator, build_generator

    config = config_flags.values(ModelConfig)
    generator = build_generator(config)
    discriminator = build_discriminator(config)
    if FLAGS.summary:
        generator.summary(line_length=120, expand_nested=False)
        discriminator.summary(line_length=120)
    print(f"discriminator params: {discriminator.count_params()}")
    print(f"params: {generator.count_params()}")
