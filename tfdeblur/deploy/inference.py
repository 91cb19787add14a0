"""Running a generator on uint8 images of any size, whole or in overlapping tiles."""

import collections
import functools

import numpy as np
import tensorflow as tf

from tfdeblur.images import to_float, to_uint8
from tfdeblur.layers.padding import padded_side
from tfdeblur.models import build_generator, input_multiple

GIB = 2**30
# The side of the square input the memory of a generator is estimated at (`MemoryModel`), and the
# peak bytes the runtime needs per byte the graph holds: kernels' scratch buffers and the order
# ops happen to run in are not in the graph (benchmarks/memory.py compares the two).
ESTIMATED_SIDE = 384
MEMORY_MARGIN = 3.0
# Ops whose outputs share their input's buffer or a variable's, or are held before the image runs.
_NOT_ALLOCATING = {"Const", "Identity", "NoOp", "Placeholder", "ReadVariableOp", "Reshape", "StopGradient"}


def with_strength(blurred, restored, strength):
    """uint8 `blurred + strength * (restored - blurred)` of uint8 images, rounded: `strength` of a
    model's correction (0: `blurred` itself, 1: `restored` itself); eager or in a graph."""
    if strength == 1.0:
        return restored
    blurred = tf.cast(blurred, tf.float32)
    return tf.cast(tf.round(blurred + strength * (tf.cast(restored, tf.float32) - blurred)), tf.uint8)


def with_strength_float(blurred, restored, strength):
    """`with_strength` of float images, unrounded."""
    return restored if strength == 1.0 else blurred + strength * (restored - blurred)


def without_strength(blurred, corrected, strength):
    """The model's whole correction from an export's output at `strength` (`with_strength_float`
    inverted; float [-1, 1] images), so runtimes can apply any other strength."""
    return corrected if strength == 1.0 else blurred + (corrected - blurred) / strength


def tile_starts(size, tile, overlap):
    """int32 offsets of tiles of side `tile` that cover `size` pixels, neighbours overlapping
    >= `overlap` (one tile where `size` <= `tile`); eager or in a graph."""
    last = tf.maximum(tf.cast(size, tf.int32) - tile, 0)
    return tf.concat([tf.range(0, last, tile - overlap), [last]], axis=0)


def ramp(size, overlap):
    """1-D blending weights: rising over `overlap` pixels at both ends, 1 in between, never 0."""
    size = tf.cast(size, tf.float32)
    position = tf.range(size, dtype=tf.float32) + 0.5
    return tf.clip_by_value(tf.minimum(position, size - position) / max(overlap, 1), 1e-3, 1.0)


