"""Encoded photos read inside a TensorFlow graph, size first: what a server checks before decoding.

`decode_upright` takes one encoded JPEG, PNG or BMP, reads its width and height from the
header (`tf.io.extract_jpeg_shape`; the PNG IHDR chunk; the BMP info header, where
TensorFlow's own decoder reads them) and refuses, with an `InvalidArgumentError` naming the
size and the limit, an image over `max_pixels` before a single pixel is decoded. Anything
else is refused by its first bytes: GIF too, since an animation decodes every frame
(`tf.io.decode_image`) and no header counts them. The decoded pixels are turned upright by
the EXIF orientation (a JPEG's APP1 segment, a PNG's eXIf chunk), as Pillow's
`ImageOps.exif_transpose` turns them for the command line (`tfdeblur.deploy.photos`).
"""

import tensorflow as tf

FORMATS = ("JPEG", "PNG", "BMP")
_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"BM")
GIF_MAGIC = b"GIF8"
HEAD = 1 << 17  # bytes searched for EXIF: a JPEG's APP1 segment is at most 64 KiB, near the start
EXIF_ENTRIES = 64  # IFD0 entries read (a camera writes ~10-20 before the orientation's 0x0112)
ORIENTATION_TAG = 0x0112


def _head(contents):
    """The first `HEAD` bytes of `contents`, zero-padded so every read below stays inside."""
    return tf.strings.join([tf.strings.substr(contents, 0, HEAD), b"\0" * (HEAD + 16 * EXIF_ENTRIES)])


def _bytes(head, offset, length):
    """int64 [length] bytes of `head` from `offset` (clamped into the head)."""
    offset = tf.clip_by_value(tf.cast(offset, tf.int32), 0, HEAD)
    values = tf.io.decode_raw(tf.strings.substr(head, offset, length), tf.uint8)
    return tf.cast(tf.reshape(values, [length]), tf.int64)


def _number(values, little_endian):
    """The unsigned integer of the bytes `values` (last axis) in the given byte order."""
    size = values.shape[-1]
    weights = tf.constant([256**k for k in range(size)], tf.int64)
    weights = tf.where(little_endian, weights, tf.reverse(weights, [0]))
    return tf.reduce_sum(values * weights, axis=-1)


def _signed32(value):
    return tf.where(value >= 2**31, value - 2**32, value)


def format_index(contents):
    """The index in `FORMATS` of the encoded image `contents` by its first bytes, or -1."""
    index = tf.constant(-1)
    for position, magic in reversed(list(enumerate(_MAGIC))):
        index = tf.where(tf.equal(tf.strings.substr(contents, 0, len(magic)), magic), position, index)
    return index


def image_size(contents, index):
    """int64 (height, width) from the header of `contents`, a `FORMATS[index]` image."""
    head = _bytes(contents + b"\0" * 32, 0, 32)  # PNG and BMP sizes are in the first 26 bytes

    def jpeg():
        return tf.cast(tf.io.extract_jpeg_shape(contents)[:2], tf.int64)

    def png():  # IHDR: width then height, big-endian, at bytes 16 and 20
        size = _number(tf.reshape(head[16:24], [2, 4]), False)
        is_ihdr = tf.reduce_all(tf.equal(head[12:16], tf.constant(list(b"IHDR"), tf.int64)))
        return tf.where(is_ihdr, tf.reverse(size, [0]), tf.constant([0, 0], tf.int64))

    def bmp():  # BITMAPINFOHEADER: width then height, signed little-endian, at bytes 18 and 22
        width, height = tf.unstack(_signed32(_number(tf.reshape(head[18:26], [2, 4]), True)))
        return tf.stack([tf.abs(height), width])  # a negative height is a top-down bitmap

    return tf.switch_case(tf.maximum(index, 0), [jpeg, png, bmp])


