"""Encoded photos read in the graph a server runs: sizes from headers, orientation as Pillow (issue 35)."""

import io

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image, ImageOps

from tests.fixtures import png_header
from tfdeblur.deploy import headers, photos

LIMIT = 10_000_000


@tf.function
def _decode(contents):
    return headers.decode_upright(contents, LIMIT, "photo")


def _encoded(pixels, image_format, orientation=None):
    image = Image.fromarray(pixels)
    options = {}
    if orientation is not None:
        exif = image.getexif()
        exif[photos.ORIENTATION] = orientation
        options["exif"] = exif.tobytes()
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "BMP"])
def test_pixels_come_out_upright_as_pillow_reads_them(image_format):
    """Every EXIF orientation of a JPEG (APP1) and a PNG (eXIf), none for BMP: the pixels equal
    Pillow's `exif_transpose` of the same file, the decoder's own (JPEG: libjpeg's accurate DCT)."""
    pixels = np.random.default_rng(0).integers(0, 256, [37, 53, 3], dtype=np.uint8)
    for orientation in range(1, 9):
        contents = _encoded(pixels, image_format, None if image_format == "BMP" else orientation)
        expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(contents))).convert("RGB"))
        np.testing.assert_array_equal(
            _decode(tf.constant(contents)).numpy(), expected, f"orientation {orientation}"
        )


def test_sizes_are_read_from_headers_before_decoding():
    pixels = np.zeros([30, 40, 3], np.uint8)
    for image_format in ("JPEG", "PNG", "BMP"):
        contents = tf.constant(_encoded(pixels, image_format))
        index = headers.format_index(contents)
        assert headers.FORMATS[int(index)] == image_format
        assert list(headers.image_size(contents, index).numpy()) == [30, 40]
    # A header alone (no pixel data) is refused by its size: nothing was decoded.
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="photo: 60000x60000 pixels, over the limit of 10"
    ):
        _decode(tf.constant(png_header(60000, 60000)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="photo: 0x7 pixels, none"):
        _decode(tf.constant(png_header(0, 7)))


def test_other_formats_and_garbage_are_refused_by_name():
    frames = [Image.fromarray(np.full([8, 8, 3], shade, np.uint8)) for shade in (0, 255)]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"photo: not a JPEG, PNG or BMP image \(GIF is refused"
    ):
        _decode(tf.constant(gif.getvalue()))
    for garbage in (b"", b"random bytes", b"\x89PNG\r\n\x1a\n"):
        with pytest.raises(tf.errors.InvalidArgumentError, match="photo: "):
            _decode(tf.constant(garbage))
    truncated = _encoded(np.zeros([64, 64, 3], np.uint8), "PNG")[:60]
    with pytest.raises(tf.errors.InvalidArgumentError):
        _decode(tf.constant(truncated))
