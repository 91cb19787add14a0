"""DeblurGAN's ResNet-9 generator as its authors' PyTorch code builds it, to time ours against.

The architecture of Kupyn et al. 2018 (DeblurGAN, `ResnetGenerator` with
`ngf=64`, `n_blocks=9`, instance norm without affine parameters, dropout,
`learn_residual=True`), written for this benchmark: 7x7 conv, two stride-2 3x3
convs, nine reflect-padded residual blocks, two transposed convs, 7x7 conv, tanh,
the input added and clipped to [-1, 1]. Random weights: speed does not depend on
them. Needs PyTorch (`pip install torch`), which tfdeblur itself never imports.
"""

import torch
from torch import nn


def _norm(channels):
    return nn.InstanceNorm2d(channels, affine=False)


class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3),
            _norm(channels),
            nn.ReLU(True),
            nn.Dropout(0.5),
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3),
            _norm(channels),
        )

    def forward(self, x):
        return x + self.body(x)


class ResnetGenerator(nn.Module):
    def __init__(self, filters=64, blocks=9):
        super().__init__()
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(3, filters, 7), _norm(filters), nn.ReLU(True)]
        for scale in (1, 2):
            layers += [
                nn.Conv2d(filters * scale, filters * scale * 2, 3, stride=2, padding=1),
                _norm(filters * scale * 2),
                nn.ReLU(True),
            ]
        layers += [ResidualBlock(filters * 4) for _ in range(blocks)]
        for scale in (4, 2):
            layers += [
                nn.ConvTranspose2d(filters * scale, filters * scale // 2, 3, 2, padding=1, output_padding=1),
                _norm(filters * scale // 2),
                nn.ReLU(True),
            ]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(filters, 3, 7), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return torch.clamp(x + self.model(x), -1.0, 1.0)


def restorer():
    """A function of float [-1, 1] NHWC numpy batches -> restored ones, in inference mode (no grad)."""
    generator = ResnetGenerator().eval()

    def restore(images):
        with torch.inference_mode():
            batch = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()
            return generator(batch).permute(0, 2, 3, 1).numpy()

    return restore, sum(parameter.numel() for parameter in generator.parameters())
