"""tf.data plumbing shared by every dataset: augmentation, float conversion, batching."""

import tensorflow as tf

from tfdeblur.images import to_float

CACHE_BUDGET_BYTES = 2 * 1024**3  # decoded training images are kept in memory below this

# A full-size evaluation pair, as every source yields it.
FRAME_SIGNATURE = {
    "blur": tf.TensorSpec([None, None, 3], tf.uint8),
    "sharp": tf.TensorSpec([None, None, 3], tf.uint8),
    "name": tf.TensorSpec([], tf.string),
}


def augment_batch(pairs, seed):
    """Random flips and 90-degree rotations of a batch of pairs {"blur", "sharp"} [N, H, W, 3]:
    one draw per pair, applied to both of its images.

    Rotation is applied only to square crops (it would change a frame's shape).
    """
    flip_seed, rotate_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    count = tf.shape(pairs["blur"])[0]
    flips = tf.random.stateless_uniform([2, count, 1, 1, 1], flip_seed) < 0.5
    turns = tf.random.stateless_uniform([count], rotate_seed, maxval=4, dtype=tf.int32)

    # Both images of a pair as one 6-channel image: one transform moves them alike.
    images = tf.concat([pairs["blur"], pairs["sharp"]], axis=-1)
    images = tf.where(flips[0], tf.reverse(images, [2]), images)
    images = tf.where(flips[1], tf.reverse(images, [1]), images)
    if images.shape[1] is not None and images.shape[1] == images.shape[2]:
        rotations = tf.stack([tf.image.rot90(images, k) for k in range(4)], axis=1)
        images = tf.gather(rotations, turns, axis=1, batch_dims=1)
    blurred, sharp = tf.split(images, 2, axis=-1)
    return {**pairs, "blur": blurred, "sharp": sharp}


def training_batches(pairs, batch_size, seed=0):
    """(blurred, sharp) float32 [-1, 1] batches from an endless dataset of uint8 pairs,
    augmented by `augment_batch` (per batch, not per pair: a few ops per step)."""
    seeds = tf.data.Dataset.random(seed=seed + 1).batch(2)
    return (
        tf.data.Dataset.zip(pairs.batch(batch_size, drop_remainder=True), seeds)
        .map(augment_batch, num_parallel_calls=tf.data.AUTOTUNE)
        .map(
            lambda batch: (to_float(batch["blur"]), to_float(batch["sharp"])),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
        .prefetch(tf.data.AUTOTUNE)
    )


def paired_random_crop(pair, crop_size, seed):
    """One random crop_size^2 window, the same for the blurred and the sharp image."""
    stacked = tf.stack([pair["blur"], pair["sharp"]])
    cropped = tf.image.stateless_random_crop(stacked, [2, crop_size, crop_size, 3], seed)
    return {"blur": cropped[0], "sharp": cropped[1]}


def endless(items, seed=0, cache=False):
    """A finite dataset repeated forever, reshuffled every pass (`cache`: in memory after the first)."""
    if cache:
        items = items.cache()
    return items.shuffle(256, seed=seed, reshuffle_each_iteration=True).repeat()


def map_with_seeds(items, function, seed=0):
    """`function(item, seed)` over `items`, with a fresh stateless [2] seed per item: reproducible draws."""
    seeds = tf.data.Dataset.random(seed=seed).batch(2)
    return tf.data.Dataset.zip(items, seeds).map(function, num_parallel_calls=tf.data.AUTOTUNE)


def crops(frames, crop_size, seed=0):
    """One paired random crop of each full-size pair of `frames`."""
    frames = frames.map(lambda pair: {"blur": pair["blur"], "sharp": pair["sharp"]})
    return map_with_seeds(
        frames, lambda pair, crop_seed: paired_random_crop(pair, crop_size, crop_seed), seed
    )


def random_crops(frames, crop_size, seed=0, cache=False):
    """An endless dataset of paired random crops of a finite dataset of full-size pairs (shuffled as
    frames: for sets that fit in memory)."""
    return crops(endless(frames, seed, cache), crop_size, seed)


def spread_subset(pairs, count):
    """A fixed subset of `count` items of the finite dataset `pairs` (all where `count` is 0 or
    more than it holds): spread evenly over it where its size is known (GoPro's 1111 test frames
    come sequence by sequence), else its first `count`. Returns (subset, size of `pairs` or None)."""
    size = int(pairs.cardinality())
    known = size >= 0
    if count == 0 or (known and count >= size):
        return pairs, size if known else None
    if not known:
        return pairs.take(count), None
    chosen = tf.constant(sorted({index * size // count for index in range(count)}), tf.int64)
    subset = pairs.enumerate().filter(lambda index, _: tf.reduce_any(tf.equal(index, chosen)))
    return subset.map(lambda _, pair: pair), size


CROP_BUFFER = 256  # crops: 256 x 2 x 256^2 x 3 bytes = 100 MB at the paper's crop size


def shuffled_crops(frames, crop_size, seed=0):
    """Paired random crops of an endless dataset of full-size pairs, one per frame, shuffled in a
    buffer of `CROP_BUFFER` crops (its memory: CROP_BUFFER x 6 x crop_size^2 bytes)."""
    return crops(frames, crop_size, seed).shuffle(CROP_BUFFER, seed=seed)


def fits_in_memory(shapes, images_per_shape=1):
    """Whether decoded uint8 RGB images of these [H, W] shapes fit the in-memory cache budget."""
    return sum(height * width for height, width in shapes) * 3 * images_per_shape <= CACHE_BUDGET_BYTES
