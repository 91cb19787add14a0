"""Small on-disk datasets the tests write: a GOPRO_Large-layout tree and blur/sharp folders."""

import os
import struct
import zlib

import numpy as np
import pytest
import tensorflow as tf

from tfdeblur.data.blur import blur

# Two sequences per split, as the real tree has (33 sequences, 11 in test).
GOPRO_SEQUENCES = {
    "train": ["GOPR0372_07_00", "GOPR0374_11_00"],
    "test": ["GOPR0384_11_00", "GOPR0385_11_01"],
}
GOPRO_FRAMES = 2


def _pair(rng, height, width):
    """A sharp image with some structure and its box-blurred version, uint8."""
    sharp = rng.integers(0, 256, size=(height // 4 + 1, width // 4 + 1, 3)).astype(np.uint8)
    sharp = tf.image.resize(sharp, [height, width], method="nearest").numpy().astype(np.uint8)
    kernel = np.full((5, 5), 1 / 25, np.float32)
    return blur(tf.constant(sharp), kernel, padding="REFLECT").numpy(), sharp


def write_png(path, image):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tf.io.write_file(path, tf.io.encode_png(image))


def write_gopro_tree(root, height=48, width=64, seed=0, frames=GOPRO_FRAMES):
    """Writes `root/GOPRO_Large/{train,test}/<sequence>/{blur,blur_gamma,sharp}/<frame>.png`, `frames`
    per sequence.

    Returns the number of pairs per split.
    """
    rng = np.random.default_rng(seed)
    counts = {}
    for split, sequences in GOPRO_SEQUENCES.items():
        for sequence in sequences:
            for frame in range(frames):
                blurred, sharp = _pair(rng, height, width)
                name = f"{frame:06d}.png"
                base = os.path.join(root, "GOPRO_Large", split, sequence)
                write_png(os.path.join(base, "blur", name), blurred)
                write_png(os.path.join(base, "blur_gamma", name), blurred)
                write_png(os.path.join(base, "sharp", name), sharp)
        counts[split] = len(sequences) * frames
    return counts


def write_pair_folder(root, count=3, height=40, width=56, seed=0):
    """`root/blur/<i>.png` and `root/sharp/<i>.png`; returns the names."""
    rng = np.random.default_rng(seed)
    names = [f"pair{index:02d}" for index in range(count)]
    for name in names:
        blurred, sharp = _pair(rng, height, width)
        write_png(os.path.join(root, "blur", f"{name}.png"), blurred)
        write_png(os.path.join(root, "sharp", f"{name}.png"), sharp)
    return names


def write_video(path, frames, rate=240):
    """uint8 RGB frames [H, W, 3] as a video file, losslessly (PNG frames in a QuickTime file);
    skips the test where PyAV is not installed."""
    av = pytest.importorskip("av")
    with av.open(str(path), "w") as container:
        stream = container.add_stream("png", rate=rate)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "rgb24"
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode())


def black_png(width, height):
    """The bytes of a valid all-black RGB PNG of `width` x `height`, written without holding its
    pixels (a 20000^2 one is ~1 MB: a decompression bomb for anything that decodes it)."""
    compressor = zlib.compressobj(9)
    rows = [compressor.compress(b"\0" * (1 + 3 * width)) for _ in range(height)]  # filter byte, samples
    return _png(width, height, b"".join(rows) + compressor.flush())


def png_header(width, height):
    """A PNG whose header declares `width` x `height` 8-bit RGB pixels, and that holds none."""
    return _png(width, height, zlib.compress(b""))


def _png(width, height, compressed_rows):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", compressed_rows) + chunk(b"IEND", b"")
