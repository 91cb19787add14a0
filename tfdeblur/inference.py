"""Running a generator on uint8 images of any size, whole or in overlapping tiles."""

import numpy as np
import tensorflow as tf

from tfdeblur.images import to_float, to_uint8


def tile_starts(size, tile, overlap):
    """Offsets of tiles of side `tile` that cover `size` pixels, neighbours overlapping >= `overlap`."""
    if size <= tile:
        return [0]
    step = tile - overlap
    return [*range(0, size - tile, step), size - tile]


def _ramp(size, overlap):
    """1-D blending weights: rising over `overlap` pixels at both ends, 1 in between, never 0."""
    position = np.arange(size, dtype=np.float32) + 0.5
    return np.clip(np.minimum(position, size - position) / max(overlap, 1), 1e-3, 1.0)


class TiledRestorer:
    """Deblurs one uint8 [H, W, 3] image in overlapping `tile` x `tile` tiles, seams blended.

    `restore` maps float [-1, 1] batches to restored ones in inference mode
    (BatchNorm statistics frozen, dropout off: bug 1 of the paper's code,
    docs/paper-notes.md, defect 1): `functools.partial(generator, training=False)`, or the
    `restore` of an exported SavedModel (`tfdeblur.serving.load`). It is traced
    once for all sizes (generators pad to their stride inside). Memory is bounded by the tile, not
    the image (self-attention maps, 4000x3000 photos). Tile outputs are averaged
    with weights that ramp down over the `overlap` band, so no seam shows;
    `tile=None` runs the whole image at once.

    Tiles agree with a whole-image pass for BatchNorm or unnormalised
    generators (> 70 dB PSNR apart), not for instance-normalised ones
    (DeblurGAN): each tile is normalised by its own statistics (~28 dB apart
    for a random ResNet), so run those whole where memory allows.
    """

    def __init__(self, restore, tile=None, overlap=32):
        if tile is not None and not 0 <= overlap < tile:
            raise ValueError(f"tile overlap must be in [0, tile={tile}), got {overlap}")
        self.tile = tile
        self.overlap = overlap

        @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8)])
        def restore_float(blurred):
            return restore(to_float(blurred))

        self.restore_float = restore_float

    def __call__(self, blurred):
        blurred = np.asarray(blurred)
        height, width = blurred.shape[:2]
        if self.tile is None or (height <= self.tile and width <= self.tile):
            return to_uint8(self.restore_float(blurred[np.newaxis]))[0].numpy()
        total = np.zeros([height, width, 3], np.float32)
        weight = np.zeros([height, width, 1], np.float32)
        for top in tile_starts(height, self.tile, self.overlap):
            for left in tile_starts(width, self.tile, self.overlap):
                patch = blurred[top : top + self.tile, left : left + self.tile]
                restored = self.restore_float(patch[np.newaxis])[0].numpy()
                window = np.outer(_ramp(patch.shape[0], self.overlap), _ramp(patch.shape[1], self.overlap))
                total[top : top + patch.shape[0], left : left + patch.shape[1]] += (
                    restored * window[..., None]
                )
                weight[top : top + patch.shape[0], left : left + patch.shape[1]] += window[..., None]
        return to_uint8(tf.constant(total / weight)).numpy()
