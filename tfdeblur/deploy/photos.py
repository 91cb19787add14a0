"""Photos in and out as a photo tool treats them: upright, their metadata kept, JPEGs near their size.

Read (Pillow): the EXIF orientation a camera or phone recorded is applied, so
pixels come out upright as viewers show them; grayscale, palette and CMYK
images become RGB, alpha is dropped, and 16-bit PNGs are read at 8 bits (the
models are trained on 8-bit images; the output is an 8-bit file). Written:
the input's EXIF (its orientation reset to 1, as the pixels now are upright)
and ICC colour profile are kept. A JPEG is written with its input JPEG's own
quantisation tables and chroma subsampling, the compression its camera chose,
so the file stays near the input's size; other inputs written as JPEG use
quality `DEFAULT_JPEG_QUALITY`, and a quality given by the user wins. Every
problem is an `InputError` naming the file. A header that declares more than
`max_pixels` is refused before any pixel is decoded (Pillow's own
decompression-bomb limit gives way to it while a photo is read).
"""

import dataclasses
import io
import os
import warnings

import numpy as np
from PIL import Image, ImageOps, JpegImagePlugin

from tfdeblur.errors import InputError

EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp")
WRITTEN = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
DEFAULT_JPEG_QUALITY = 90
DEFAULT_MAX_PIXELS = 250_000_000  # 0.75 GB of uint8 RGB: past the largest phone and camera sensors
ORIENTATION = 0x0112  # the EXIF tag


@dataclasses.dataclass(frozen=True, eq=False)
class Photo:
    """A photo's upright uint8 RGB pixels [H, W, 3] and what is kept of its file."""

    pixels: np.ndarray
    format: str | None = None  # "JPEG", "PNG", "BMP"; None for pixels not read from a file
    exif: bytes | None = None  # with the orientation reset
    icc_profile: bytes | None = None
    jpeg_tables: dict | None = None  # the quantisation tables of a JPEG
    jpeg_subsampling: int | None = None
    bits: int = 8  # of the file's samples (16-bit PNGs are read at 8)

    def like(self, pixels):
        """A photo of other `pixels` (the same size or not) with this one's metadata."""
        return dataclasses.replace(self, pixels=pixels)


def read_photo(path, max_pixels=DEFAULT_MAX_PIXELS):
    """The `Photo` of the image file at `path`, upright; InputError naming a file Pillow cannot read,
    or one whose header declares more than `max_pixels` (checked before decoding)."""
    pillow_limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Corrupt EXIF data" and such: the pixels still read
            with Image.open(path) as image:
                return _photo(image, path, max_pixels)
    except InputError:
        raise
    except Exception as error:  # Pillow raises many types on malformed bytes: all mean unreadable
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise InputError(f"{path}: not a readable PNG/JPEG/BMP image ({reason.strip()})") from None
    finally:
        Image.MAX_IMAGE_PIXELS = pillow_limit


def check_size(path, width, height, max_pixels):
    """InputError naming `path` unless a `width` x `height` image (or video frame) has pixels, no
    more than `max_pixels`: checked from a header, before decoding."""
    if width * height > max_pixels:
        raise InputError(
            f"{path}: {width}x{height} is {width * height / 1e6:.0f} megapixels, over the limit "
            f"of {max_pixels / 1e6:g} (max_pixels; --max_megapixels raises it)"
        )
    if not width or not height:
        raise InputError(f"{path}: an image of {width}x{height} pixels")


def _photo(image, path, max_pixels):
    """The `Photo` of an opened Pillow image, its size checked before its pixels are decoded."""
    width, height = image.size
    check_size(path, width, height, max_pixels)
    bits = 16 if any(";16" in str(tile.args) for tile in image.tile) else 8  # known before load()
    image.load()
    pixels = _rgb8(ImageOps.exif_transpose(image))
    exif = image.getexif()
    if ORIENTATION in exif:
        exif[ORIENTATION] = 1  # the pixels are upright now
    tables = getattr(image, "quantization", None) if image.format == "JPEG" else None
    subsampling = JpegImagePlugin.get_sampling(image) if tables else None
    return Photo(
        pixels,
        image.format,
        exif.tobytes() if len(exif) else None,
        image.info.get("icc_profile"),
        tables,
        subsampling if subsampling is not None and subsampling >= 0 else None,
        bits,
    )


def _rgb8(image):
    """uint8 RGB pixels of a Pillow image of any mode."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit grayscale: scale, don't clip
        values = np.asarray(image, np.float64) / 257.0
        return np.repeat(np.clip(np.round(values), 0, 255).astype(np.uint8)[..., None], 3, axis=-1)
    if image.mode != "RGB":
        image = image.convert("RGBA" if "transparency" in image.info else image.mode).convert("RGB")
    return np.asarray(image, np.uint8).copy()


def encode_photo(photo, path, jpeg_quality=None):
    """The bytes of `photo` written as the extension of `path` says (PNG or JPEG), metadata kept."""
    pixels = np.asarray(photo.pixels)
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[-1] != 3:
        raise ValueError(f"expected uint8 [H, W, 3] pixels, got {pixels.dtype} {list(pixels.shape)}")
    image_format = WRITTEN.get(os.path.splitext(path)[1].lower())
    if image_format is None:
        raise InputError(f"{path}: written as PNG or JPEG only (.png, .jpg, .jpeg)")
    options = {}
    if photo.exif:
        options["exif"] = photo.exif
    if photo.icc_profile:
        options["icc_profile"] = photo.icc_profile
    if image_format == "JPEG":
        if jpeg_quality is not None or not photo.jpeg_tables:
            options["quality"] = jpeg_quality or DEFAULT_JPEG_QUALITY
        else:
            options["qtables"] = photo.jpeg_tables
            if photo.jpeg_subsampling is not None:
                options["subsampling"] = photo.jpeg_subsampling
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, image_format, **options)
    return buffer.getvalue()
