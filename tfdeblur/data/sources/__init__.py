"""Data sources, one module each; `tfdeblur.data.SOURCES` maps a spec prefix to its module."""

from tfdeblur.data.sources import embedded, folder, frames, gopro, synthetic

__all__ = ["embedded", "folder", "frames", "gopro", "synthetic"]
