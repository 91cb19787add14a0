"""Photos as a photo tool treats them (issue 26): upright by EXIF, metadata kept, JPEGs near their size."""

import io

import numpy as np
import pytest
import skimage.data
from PIL import Image, ImageCms

from tests.conftest import run_module
from tfdeblur.deploy import photos
from tfdeblur.errors import InputError

MAKE = 0x010F


SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def write_phone_jpeg(path, upright, orientation=6, quality=80):
    """A JPEG as phones write one: pixels stored sideways, EXIF orientation saying how to turn them,
    the camera's make and an ICC profile."""
    stored = np.ascontiguousarray(np.rot90(upright, 1))  # orientation 6: view it turned 90° clockwise
    exif = Image.Exif()
    exif[photos.ORIENTATION] = orientation
    exif[MAKE] = "PhoneMaker"
    Image.fromarray(stored).save(path, quality=quality, exif=exif.tobytes(), icc_profile=SRGB)


def test_exif_orientation_6_is_read_upright_with_its_metadata(tmp_path):
    upright = skimage.data.astronaut()[::4, ::4][:100, :120]
    write_phone_jpeg(tmp_path / "phone.jpg", upright)
    photo = photos.read_photo(str(tmp_path / "phone.jpg"))
    assert photo.pixels.shape == (100, 120, 3) and photo.format == "JPEG"
    error = np.abs(photo.pixels.astype(int) - upright).mean()
    assert error < np.abs(photo.pixels.astype(int) - np.rot90(upright, 2)).mean() / 3  # not turned
    exif = Image.Exif()
    exif.load(photo.exif)
    assert exif[photos.ORIENTATION] == 1 and exif[MAKE] == "PhoneMaker"
    assert photo.icc_profile == SRGB


def test_a_phone_jpeg_is_deblurred_upright_keeping_its_exif_profile_and_size(tmp_path):
    upright = skimage.data.chelsea()[::2, ::2]  # 150 x 226
    source, target = tmp_path / "phone.jpg", tmp_path / "out" / "phone.jpg"
    write_phone_jpeg(source, upright)
    result = run_module("tfdeblur", "deblur", str(source), "-o", str(target))
    assert result.returncode == 0, result.stderr[-3000:]
    with Image.open(target) as written:
        assert written.size == (226, 150)  # width x height: upright
        assert written.getexif()[photos.ORIENTATION] == 1 and written.getexif()[MAKE] == "PhoneMaker"
        with Image.open(source) as read:
            assert written.info["icc_profile"] == read.info["icc_profile"]
            assert written.quantization == read.quantization  # the camera's compression
    ratio = target.stat().st_size / source.stat().st_size
    print(f"output / input JPEG size: {ratio:.2f}")
    assert 0.7 <= ratio <= 1.5


def test_jpeg_quality_of_png_inputs_and_by_flag():
    pixels = skimage.data.astronaut()[:64, :64]
    default = photos.encode_photo(photos.Photo(pixels), "x.jpg")
    low = photos.encode_photo(photos.Photo(pixels), "x.jpg", jpeg_quality=20)
    reference = io.BytesIO()
    Image.fromarray(pixels).save(reference, "JPEG", quality=photos.DEFAULT_JPEG_QUALITY)
    assert default == reference.getvalue() and len(low) < len(default)


@pytest.mark.parametrize(
    "mode, bits", [("I;16", 16), ("L", 8), ("P", 8), ("RGBA", 8), ("CMYK", 8), ("LA", 8)]
)
def test_other_modes_become_rgb8(tmp_path, mode, bits):
    rgb = skimage.data.coffee()[:40, :50]
    if mode == "I;16":
        image = Image.fromarray(rgb[..., 0].astype(np.uint16) * 257)
        expected = np.repeat(rgb[..., :1], 3, axis=-1)
    else:
        image = Image.fromarray(rgb).convert(mode)
        expected = np.asarray(image.convert("RGB"))
    path = tmp_path / ("x.jpg" if mode == "CMYK" else "x.png")
    image.save(path, **({"quality": 100} if mode == "CMYK" else {}))
    photo = photos.read_photo(str(path))
    assert photo.pixels.dtype == np.uint8 and photo.pixels.shape == (40, 50, 3) and photo.bits == bits
    tolerance = 8 if mode == "CMYK" else 0
    assert np.abs(photo.pixels.astype(int) - expected).max() <= tolerance


def test_16_bit_rgb_png_is_read_at_8_bits(tmp_path):
    import tensorflow as tf

    values = (np.arange(32 * 32 * 3).reshape(32, 32, 3) * 61 % 65536).astype(np.uint16)
    (tmp_path / "deep.png").write_bytes(tf.io.encode_png(values).numpy())
    photo = photos.read_photo(str(tmp_path / "deep.png"))
    assert photo.bits == 16 and photo.pixels.dtype == np.uint8
    assert np.abs(photo.pixels.astype(int) - values / 257.0).max() <= 1.0


def test_unreadable_files_are_named(tmp_path):
    (tmp_path / "text.jpg").write_text("not an image")
    with pytest.raises(InputError, match=r"text\.jpg: not a readable PNG/JPEG/BMP image"):
        photos.read_photo(str(tmp_path / "text.jpg"))
    buffer = io.BytesIO()
    Image.fromarray(skimage.data.astronaut()).save(buffer, "JPEG")
    (tmp_path / "cut.jpg").write_bytes(buffer.getvalue()[:5000])
    with pytest.raises(InputError, match=r"cut\.jpg: not a readable"):
        photos.read_photo(str(tmp_path / "cut.jpg"))
