"""Settings as typed, frozen dataclasses, saved as JSON with a run and compared on resume.

Every field is one command-line flag of the same name (`tfdeblur.config_flags`), declared
with `setting(default, help)` (and `choices=` for a name from a registry). A `Config` loads
from JSON with one-line errors naming the file, and lists how it differs from another
(`differences`). `ModelConfig` holds the networks, `TrainConfig` every training setting.
Nothing here needs TensorFlow: commands check their flags before it starts.
"""

import dataclasses
import json
import math
import os
import types
import typing

from tfdeblur import atomic
from tfdeblur.errors import InputError

NORMALIZATIONS = ("batch", "instance", "none")
PRECISIONS = ("auto", "float32", "mixed_float16", "mixed_bfloat16")  # Keras dtype policies, and auto


def setting(default, help, **flag_options):
    """A dataclass field with its flag's help (and e.g. `lower_bound`, `choices`) as metadata."""
    return dataclasses.field(default=default, metadata={"help": help, **flag_options})


def value_type(field):
    """The type of a setting's values: `str` for a `str | None` field, else the field's type."""
    kind = field.type
    if isinstance(kind, types.UnionType):  # `str | None`
        (kind,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
    return kind


def _fits(value, field):
    """Whether a JSON value is one `field` takes: its type (None where optional, ints as floats, a
    list of ints for a tuple), and one of its `choices`."""
    if value is None and isinstance(field.type, types.UnionType):
        return True
    kind = value_type(field)
    if typing.get_origin(kind) is tuple:
        return isinstance(value, list | tuple) and all(
            isinstance(item, int) and not isinstance(item, bool) for item in value
        )
    if kind is float:
        fits = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    elif kind is int:
        fits = isinstance(value, int) and not isinstance(value, bool)
    else:
        fits = isinstance(value, kind)
    choices = field.metadata.get("choices")
    bounded = value >= field.metadata.get("lower_bound", value) if fits and kind in (int, float) else True
    return fits and bounded and (not choices or value in choices)


@dataclasses.dataclass(frozen=True)
class Config:
    """Base of the settings dataclasses: JSON round trips, tuples normalised, differences."""

    def __post_init__(self):
        # Lists from JSON or flags become tuples of ints, so configs compare and hash.
        for field in dataclasses.fields(self):
            if typing.get_origin(field.type) is tuple:
                values = getattr(self, field.name) or ()
                object.__setattr__(self, field.name, tuple(int(value) for value in values))

    @classmethod
    def from_dict(cls, values, source):
        """The config of `values` (a JSON object); InputError naming `source` and any setting it does
        not know, or whose value is not of the setting's type (or among its choices)."""
        if not isinstance(values, dict):
            raise InputError(f"{source}: a {cls.__name__} is a JSON object, not {type(values).__name__}")
        fields = {field.name: field for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise InputError(
                f"{source}: unknown {cls.__name__} settings {unknown} (written by another tfdeblur version?)"
            )
        for name, value in values.items():
            if not _fits(value, fields[name]):
                raise InputError(f"{source}: {name}={json.dumps(value)[:80]} is not a valid {name}")
        return cls(**values)

    @classmethod
    def load(cls, path):
        try:
            with open(path, encoding="utf-8") as file:
                values = json.load(file)
        except (OSError, ValueError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            reason = error.strerror if isinstance(error, OSError) else str(error).splitlines()[0]
            raise InputError(f"{path}: cannot read {cls.__name__}: {reason}") from None
        return cls.from_dict(values, path)

    @classmethod
    def load_if_present(cls, path):
        """The config at `path`, or None where there is none (an export written without one)."""
        return cls.load(path) if os.path.isfile(path) else None

    def save(self, path):
        """Writes the config as JSON, whole or not at all (a resume reads it)."""
        atomic.write_text(path, json.dumps(dataclasses.asdict(self), indent=2) + "\n")

    @classmethod
    def choices(cls, name):
        """The names the setting `name` takes (its registry's keys), or None for a free value."""
        return next(field.metadata.get("choices") for field in dataclasses.fields(cls) if field.name == name)

    def differences(self, other):
        """{name: (self's value, other's value)} of the settings that differ."""
        return {
            field.name: (getattr(self, field.name), getattr(other, field.name))
            for field in dataclasses.fields(self)
            if getattr(self, field.name) != getattr(other, field.name)
        }


@dataclasses.dataclass(frozen=True)
class ModelConfig(Config):
    """Everything needed to rebuild a generator and discriminator.

    Training writes it next to the checkpoints (`checkpoints/config.json`), so
    `evaluate`, `deblur` and `export` rebuild the exact network from a training run.
    Each technique of the paper is one switch (docs/models.md).
    """

    generator: str = setting("unet", "Generator architecture.", choices=("unet", "rir", "resnet"))
    generator_depth: int = setting(8, "U-Net / RiR levels; inputs are padded to 2**depth.", lower_bound=1)
    generator_filters: int = setting(64, "Filters of the first generator level.", lower_bound=1)
    generator_max_filters: int = setting(512, "Filter cap of deeper levels.", lower_bound=1)
    generator_blocks: int = setting(9, "Residual blocks of the resnet generator.", lower_bound=0)
    generator_norm: str = setting("batch", "Generator normalisation.", choices=NORMALIZATIONS)
    batchnorm_statistics: str = setting(
        "moving",
        "What generator batch norm normalises with at inference: its moving averages, or each image's "
        "own statistics (batch: pix2pix's test-batch statistics at batch size 1).",
        choices=("moving", "batch"),
    )
    dropout: float = setting(0.5, "Generator dropout rate (training only).", lower_bound=0.0)
    global_residual: bool = setting(False, "Add the blurred input to the output (GR).")
    preserve_mean: bool = setting(
        False, "Move the output's mean level to the input's, per image and channel (no brightness shift)."
    )
    encoder_attention: tuple[int, ...] = setting(
        (), "Self-attention (SA) on the inputs of the encoder blocks at these strides, e.g. 8,64."
    )
    decoder_attention: tuple[int, ...] = setting(
        (), "Self-attention (SA) on the inputs of the decoder blocks at these strides, e.g. 32,4."
    )
    attention_value_ratio: float = setting(0.5, "Self-attention h(X) channels / C.", lower_bound=0.0)
    attention_max_positions: int = setting(
        128 * 128,
        "Largest H*W a self-attention block accepts (its map needs 4*(H*W)^2 bytes per image).",
        lower_bound=1,
    )
    channel_attention: bool = setting(False, "Channel attention (CA, squeeze-and-excitation).")
    channel_reduction: int = setting(16, "Channel attention reduction r.", lower_bound=1)
    generator_spectral_norm: bool = setting(False, "Spectral norm on every generator conv.")
    edge_input: bool = setting(False, "Add an in-graph Canny edge map as a 4th input channel.")
    feedback_iterations: int = setting(0, "ConvLSTM feedback passes (resnet; 0 = none).", lower_bound=0)
    generator_scales: int = setting(
        1,
        "Scales the generator runs at, coarse to fine, sharing its weights (1: full size only).",
        lower_bound=1,
    )
    discriminator: str = setting("patchgan", "Discriminator architecture.", choices=("patchgan",))
    discriminator_layers: int = setting(3, "PatchGAN stride-2 layers (3 = 70x70).", lower_bound=0)
    discriminator_filters: int = setting(64, "Filters of the first D layer.", lower_bound=1)
    discriminator_norm: str = setting("batch", "Discriminator normalisation.", choices=NORMALIZATIONS)
    discriminator_spectral_norm: bool = setting(False, "Spectral norm on every discriminator conv.")
    conditional: bool = setting(True, "The discriminator also sees the blurred image.")
    strength: float = setting(
        1.0,
        "How much of its correction the model applies by default at inference (deblur --strength, "
        "tfdeblur.load(strength=)): 0 the input, 1 the model's output; chosen on held-out data.",
        lower_bound=0.0,
    )

    def for_inference(self, batchnorm_statistics=None):
        """This config with `batchnorm_statistics` replaced when given: the one setting chosen at
        inference (same weights either way)."""
        if batchnorm_statistics is None:
            return self
        return dataclasses.replace(self, batchnorm_statistics=batchnorm_statistics)

    @property
    def normalises_per_image(self):
        """Whether the generator normalises each input by its own statistics at inference (instance
        norm, or batch norm with `batch` statistics): tiles of one image are normalised apart."""
        return self.generator_norm == "instance" or (
            self.generator_norm == "batch" and self.batchnorm_statistics == "batch"
        )


@dataclasses.dataclass(frozen=True)
class TrainConfig(Config):
    """Everything `tfdeblur train` needs beyond the networks: data, schedule, losses, distribution.

    Defaults are Pix2Pix's (Isola et al. 2017): Adam 2e-4, beta_1 0.5, batch 1,
    256x256 crops, GAN + 100 x L1. Saved as `checkpoints/train_config.json`; a
    resume may change only `RESUMABLE` settings (see `resume_changes`).
    """

    dataset: str = setting("embedded", "Training dataset spec (tfdeblur.data.SPECS).")
    eval_dataset: str | None = setting(
        None, "Dataset spec of validation and the final held-out evaluation (default: --dataset)."
    )
    data_dir: str | None = setting(None, "TFDS data directory (default: ~/tensorflow_datasets).")
    manual_dir: str | None = setting(None, "Where GOPRO_Large.zip or GOPRO_Large/ is (TFDS manual_dir).")
    crop_size: int = setting(256, "Side of the square training crops.", lower_bound=16)
    batch_size: int = setting(1, "Training batch size (global, over every replica).", lower_bound=1)
    train_steps: int = setting(100_000, "Generator steps to train in total.", lower_bound=1)
    steps_per_epoch: int = setting(1000, "Steps between checkpoints and validations.", lower_bound=1)
    validation_images: int = setting(
        64,
        "Images of the evaluation set each validation scores: a fixed subset spread over it (0: all). "
        "The final report scores them all.",
        lower_bound=0,
    )
    learning_rate: float = setting(2e-4, "Adam learning rate of G and D.")
    decay_start: float = setting(
        1.0, "Fraction of --train_steps after which the learning rate decays linearly to 0."
    )
    beta_1: float = setting(0.5, "Adam beta_1 of G and D.")
    adversarial_loss: str = setting("gan", "Adversarial loss.", choices=("gan", "lsgan", "wgan-gp"))
    critic_steps: int = setting(1, "Discriminator steps per generator step (WGAN-GP: 5).", lower_bound=1)
    gradient_penalty_weight: float = setting(10.0, "WGAN-GP gradient penalty weight lambda.")
    l1_weight: float = setting(100.0, "Weight of the L1 content loss (0: off).")
    l2_weight: float = setting(0.0, "Weight of the L2 content loss (0: off).")
    perceptual_weight: float = setting(0.0, "Weight of the VGG19 perceptual loss (0: off).")
    perceptual_layer: str = setting("block3_conv3", "VGG19 layer of the perceptual loss (before its ReLU).")
    vgg_weights: str = setting(
        "imagenet",
        "VGG19 weights: 'imagenet' (Keras download/cache), a local .h5 path, or 'random' (smoke tests only).",
    )
    jit_compile: bool = setting(False, "Compile the train step with XLA (measure first: see docs/speed.md).")
    strategy: str = setting(
        "auto",
        "tf.distribute strategy (auto: TPU, else GPUs, else CPU).",
        choices=("auto", "one_device", "mirrored", "multi_worker", "tpu"),
    )
    mixed_precision: str = setting(
        "float32",
        "Keras dtype policy (float16 adds loss scaling; auto: bfloat16 where the CPU has it).",
        choices=PRECISIONS,
    )
    seed: int = setting(0, "Seed of weights initialisation, data order and the gradient penalty.")
    init_from: str | None = setting(
        None,
        "Generator weights a new run starts from (fine-tuning): a shipped model's name (demo), "
        "a packed model's folder or a training run, of the same architecture.",
    )

    # Settings a resumed run may change: where files are, how often to save, how to run
    # the same computation, and how long to train (the schedule follows, see README).
    RESUMABLE: typing.ClassVar[frozenset] = frozenset(
        {
            "train_steps",
            "steps_per_epoch",
            "validation_images",
            "data_dir",
            "manual_dir",
            "jit_compile",
            "strategy",
        }
    )

    def resume_changes(self, saved, source):
        """The resumable settings that differ from `saved` ({name: (saved, new)});
        InputError naming `source` and every other setting that differs."""
        differences = saved.differences(self)
        refused = {name: values for name, values in differences.items() if name not in self.RESUMABLE}
        if refused:
            changed = ", ".join(f"--{name}={new} (the run has {old})" for name, (old, new) in refused.items())
            raise InputError(
                f"{source}: resuming with other training settings: {changed}; only "
                f"{', '.join(f'--{name}' for name in sorted(self.RESUMABLE))} may change on resume "
                "(use a new --output_dir, or the run's settings)"
            )
        return differences

    @property
    def evaluation_dataset(self):
        return self.eval_dataset or self.dataset
