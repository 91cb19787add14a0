"""`ModelConfig`: everything needed to rebuild a generator and discriminator.

Training writes it next to the checkpoints (`config.json`), so `evaluate`,
`deblur` and `export` rebuild the exact network from a checkpoint directory.
Its field names are the command-line flag names.
"""

import dataclasses
import json


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    generator: str = "unet"
    generator_depth: int = 8
    generator_filters: int = 64
    generator_max_filters: int = 512
    generator_norm: str = "batch"
    dropout: float = 0.5
    global_residual: bool = False
    discriminator: str = "patchgan"
    discriminator_layers: int = 3
    discriminator_filters: int = 64
    discriminator_norm: str = "batch"
    conditional: bool = True

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
