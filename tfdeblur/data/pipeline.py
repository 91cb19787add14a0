"""tf.data plumbing shared by every dataset: augmentation, float conversion, batching."""

import tensorflow as tf

from tfdeblur.images import to_float

# A full-size evaluation pair, as every source yields it.
FRAME_SIGNATURE = {
    "blur": tf.TensorSpec([None, None, 3], tf.uint8),
    "sharp": tf.TensorSpec([None, None, 3], tf.uint8),
    "name": tf.TensorSpec([], tf.string),
}


def augment_pair(pair, seed):
    """Random flips and 90-degree rotation, one draw applied to both images of a pair.

    Rotation is applied only to square crops (it would change a frame's shape).
    """
    flip_seed, rotate_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    draws = tf.random.stateless_uniform([3], flip_seed)
    turns = tf.random.stateless_uniform([], rotate_seed, maxval=4, dtype=tf.int32)

    def transform(image):
        image = tf.cond(draws[0] < 0.5, lambda: tf.reverse(image, [1]), lambda: image)
        image = tf.cond(draws[1] < 0.5, lambda: tf.reverse(image, [0]), lambda: image)
        if image.shape[0] is not None and image.shape[0] == image.shape[1]:
            image = tf.image.rot90(image, turns)
        return image

    return {**pair, "blur": transform(pair["blur"]), "sharp": transform(pair["sharp"])}


def training_batches(pairs, batch_size, seed=0):
    """(blurred, sharp) float32 [-1, 1] batches from an endless dataset of uint8 pairs."""
    seeds = tf.data.Dataset.random(seed=seed + 1).batch(2)
    return (
        tf.data.Dataset.zip(pairs, seeds)
        .map(augment_pair, num_parallel_calls=tf.data.AUTOTUNE)
        .map(
            lambda pair: (to_float(pair["blur"]), to_float(pair["sharp"])),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
        .batch(batch_size, drop_remainder=True)
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


def random_crops(frames, crop_size, seed=0, cache=False):
    """An endless dataset of paired random crops of a finite dataset of full-size pairs."""
    frames = frames.map(lambda pair: {"blur": pair["blur"], "sharp": pair["sharp"]})
    return map_with_seeds(
        endless(frames, seed, cache),
        lambda pair, crop_seed: paired_random_crop(pair, crop_size, crop_seed),
        seed,
    )
