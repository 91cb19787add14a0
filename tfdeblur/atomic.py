"""Files written whole or not at all: to a hidden temporary name beside them, renamed when complete.

A process killed while writing (`kill -9`, power loss after the rename aside) leaves
the previous file, or none, under the real name, and at most a hidden
`.<stem>.partial-<pid><ext>` beside it, which the next run's `remove_leftovers` clears.
"""

import contextlib
import glob
import os

PARTIAL = ".partial-"


@contextlib.contextmanager
def replacing(path):
    """Yields a temporary path beside `path`, with its extension (writers that choose a format
    by it choose the same), renamed to `path` when the block ends, removed if it fails."""
    folder, name = os.path.split(path)
    stem, extension = os.path.splitext(name)
    temporary = os.path.join(folder, f".{stem}{PARTIAL}{os.getpid()}{extension}")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_bytes(path, contents):
    """Writes `contents` to `path` whole (flushed to disk before the rename), or not at all."""
    with replacing(path) as temporary, open(temporary, "wb") as file:
        file.write(contents)
        file.flush()
        os.fsync(file.fileno())


def write_text(path, text):
    write_bytes(path, text.encode())


def leftovers(folder):
    """The temporary files that writers killed before renaming left in `folder`."""
    return sorted(glob.glob(os.path.join(glob.escape(folder), f".*{PARTIAL}*")))


def remove_leftovers(folder):
    """Removes `leftovers(folder)`; returns how many there were."""
    found = leftovers(folder)
    for path in found:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
    return len(found)
