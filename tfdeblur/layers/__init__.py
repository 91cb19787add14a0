"""Reusable layers: each technique of the paper is one layer, used by every model."""

from tfdeblur.layers.attention import ChannelAttention, SelfAttention
from tfdeblur.layers.conv import conv, conv_block, initializer
from tfdeblur.layers.edges import CannyEdges
from tfdeblur.layers.feedback import ConvLSTMFeedback
from tfdeblur.layers.normalization import (
    BATCHNORM_STATISTICS,
    NORMALIZATIONS,
    BatchNormalization,
    normalization,
)
from tfdeblur.layers.padding import CropToMatch, ReflectionPadding2D, ReflectPadToMultiple
from tfdeblur.layers.residual import GlobalResidual, MeanPreservation

__all__ = [
    "BATCHNORM_STATISTICS",
    "NORMALIZATIONS",
    "BatchNormalization",
    "CannyEdges",
    "ChannelAttention",
    "ConvLSTMFeedback",
    "CropToMatch",
    "GlobalResidual",
    "MeanPreservation",
    "ReflectPadToMultiple",
    "ReflectionPadding2D",
    "SelfAttention",
    "conv",
    "conv_block",
    "initializer",
    "normalization",
]
