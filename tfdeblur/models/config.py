"""`ModelConfig`: everything needed to rebuild a generator and discriminator.

Training writes it next to the checkpoints (`checkpoints/config.json`), so
`evaluate`, `deblur` and `export` rebuild the exact network from a checkpoint
directory. Each field is the command-line flag of the same name, and each
technique of the paper is one switch (docs/models.md).
"""

import dataclasses

from tfdeblur.config import Config, setting


@dataclasses.dataclass(frozen=True)
class ModelConfig(Config):
    generator: str = setting("unet", "Generator architecture.")
    generator_depth: int = setting(8, "U-Net / RiR levels; inputs are padded to 2**depth.")
    generator_filters: int = setting(64, "Filters of the first generator level.")
    generator_max_filters: int = setting(512, "Filter cap of deeper levels.")
    generator_blocks: int = setting(9, "Residual blocks of the resnet generator.")
    generator_norm: str = setting("batch", "Generator normalisation.")
    batchnorm_statistics: str = setting(
        "moving",
        "What generator batch norm normalises with at inference: its moving averages, or each image's "
        "own statistics (batch: pix2pix's test-batch statistics at batch size 1).",
    )
    dropout: float = setting(0.5, "Generator dropout rate (training only).")
    global_residual: bool = setting(False, "Add the blurred input to the output (GR).")
    encoder_attention: tuple[int, ...] = setting(
        (), "Self-attention (SA) on the inputs of the encoder blocks at these strides, e.g. 8,64."
    )
    decoder_attention: tuple[int, ...] = setting(
        (), "Self-attention (SA) on the inputs of the decoder blocks at these strides, e.g. 32,4."
    )
    attention_value_ratio: float = setting(0.5, "Self-attention h(X) channels / C.")
    attention_max_positions: int = setting(
        128 * 128, "Largest H*W a self-attention block accepts (its map needs 4*(H*W)^2 bytes per image)."
    )
    channel_attention: bool = setting(False, "Channel attention (CA, squeeze-and-excitation).")
    channel_reduction: int = setting(16, "Channel attention reduction r.")
    generator_spectral_norm: bool = setting(False, "Spectral norm on every generator conv.")
    edge_input: bool = setting(False, "Add an in-graph Canny edge map as a 4th input channel.")
    feedback_iterations: int = setting(0, "ConvLSTM feedback passes (resnet; 0 = none).")
    generator_scales: int = setting(
        1, "Scales the generator runs at, coarse to fine, sharing its weights (1: full size only)."
    )
    discriminator: str = setting("patchgan", "Discriminator architecture.")
    discriminator_layers: int = setting(3, "PatchGAN stride-2 layers (3 = 70x70).")
    discriminator_filters: int = setting(64, "Filters of the first D layer.")
    discriminator_norm: str = setting("batch", "Discriminator normalisation.")
    discriminator_spectral_norm: bool = setting(False, "Spectral norm on every discriminator conv.")
    conditional: bool = setting(True, "The discriminator also sees the blurred image.")

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
