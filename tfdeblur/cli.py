"""Flags shared by the command-line tools, and their error handling.

Every flag can also be set in a flagfile (`--flagfile=experiments/<row>.cfg`).
"""

import sys

from absl import app, flags

from tfdeblur import data, distribute
from tfdeblur.errors import InputError, TrainingDiverged
from tfdeblur.layers import NORMALIZATIONS
from tfdeblur.losses import ADVERSARIAL_LOSSES
from tfdeblur.models import DISCRIMINATORS, GENERATORS, ModelConfig


def define_model_flags():
    """Flags for every `ModelConfig` field, with its defaults (design.md §2 names the switches)."""
    defaults = ModelConfig()
    flags.DEFINE_enum("generator", defaults.generator, GENERATORS, "Generator architecture.")
    flags.DEFINE_integer(
        "generator_depth", defaults.generator_depth, "U-Net / RiR levels; inputs are padded to 2**depth."
    )
    flags.DEFINE_integer(
        "generator_filters", defaults.generator_filters, "Filters of the first generator level."
    )
    flags.DEFINE_integer(
        "generator_max_filters", defaults.generator_max_filters, "Filter cap of deeper levels."
    )
    flags.DEFINE_integer(
        "generator_blocks", defaults.generator_blocks, "Residual blocks of the resnet generator."
    )
    flags.DEFINE_enum("generator_norm", defaults.generator_norm, NORMALIZATIONS, "Generator normalisation.")
    flags.DEFINE_float("dropout", defaults.dropout, "Generator dropout rate (training only).")
    flags.DEFINE_bool(
        "global_residual", defaults.global_residual, "Add the blurred input to the output (GR)."
    )
    for where in ("encoder", "decoder"):
        flags.DEFINE_list(
            f"{where}_attention",
            list(getattr(defaults, f"{where}_attention")),
            f"Self-attention (SA) on the inputs of the {where} blocks at these strides, e.g. 8,64.",
        )
        flags.register_validator(f"{where}_attention", _integers, message="expected comma-separated integers")
    flags.DEFINE_float(
        "attention_value_ratio", defaults.attention_value_ratio, "Self-attention h(X) channels / C."
    )
    flags.DEFINE_integer(
        "attention_max_positions",
        defaults.attention_max_positions,
        "Largest H*W a self-attention block accepts (its map needs 4*(H*W)^2 bytes per image).",
    )
    flags.DEFINE_bool(
        "channel_attention", defaults.channel_attention, "Channel attention (CA, squeeze-and-excitation)."
    )
    flags.DEFINE_integer("channel_reduction", defaults.channel_reduction, "Channel attention reduction r.")
    flags.DEFINE_bool(
        "generator_spectral_norm", defaults.generator_spectral_norm, "Spectral norm on every generator conv."
    )
    flags.DEFINE_bool(
        "edge_input", defaults.edge_input, "Add an in-graph Canny edge map as a 4th input channel."
    )
    flags.DEFINE_integer(
        "feedback_iterations", defaults.feedback_iterations, "ConvLSTM feedback passes (resnet; 0 = none)."
    )
    flags.DEFINE_enum("discriminator", defaults.discriminator, DISCRIMINATORS, "Discriminator architecture.")
    flags.DEFINE_integer(
        "discriminator_layers", defaults.discriminator_layers, "PatchGAN stride-2 layers (3 = 70x70)."
    )
    flags.DEFINE_integer(
        "discriminator_filters", defaults.discriminator_filters, "Filters of the first D layer."
    )
    flags.DEFINE_enum(
        "discriminator_norm", defaults.discriminator_norm, NORMALIZATIONS, "Discriminator normalisation."
    )
    flags.DEFINE_bool(
        "discriminator_spectral_norm",
        defaults.discriminator_spectral_norm,
        "Spectral norm on every discriminator conv.",
    )
    flags.DEFINE_bool("conditional", defaults.conditional, "The discriminator also sees the blurred image.")


def _integers(values):
    try:
        [int(value) for value in values]
    except ValueError:
        return False
    return True


