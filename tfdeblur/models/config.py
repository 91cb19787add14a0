"""`ModelConfig`: everything needed to rebuild a generator and discriminator.

Training writes it next to the checkpoints (`config.json`), so `evaluate`,
`deblur` and `export` rebuild the exact network from a checkpoint directory.
Its field names are the command-line flag names (`tfdeblur.cli`), and each
technique of the paper is one switch (design.md §2).
"""

import dataclasses
import json
import typing


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    generator: str = "unet"
    generator_depth: int = 8
    generator_filters: int = 64
    generator_max_filters: int = 512
    generator_blocks: int = 9
    generator_norm: str = "batch"
    dropout: float = 0.5
    global_residual: bool = False
    encoder_attention: tuple[int, ...] = ()
    decoder_attention: tuple[int, ...] = ()
    attention_value_ratio: float = 0.5
    attention_max_positions: int = 128 * 128
    channel_attention: bool = False
    channel_reduction: int = 16
    generator_spectral_norm: bool = False
    edge_input: bool = False
    feedback_iterations: int = 0
    discriminator: str = "patchgan"
    discriminator_layers: int = 3
    discriminator_filters: int = 64
    discriminator_norm: str = "batch"
    discriminator_spectral_norm: bool = False
    conditional: bool = True

    def __post_init__(self):
        # Lists from JSON or flags become tuples of ints, so configs compare and hash.
        for field in dataclasses.fields(self):
            if typing.get_origin(field.type) is tuple:
                values = getattr(self, field.name) or ()
                object.__setattr__(self, field.name, tuple(int(v) for v in values))

    @classmethod
    def from_flags(cls, flag_values):
        return cls(**{field.name: flag_values[field.name].value for field in dataclasses.fields(cls)})

    @classmethod
    def load(cls, path):
        with open(path) as file:
            values = json.load(file)
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{path}: unknown model settings {unknown}")
        return cls(**values)

    def save(self, path):
        with open(path, "w") as file:
            json.dump(dataclasses.asdict(self), file, indent=2)
            file.write("\n")
