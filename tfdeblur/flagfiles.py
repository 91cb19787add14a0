"""Experiment flagfiles: one flag per line, `#` comments, and includes relative to the includer.

A row flagfile holds only what differs from its family's base and includes the
base with `--flagfile=base/pix2pix.cfg`: a path relative to the including file,
so the row works from any working directory (absl alone resolves nested
flagfiles against the working directory). Later flags override earlier ones, as
on a command line.
"""

import os

from tfdeblur.errors import InputError

FLAGFILE = "--flagfile="


def expand(arguments, base_dir=None, _including=()):
    """`arguments` with every `--flagfile=PATH` replaced by the flags it holds, recursively.

    Top-level paths are relative to the working directory (or `base_dir`), nested
    ones to the including file's folder. InputError naming a missing or cyclic file.
    """
    expanded = []
    for argument in arguments:
        if not argument.startswith(FLAGFILE):
            expanded.append(argument)
            continue
        path = argument[len(FLAGFILE) :]
        if base_dir is not None:
            path = os.path.join(base_dir, path)
        path = os.path.normpath(path)
        where = f" (included by {_including[-1]})" if _including else ""
        if os.path.abspath(path) in map(os.path.abspath, _including):
            raise InputError(f"--flagfile={path}{where}: includes itself")
        try:
            with open(path) as file:
                lines = file.read().splitlines()
        except OSError as error:
            raise InputError(f"--flagfile={path}{where}: {error.strerror}") from None
        flags = [line.strip() for line in lines]
        flags = [line for line in flags if line and not line.startswith(("#", "//"))]
        expanded += expand(flags, os.path.dirname(path), (*_including, path))
    return expanded
