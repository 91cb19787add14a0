"""GoPro dataset, in the layout `tfds build datasets/gopro` expects.

The builder itself lives in `tfdeblur.data.gopro` (so `--dataset=gopro/blur`
works from an installed tfdeblur); this module names it `Builder` for the TFDS
command line:

    tfds build datasets/gopro --config=blur --manual_dir=/path/with/GOPRO_Large.zip
"""

from tfdeblur.data import gopro


class Builder(gopro.Gopro, skip_registration=True):
    """GoPro_Large blurred/sharp pairs (Nah et al. 2017); see `tfdeblur.data.gopro.Gopro`."""