def define_training_flags():
    """Flags of `tfdeblur.train` (optimiser, losses, schedule), so every tool reads experiment flagfiles."""
    flags.DEFINE_string(
        "output_dir", None, "train: the run directory (checkpoints, logs, samples); evaluate: the report's."
    )
    flags.DEFINE_integer("train_steps", 100_000, "Generator steps to train in total.", lower_bound=1)
    flags.DEFINE_integer("steps_per_epoch", 1000, "Steps between checkpoints and validations.", lower_bound=1)
    flags.DEFINE_integer("batch_size", 1, "Training batch size.", lower_bound=1)
    flags.DEFINE_integer("crop_size", 256, "Side of the square training crops.", lower_bound=16)
    flags.DEFINE_float("learning_rate", 2e-4, "Adam learning rate of G and D.")
    flags.DEFINE_float(
        "decay_start", 1.0, "Fraction of --train_steps after which the learning rate decays linearly to 0."
    )
    flags.DEFINE_float("beta_1", 0.5, "Adam beta_1 of G and D.")
    flags.DEFINE_enum("adversarial_loss", "gan", sorted(ADVERSARIAL_LOSSES), "Adversarial loss.")
    flags.DEFINE_integer(
        "critic_steps", 1, "Discriminator steps per generator step (WGAN-GP: 5).", lower_bound=1
    )
    flags.DEFINE_float("gradient_penalty_weight", 10.0, "WGAN-GP gradient penalty weight lambda.")
    flags.DEFINE_float("l1_weight", 100.0, "Weight of the L1 content loss (0: off).")
    flags.DEFINE_float("l2_weight", 0.0, "Weight of the L2 content loss (0: off).")
    flags.DEFINE_float("perceptual_weight", 0.0, "Weight of the VGG19 perceptual loss (0: off).")
    flags.DEFINE_string(
        "perceptual_layer", "block3_conv3", "VGG19 layer of the perceptual loss (before its ReLU)."
    )
    flags.DEFINE_string(
        "vgg_weights",
        "imagenet",
        "VGG19 weights: 'imagenet' (Keras download/cache), a local .h5 path, or 'random' (smoke tests only).",
    )
    flags.DEFINE_bool("jit_compile", False, "Compile the train step with XLA (measure first: see README).")
    flags.DEFINE_enum(
        "strategy", "auto", distribute.STRATEGIES, "tf.distribute strategy (auto: TPU, else GPUs, else CPU)."
    )
    flags.DEFINE_enum(
        "mixed_precision", "float32", distribute.PRECISIONS, "Keras dtype policy (float16 adds loss scaling)."
    )
    flags.DEFINE_integer("seed", 0, "Seed of weights initialisation and data order.")


def define_experiment_flags():
    """Everything an experiment flagfile may set: model, dataset and training flags."""
    define_model_flags()
    define_dataset_flag()
    define_training_flags()


def define_dataset_flag(default="embedded"):
    """--dataset (a spec), and where TFDS keeps and finds GoPro."""
    flags.DEFINE_string("dataset", default, f"Dataset spec: {', '.join(data.SPECS)}.")
    flags.register_validator("dataset", valid_spec, message="unknown dataset spec")
    flags.DEFINE_string("data_dir", None, "TFDS data directory (default: ~/tensorflow_datasets).")
    flags.DEFINE_string("manual_dir", None, "Where GOPRO_Large.zip or GOPRO_Large/ is (TFDS manual_dir).")


def dataset_dirs(flag_values):
    """The TFDS directory flags, as keyword arguments of `tfdeblur.data` functions."""
    return {"data_dir": flag_values.data_dir, "manual_dir": flag_values.manual_dir}


def valid_spec(spec):
    """A flag validator: None, or a dataset spec `tfdeblur.data` knows."""
    if spec is None:
        return True
    try:
        data.check_spec(spec)
    except ValueError as error:
        raise flags.ValidationError(str(error)) from None
    return True


def run(main, positional=False):
    """`absl.app.run(main)`, printing an `InputError` (exit status 2) or a
    `TrainingDiverged` (status 3) as one line.

    Arguments that are not flags are refused unless `positional`.
    """

    def guarded(argv):
        if len(argv) > 1 and not positional:
            raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
        try:
            return main(argv)
        except InputError as error:
            print(f"error: {error}", file=sys.stderr)
            sys.exit(2)
        except TrainingDiverged as error:
            print(f"error: {error}", file=sys.stderr)
            sys.exit(3)

    app.run(guarded)