def restore_tiled(restore, image, tile, overlap):
    """float [H, W, 3]: `restore` (batches -> float [-1, 1] batches) of one image [H, W, 3], whole
    where no side is over `tile`, else in overlapping tiles blended as `TiledRestorer` blends them,
    inside a graph: memory depends on the tile, not on the image (a float [H, W, 3] sum aside)."""
    height, width = tf.shape(image)[0], tf.shape(image)[1]

    def whole():
        return tf.cast(restore(image[tf.newaxis])[0], tf.float32)

    def tiled():
        tops, lefts = tile_starts(height, tile, overlap), tile_starts(width, tile, overlap)
        tile_height, tile_width = tf.minimum(height, tile), tf.minimum(width, tile)
        rows, columns = ramp(tile_height, overlap), ramp(tile_width, overlap)
        window = rows[:, tf.newaxis, tf.newaxis] * columns[tf.newaxis, :, tf.newaxis]
        grid = tf.stack(tf.meshgrid(tf.range(tile_height), tf.range(tile_width), indexing="ij"), -1)

        def add(index, total):
            top, left = tops[index // tf.size(lefts)], lefts[index % tf.size(lefts)]
            patch = image[top : top + tile_height, left : left + tile_width]
            restored = tf.cast(restore(patch[tf.newaxis])[0], tf.float32)
            return index + 1, tf.tensor_scatter_nd_add(total, grid + tf.stack([top, left]), restored * window)

        _, total = tf.while_loop(  # one tile at a time: the next waits for the sum, not only its input
            lambda index, _: index < tf.size(tops) * tf.size(lefts),
            add,
            (tf.constant(0), tf.zeros([height, width, 3])),
            parallel_iterations=1,
        )
        # The tiles form a grid, so the sum of their windows is an outer product of two sums.
        weight_rows = _summed(rows, tops, height)
        weight_columns = _summed(columns, lefts, width)
        return total / (weight_rows[:, tf.newaxis, tf.newaxis] * weight_columns[tf.newaxis, :, tf.newaxis])

    return tf.cond(tf.maximum(height, width) <= tile, whole, tiled)


def _summed(weights, starts, size):
    """[size]: `weights` added at each offset in `starts`."""
    indices = starts[:, tf.newaxis] + tf.range(tf.size(weights))[tf.newaxis]
    updates = tf.tile(weights[tf.newaxis], [tf.size(starts), 1])
    return tf.tensor_scatter_nd_add(tf.zeros([size]), indices[..., tf.newaxis], updates)


class MemoryModel:
    """The memory a generator needs for an image: `per_pixel` bytes x its padded pixels.

    Estimated from the generator's graph, the same way on every CPU and without
    running it: the generator of the config (random weights; the same shapes as the
    trained one) is traced on a `ESTIMATED_SIDE`^2 input, and `graph_peak_bytes` replays
    its ops in order, each output held from the op that makes it to its last
    consumer. The largest total held at once, per pixel, times `MEMORY_MARGIN`,
    covers TensorFlow's CPU runtimes with and without oneDNN (whose allocator may
    keep no statistics to measure with). Convolutional activations grow linearly
    with the pixels; self-attention maps do not (such generators tile at
    `attention_tile` anyway). The process itself (~0.6 GiB) comes on top.
    """

    def __init__(self, config):
        self.multiple = input_multiple(config)
        self.per_pixel = MEMORY_MARGIN * _graph_bytes_per_pixel(config)

    def bytes(self, height, width):
        """Estimated peak bytes for an image of `height` x `width` pixels."""
        return self.per_pixel * padded_side(height, self.multiple) * padded_side(width, self.multiple)

    def largest_side(self, budget):
        """The largest square side (a multiple of the stride) that fits in `budget` bytes."""
        return max(int(np.sqrt(budget / self.per_pixel)) // self.multiple, 1) * self.multiple


@functools.lru_cache(maxsize=8)
def _graph_bytes_per_pixel(config):
    """The graph's peak bytes per pixel of the generator of `config` on a `ESTIMATED_SIDE`^2 input."""
    generator = build_generator(config)
    side = padded_side(ESTIMATED_SIDE, input_multiple(config))
    run = tf.function(lambda images: generator(images, training=False))
    graph = run.get_concrete_function(tf.TensorSpec([1, side, side, 3])).graph
    return graph_peak_bytes(graph) / side**2


def graph_peak_bytes(graph):
    """The most bytes of op outputs a `tf.Graph` holds at once, its ops run in the order they were
    made (a topological order), each output freed after its last consumer."""
    operations = graph.get_operations()
    last_use = {}
    for index, operation in enumerate(operations):
        for tensor in operation.inputs:
            last_use[tensor.ref()] = index
    held, peak, freed_after = 0, 0, collections.defaultdict(int)
    for index, operation in enumerate(operations):
        if operation.type not in _NOT_ALLOCATING:
            for tensor in operation.outputs:
                if tensor.dtype in (tf.resource, tf.variant) or not tensor.shape.is_fully_defined():
                    continue
                size = tensor.shape.num_elements() * tensor.dtype.size
                held += size
                freed_after[last_use.get(tensor.ref(), index)] += size
        peak = max(peak, held)
        held -= freed_after.pop(index, 0)
    return peak


class TiledRestorer:
    """Deblurs one uint8 [H, W, 3] image in overlapping `tile` x `tile` tiles, seams blended.

    `restore` maps float [-1, 1] batches to restored ones in inference mode
    (BatchNorm statistics frozen, dropout off: bug 1 of the paper's code,
    docs/paper-notes.md, defect 1): `functools.partial(generator, training=False)`, or the
    `restore` of an exported SavedModel (`tfdeblur.deploy.serving.load`). It is traced
    once for all sizes (generators pad to their stride inside). Memory is bounded by the tile, not
    the image (self-attention maps, 4000x3000 photos). Tile outputs are averaged
    with weights that ramp down over the `overlap` band, so no seam shows.
    Images run whole when `whole(height, width)` says so (default: when no side
    is over `tile`; `tile=None` runs every image whole).

    Tiles agree with a whole-image pass for BatchNorm or unnormalised
    generators (> 70 dB PSNR apart), not for instance-normalised ones
    (DeblurGAN): each tile is normalised by its own statistics (~28 dB apart
    for a random ResNet), so run those whole where memory allows.
    """

    def __init__(self, restore, tile=None, overlap=32, whole=None):
        if tile is not None and not 0 <= overlap < tile:
            raise ValueError(f"tile overlap must be in [0, tile={tile}), got {overlap}")
        self.tile = tile
        self.overlap = overlap
        self.whole = whole or (lambda height, width: tile is None or max(height, width) <= tile)

        @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8)])
        def restore_float(blurred):
            return restore(to_float(blurred))

        self.restore_float = restore_float

    def tile_of(self, height, width):
        """The side of the tiles an image of `height` x `width` runs in, or None where it runs whole."""
        return None if self.whole(height, width) else self.tile

    def __call__(self, blurred):
        blurred = np.asarray(blurred)
        height, width = blurred.shape[:2]
        if self.whole(height, width):
            return to_uint8(self.restore_float(blurred[np.newaxis]))[0].numpy()
        total = np.zeros([height, width, 3], np.float32)
        weight = np.zeros([height, width, 1], np.float32)
        for top in tile_starts(height, self.tile, self.overlap).numpy():
            for left in tile_starts(width, self.tile, self.overlap).numpy():
                patch = blurred[top : top + self.tile, left : left + self.tile]
                restored = self.restore_float(patch[np.newaxis])[0].numpy()
                window = np.outer(ramp(patch.shape[0], self.overlap), ramp(patch.shape[1], self.overlap))
                total[top : top + patch.shape[0], left : left + patch.shape[1]] += (
                    restored * window[..., None]
                )
                weight[top : top + patch.shape[0], left : left + patch.shape[1]] += window[..., None]
        # `to_uint8` of the blend, computed in place: a 50 MP image's float copies are 600 MB each.
        np.divide(total, weight, out=total)
        total += 1.0
        total *= 127.5
        np.clip(total, 0.0, 255.0, out=total)
        return np.rint(total, out=total).astype(np.uint8)
