"""Experiment flagfiles: one flag per line, `#` comments, and includes relative to the includer.

A row flagfile holds only what differs from its family's base and includes the
base with `--flagfile=base/pix2pix.cfg`: a path relative to the including file,
so the row works from any working directory (absl alone resolves nested
flagfiles against the working directory). Later flags override earlier ones, as
on a command line.

The recipes (the paper's rows, the quickstart, fine-tuning and shipped-model recipes) are
named flagfiles: `--experiment=NAME` is `--flagfile=<recipes>/NAME.cfg`, from any folder.
They are the repository's `experiments/`, installed as the package data `tfdeblur/recipes/`.
"""

import os

from tfdeblur.errors import InputError

FLAGFILE = "--flagfile="
EXPERIMENT = "--experiment="
_PACKAGE = os.path.dirname(os.path.abspath(__file__))
# Installed (a wheel): the package's recipes/; in a clone (or an editable install): experiments/.
RECIPES_DIR = next(
    (
        folder
        for folder in (
            os.path.join(_PACKAGE, "recipes"),
            os.path.join(os.path.dirname(_PACKAGE), "experiments"),
        )
        if os.path.isdir(folder)
    ),
    os.path.join(_PACKAGE, "recipes"),
)
SHARED = "base"  # the folder of the parts recipes include, not recipes themselves


def recipes():
    """{name: path} of every recipe: `quickstart`, `deblurgan`, `finetune/real_motion`..., sorted."""
    found = {}
    for directory, folders, files in os.walk(RECIPES_DIR):
        folders[:] = sorted(
            folder for folder in folders if folder != SHARED and not folder.startswith(("_", "."))
        )
        for name in files:
            if name.endswith(".cfg"):
                path = os.path.join(directory, name)
                found[os.path.relpath(path, RECIPES_DIR)[: -len(".cfg")].replace(os.sep, "/")] = path
    return dict(sorted(found.items()))


def recipe(name):
    """The path of the recipe `name`; InputError listing the recipes when there is none."""
    found = recipes()
    if name not in found:
        raise InputError(f"--experiment={name}: no such recipe (recipes: {', '.join(found)})")
    return found[name]


def title(path):
    """What a recipe is: its first comment line, without the `#`."""
    with open(path) as file:
        return file.readline().lstrip("#").strip()


def expand(arguments, base_dir=None, _including=()):
    """`arguments` with every `--flagfile=PATH` (and `--experiment=NAME`, a recipe) replaced by the
    flags it holds, recursively.

    Top-level paths are relative to the working directory (or `base_dir`), nested
    ones to the including file's folder. InputError naming a missing or cyclic file.
    """
    expanded = []
    for argument in arguments:
        if argument.startswith(EXPERIMENT) and not _including:
            argument = FLAGFILE + recipe(argument[len(EXPERIMENT) :])
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
