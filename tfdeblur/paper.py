"""The paper's tables: each row's label, experiment flagfile and reported GoPro PSNR/SSIM.

The one place these numbers live: `tfdeblur reproduce` prints them beside
ours, the README's model table is tested against them, and each row flagfile
(`experiments/<experiment>.cfg`) names its row here in its first line.
DeblurGAN's row is from its own paper (Kupyn et al. 2018), as the paper quotes it.
"""

import os
import typing

from tfdeblur.flagfiles import RECIPES_DIR


class Row(typing.NamedTuple):
    table: int
    label: str
    experiment: str  # experiments/<experiment>.cfg
    psnr: float  # dB, on GoPro's test split
    ssim: float


ROWS = (
    Row(1, "Pix2Pix", "pix2pix", 25.41, 0.810),
    Row(1, "+ Sl. Attn", "pix2pix_sa", 25.41, 0.808),
    Row(1, "+ Sl. Attn + GR", "pix2pix_sa_gr", 27.29, 0.858),
    Row(1, "+ Sl. Attn + SN", "pix2pix_sa_sn", 26.05, 0.831),
    Row(1, "+ Sl. Attn + Ch. Attn + GR + SN + Percep.", "pix2pix_sa_ca_gr_sn_percep", 27.05, 0.831),
    Row(2, "RiR + Ch/Sl Attn + Percep + SN + GR", "rir", 22.70, 0.640),
    Row(2, "RiR(Large) + Ch/Sl Attn + L1 + SN + GR", "rir_large", 23.46, 0.671),
    Row(3, "DeblurGAN", "deblurgan", 28.70, 0.958),
    Row(3, "DeblurGAN + Edge", "deblurgan_edge", 25.27, 0.773),
    Row(3, "DeblurGAN + Feedback", "deblurgan_feedback", 27.20, 0.827),
)
EXPERIMENTS = tuple(row.experiment for row in ROWS)


def flagfile(experiment):
    """The path of the recipe `<experiment>.cfg` (`tfdeblur.flagfiles.RECIPES_DIR`)."""
    return os.path.join(RECIPES_DIR, f"{experiment}.cfg")


def flagfile_title(row):
    """The first line of the row's flagfile."""
    return f'# Table {row.table}, row "{row.label}" (reported numbers: tfdeblur/paper.py).'
