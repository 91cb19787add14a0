"""Runs one tool: defines its flags, expands flagfiles, parses, and reports errors in one line.

Every tool module (`tfdeblur.tools.<name>`) has a docstring (its `--help`),
`define_flags()`, `main(argv)` and `POSITIONAL` (whether it takes arguments
that are not flags). `run` is the only place where flags are parsed, for
`tfdeblur <tool>` and `python -m tfdeblur.<tool>` alike.
"""

import importlib
import os
import sys

from absl import app, flags, logging

from tfdeblur import flagfiles, machine
from tfdeblur.errors import InputError, TrainingDiverged

HELP = ("--help", "-h", "--helpshort", "-help")
# Flags the user typed on the command line itself (not read from a flagfile), by name.
typed_flags = set()


def run(name, argv=None):
    """Runs `tfdeblur.tools.<name>` on `argv` (default: sys.argv); exits with its status.

    Exit status 2 with one `error:` line for an `InputError` (bad file, flag,
    spec...), 3 for a `TrainingDiverged`; anything else keeps its traceback.
    TensorFlow starts with oneDNN on unless the user said otherwise (`machine.prefer_onednn`).
    Python-side INFO logs (absl's, TensorFlow's) are off unless `--verbosity` asks for them.
    """
    machine.prefer_onednn()
    tool = importlib.import_module(f"tfdeblur.tools.{name}")
    argv = list(sys.argv if argv is None else argv)
    tool.define_flags()
    if any(argument in HELP for argument in argv[1:]):
        print(_help(tool))
        sys.exit(0)
    try:
        expanded = [argv[0], *flagfiles.expand(argv[1:])]
    except InputError as error:
        _fail(error, 2)
    typed_flags.update(_flag_name(argument) for argument in argv[1:] if argument.startswith("-"))

    def guarded(arguments):
        if "verbosity" not in typed_flags and "v" not in typed_flags:
            logging.set_verbosity(logging.WARNING)
        if len(arguments) > 1 and not tool.POSITIONAL:
            raise app.UsageError(f"unexpected arguments: {' '.join(arguments[1:])}")
        try:
            return tool.main(arguments)
        except InputError as error:
            _fail(error, 2)
        except TrainingDiverged as error:
            _fail(error, 3)
        except BrokenPipeError:  # the reader went away (`tfdeblur models --experiments | head`)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)

    app.run(guarded, argv=expanded)


def interactive():
    """Whether stdout is a terminal: progress is then redrawn in place, else written once at the end."""
    return sys.stdout.isatty()


def define_model_flags(batchnorm_statistics=True):
    """--checkpoint, the model a tool runs, and (unless the tool has the experiment's flag already)
    --batchnorm_statistics, read by `load_model`."""
    flags.DEFINE_string(
        "checkpoint",
        None,
        "A training run (dir, checkpoints/ or a prefix), a packed model, or a shipped model's name "
        "(demo, the default).",
    )
    if batchnorm_statistics:
        from tfdeblur.training import experiment  # TensorFlow: only for tools that load models

        experiment.define_inference_flags()


def load_model():
    """(generator, config) of --checkpoint, with --batchnorm_statistics when given."""
    from tfdeblur.checkpoints import pretrained  # TensorFlow: not for `tfdeblur` alone

    batchnorm_statistics = flags.FLAGS["batchnorm_statistics"]
    return pretrained.load_model(
        flags.FLAGS.checkpoint, batchnorm_statistics.value if batchnorm_statistics.present else None
    )


def check_writable(folders, source):
    """Creates `folders`; InputError naming `source` (the flag as given) and the first folder
    that cannot be created or written, before any work is done."""
    for folder in sorted({os.path.abspath(folder) for folder in folders}):
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as error:
            raise InputError(f"{source}: cannot create {folder} ({error.strerror})") from None
        if not os.access(folder, os.W_OK):
            raise InputError(f"{source}: {folder} is not writable")


def _fail(error, status):
    print(f"error: {error}", file=sys.stderr)
    sys.exit(status)


def _flag_name(argument):
    name = argument.lstrip("-").split("=", 1)[0]
    return name[2:] if name.startswith("no") and name[2:] in flags.FLAGS else name


def _help(tool):
    """The tool's docstring, then its own flags and the experiment flags it reads."""
    sections = [tool.__doc__.strip()]
    for module in (tool.__name__, "tfdeblur.training.experiment"):
        text = flags.FLAGS.module_help(module)
        if text.strip():
            sections.append(text)
    return "\n\n".join(sections)
