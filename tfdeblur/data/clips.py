"""Clips of consecutive frames: a folder of images sorted by name, or a video file.

Videos (`.mp4`, `.mov`, ...: a phone's slow-motion clip) are decoded with PyAV
(`tfdeblur.data.video`), one frame at a time, so a long clip streams through
evaluation and `synthesize` without being held in memory. Every problem is an
`InputError` naming the folder, file or frame.
"""

import dataclasses
import os

from tfdeblur.data import video
from tfdeblur.data.files import check_images, image_files, read_image, read_images, split_folder
from tfdeblur.errors import InputError


@dataclasses.dataclass(frozen=True)
class Clip:
    """Consecutive frames of one clip: image `files` in order, or frames `start` ... `stop` - 1
    of the file `video`."""

    name: str
    files: tuple = ()
    video: str | None = None
    start: int = 0
    stop: int = 0

    def __len__(self):
        return len(self.files) if self.video is None else self.stop - self.start

    @property
    def location(self):
        """Where the clip is, for messages: its video file or its frames' folder."""
        return self.video or os.path.dirname(self.files[0])

    def frame_name(self, index):
        """Frame `index`'s name: its file's stem, or its number in the video (six digits)."""
        return _stem(self.files[index]) if self.video is None else f"{self.start + index:06d}"

    def frame_label(self, index):
        """Frame `index` for messages: its file, or the video and the frame's number."""
        return self.files[index] if self.video is None else f"{self.video} frame {self.start + index}"

    def part(self, start, stop):
        """The clip's frames `start` ... `stop` - 1 (Python slice bounds, negatives included)."""
        start, stop, _ = slice(start, stop).indices(len(self))
        if self.video is None:
            return dataclasses.replace(self, files=self.files[start:stop])
        return dataclasses.replace(self, start=self.start + start, stop=self.start + stop)

    def frames(self):
        """The clip's frames in order, uint8 [H, W, 3] numpy, decoded one at a time."""
        if self.video is None:
            for path in self.files:
                yield read_image(path)
        else:
            yield from video.frames(self.video, self.start, self.stop)

    def read(self):
        """Every frame, decoded (image files in parallel): a list of uint8 [H, W, 3] numpy."""
        return read_images(self.files) if self.video is None else list(self.frames())

    def check(self, window, frames=None):
        """The clip's [H, W]; InputError naming a clip shorter than `window` or a frame whose size
        differs from the first one's. `frames`: the decoded frames, if at hand."""
        if len(self) < window:
            raise InputError(
                f"{self.location}: {len(self)} frames in clip {self.name!r}, fewer than the "
                f"{window}-frame window"
            )
        if frames is not None:
            shapes = [frame.shape[:2] for frame in frames]
        elif self.video is None:
            shapes = check_images(self.files)
        else:
            shapes = [frame.shape[:2] for frame in self.frames()]
        for index, shape in enumerate(shapes):
            if shape != shapes[0]:
                raise InputError(
                    f"{self.frame_label(index)} is {shape[0]}x{shape[1]} but {self.frame_label(0)} is "
                    f"{shapes[0][0]}x{shapes[0][1]}: the frames of a clip must have one size"
                )
        return shapes[0]


def check_location(path, source):
    """InputError naming `source` (a spec or flag) unless `path` is a folder or a video file."""
    if not path or not (os.path.isdir(path) or (os.path.isfile(path) and video.is_video(path))):
        raise InputError(
            f"{source}: {path or '(no path)'} is neither a folder nor a video file "
            f"({', '.join(video.EXTENSIONS)})"
        )


def find(root, split=None, holdout=None):
    """{name: Clip} under `root`: a video file, a folder of frames, or a folder of clips (folders
    of frames and video files; `root/<split>` when it exists). With `holdout`, each clip's last
    `holdout` frames for a `split` other than "train", the frames before them for "train"."""
    if os.path.isfile(root):
        found = {_stem(root): video_clip(root)}
    else:
        found = _folder_clips(root if holdout else split_folder(root, split))
    if not holdout:
        return found
    for clip in found.values():
        if len(clip) <= holdout:
            raise InputError(f"holdout={holdout}: clip {clip.name!r} has only {len(clip)} frames")
    return {
        name: clip.part(0, -holdout) if split == "train" else clip.part(-holdout, None)
        for name, clip in found.items()
    }


def _folder_clips(root):
    frames = image_files(root)
    if frames:
        name = os.path.basename(os.path.normpath(root))
        return {name: Clip(name, tuple(frames[stem] for stem in sorted(frames)))}
    found = {}
    for entry in sorted(os.listdir(root)):
        path = os.path.join(root, entry)
        if os.path.isdir(path) and (frames := image_files(path)):
            found[entry] = Clip(entry, tuple(frames[stem] for stem in sorted(frames)))
        elif os.path.isfile(path) and video.is_video(path):
            found[_stem(path)] = video_clip(path)
    if not found:
        raise InputError(f"{root}: no frames (PNG, JPEG or BMP images, folders of them, or videos)")
    return found


def _stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def video_clip(path):
    """The Clip of every frame of the video file at `path`."""
    count = video.frame_count(path)
    if not count:
        raise InputError(f"{path}: a video without frames")
    return Clip(_stem(path), video=path, stop=count)
