"""Reusable layers: each technique of the paper is one layer, used by every model."""

from tfdeblur.layers.normalization import NORMALIZATIONS, normalization
from tfdeblur.layers.padding import CropToMatch, ReflectPadToMultiple
from tfdeblur.layers.residual import GlobalResidual

__all__ = [
    "NORMALIZATIONS",
    "CropToMatch",
    "GlobalResidual",
    "ReflectPadToMultiple",
    "normalization",
]
