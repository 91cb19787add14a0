"""Video files through PyAV (FFmpeg's libraries as wheels; the optional `video` extra).

Frames come out and go in as uint8 RGB [H, W, 3] numpy arrays, one at a time, so
a long clip never has to fit in memory. `write` encodes with the input's codec,
frame rate, size and pixel format (`VideoFormat`) where FFmpeg has an encoder for
them. Every problem is an `InputError` naming the file.
"""

import dataclasses
import fractions

from tfdeblur.errors import InputError

EXTENSIONS = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm")
FALLBACK_CODEC = "h264"  # libx264, in every PyAV wheel


def is_video(path):
    return path.lower().endswith(EXTENSIONS)


@dataclasses.dataclass(frozen=True)
class VideoFormat:
    """How a video stream is encoded: codec name, frames per second, size and pixel format."""

    codec: str
    rate: fractions.Fraction
    width: int
    height: int
    pixel_format: str


def pyav(path):
    """The `av` module; InputError naming `path` when PyAV is not installed."""
    try:
        import av  # optional: only videos need it
    except ImportError:
        raise InputError(f'{path}: reading video files needs PyAV: pip install "tfdeblur[video]"') from None
    return av


def video_format(path):
    """The `VideoFormat` of the first video stream of the file at `path`."""
    with _opened(path) as container:
        stream = _video_stream(container, path)
        context = stream.codec_context
        if context is None or not context.width or not context.height:
            raise InputError(f"{path}: not a readable video (its video stream has no size)")
        rate = stream.average_rate or stream.base_rate or fractions.Fraction(30)
        size = (context.width, context.height)
        return VideoFormat(context.name, fractions.Fraction(rate), *size, context.pix_fmt)


def frame_count(path):
    """How many frames the file holds (decoded and counted if the container does not say)."""
    with _opened(path) as container:
        stream = _video_stream(container, path)
        return stream.frames or sum(1 for _ in _decoded(container, stream, path))


def frames(path, start=0, stop=None):
    """Frames `start` ... `stop` - 1 (all by default) of the file at `path`, decoded in order."""
    with _opened(path) as container:
        for index, frame in enumerate(_decoded(container, _video_stream(container, path), path)):
            if stop is not None and index >= stop:
                return
            if index >= start:
                yield frame.to_ndarray(format="rgb24")


def write(path, images, video):
    """Encodes uint8 RGB `images` (an iterable) into a new file at `path` in the format `video` (a
    `VideoFormat`; its size is taken from the first image). Returns the encoder's name: FFmpeg's
    encoder of `video.codec`, or of FALLBACK_CODEC when it has none. No audio is written."""
    av = pyav(path)
    try:
        codec = av.Codec(video.codec, "w")
    except (av.FFmpegError, ValueError):
        codec = av.Codec(FALLBACK_CODEC, "w")
    formats = [entry.name for entry in codec.video_formats or ()]
    pixel_format = video.pixel_format if not formats or video.pixel_format in formats else formats[0]
    try:
        with av.open(path, "w") as container:
            stream = container.add_stream(codec.name, rate=video.rate)
            stream.pix_fmt = pixel_format
            for index, image in enumerate(images):
                if index == 0:
                    stream.height, stream.width = image.shape[:2]
                frame = av.VideoFrame.from_ndarray(image, format="rgb24")
                container.mux(stream.encode(frame))
            container.mux(stream.encode())
    except (av.FFmpegError, OSError) as error:
        raise InputError(f"{path}: cannot write this video ({error})") from None
    return codec.name


def _opened(path):
    av = pyav(path)
    try:
        return av.open(path)
    except (av.FFmpegError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not a readable video ({error})") from None


def _video_stream(container, path):
    if not container.streams.video:
        raise InputError(f"{path}: no video stream in this file")
    return container.streams.video[0]


def _decoded(container, stream, path):
    av = pyav(path)
    try:
        yield from container.decode(stream)
    except av.FFmpegError as error:
        raise InputError(f"{path}: the video does not decode ({error})") from None