def exif_orientation(contents, index):
    """The EXIF orientation (1-8) of a `FORMATS[index]` image, 1 where it has none or an invalid one."""
    head = _head(contents)
    jpeg_parts = tf.strings.split(head, sep="Exif\0\0", maxsplit=1)  # APP1's TIFF data follows
    png_parts = tf.strings.split(head, sep="eXIf", maxsplit=1)  # the chunk's type, then its data
    is_png = tf.equal(index, 1)
    found_marker = tf.where(is_png, tf.size(png_parts), tf.size(jpeg_parts)) == 2
    tiff = tf.where(is_png, tf.strings.length(png_parts[0]) + 4, tf.strings.length(jpeg_parts[0]) + 6)
    order = _bytes(head, tiff, 2)
    little_endian = tf.reduce_all(tf.equal(order, ord("I")))
    known_order = little_endian | tf.reduce_all(tf.equal(order, ord("M")))
    ifd = tf.minimum(tiff + tf.cast(_number(_bytes(head, tiff + 4, 4), little_endian), tf.int32), HEAD)
    count = _number(_bytes(head, ifd, 2), little_endian)
    entries = tf.reshape(_bytes(head, ifd + 2, 12 * EXIF_ENTRIES), [EXIF_ENTRIES, 12])
    tags = _number(entries[:, 0:2], little_endian)
    values = _number(entries[:, 8:10], little_endian)
    found = tf.equal(tags, ORIENTATION_TAG) & (tf.range(EXIF_ENTRIES, dtype=tf.int64) < count)
    value = tf.gather(values, tf.argmax(tf.cast(found, tf.int32)))
    valid = found_marker & known_order & tf.reduce_any(found) & (value >= 1) & (value <= 8)
    return tf.where(valid & (index <= 1), tf.cast(value, tf.int32), 1)


def upright(pixels, orientation):
    """`pixels` [H, W, C] turned as EXIF `orientation` says (Pillow's `ImageOps.exif_transpose`)."""
    transpose = lambda image: tf.transpose(image, [1, 0, 2])  # noqa: E731
    return tf.switch_case(
        orientation - 1,
        [
            lambda: pixels,
            lambda: tf.reverse(pixels, [1]),  # 2: mirrored left-right
            lambda: tf.reverse(pixels, [0, 1]),  # 3: turned 180 degrees
            lambda: tf.reverse(pixels, [0]),  # 4: mirrored top-bottom
            lambda: transpose(pixels),  # 5: mirrored along the main diagonal
            lambda: tf.reverse(transpose(pixels), [1]),  # 6: turned 90 degrees clockwise to view
            lambda: tf.reverse(transpose(pixels), [0, 1]),  # 7: mirrored along the other diagonal
            lambda: tf.reverse(transpose(pixels), [0]),  # 8: turned 90 degrees counter-clockwise
        ],
    )


def check_size(name, height, width, max_pixels, applies=True):
    """Assertions (`InvalidArgumentError` when run) that an image `name` (a string or string
    tensor) of `height` x `width` has pixels, no more than `max_pixels`, where `applies` (a
    bool tensor: an empty batch has no image to check); messages name the sizes."""
    size = tf.strings.format("{}x{} pixels", [width, height])
    limit = f"over the limit of {max_pixels / 1e6:g} megapixels set at export"
    skip = tf.logical_not(applies)
    pixels = tf.cast(height, tf.int64) * tf.cast(width, tf.int64)
    return [
        tf.debugging.Assert(
            skip | (height > 0) & (width > 0), [tf.strings.join([name, ": ", size, ", none"])]
        ),
        tf.debugging.Assert(
            skip | (pixels <= max_pixels), [tf.strings.join([name, ": ", size, ", ", limit])]
        ),
    ]


def decode_upright(contents, max_pixels, name="image_bytes"):
    """uint8 [H, W, 3] upright pixels of the encoded JPEG/PNG/BMP `contents` (a string scalar);
    `InvalidArgumentError` naming `name`, the size and `max_pixels` when over it, checked from
    the header before decoding, and for any other format or a header that does not parse."""
    index = format_index(contents)
    is_gif = tf.equal(tf.strings.substr(contents, 0, len(GIF_MAGIC)), GIF_MAGIC)
    gif = " (GIF is refused: an animation decodes every frame)"
    known = tf.debugging.Assert(
        index >= 0, [tf.strings.join([name, ": not a JPEG, PNG or BMP image", tf.where(is_gif, gif, "")])]
    )
    with tf.control_dependencies([known]):
        height, width = tf.unstack(image_size(contents, index))
    with tf.control_dependencies(check_size(name, height, width, max_pixels)):
        contents = tf.identity(contents)
    pixels = tf.cond(
        tf.equal(index, 0),  # libjpeg's accurate DCT, as Pillow decodes (TF's default is the fast one)
        lambda: tf.io.decode_jpeg(contents, channels=3, dct_method="INTEGER_ACCURATE"),
        lambda: tf.io.decode_image(contents, channels=3, dtype=tf.uint8, expand_animations=False),
    )
    return upright(pixels, exif_orientation(contents, index))
