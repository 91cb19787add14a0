"""Runs one tool: its flags parsed and its paths checked first, then TensorFlow, then its work.

Every tool module (`tfdeblur.tools.<name>`) has a docstring (its `--help`),
`define_flags()`, `main(argv)`, `POSITIONAL` (whether it takes arguments that are
not flags) and may have `check(argv)`, which checks the paths it reads and writes.
A tool module imports only what its flags need; its `main` imports the library.
So `run` answers `--help`, a bad flag or a missing file before TensorFlow starts
(well under a second), and starts TensorFlow quietly (`machine.start_tensorflow`).

Exit status, every command: 0 done; 1 some inputs failed (each named in an
`error:` line, the others done); 2 bad usage or input (one `error:` line naming
the flag or file; nothing done); 3 training diverged (the last good checkpoint
is kept); 130 interrupted.
"""

import importlib
import os
import re
import sys

from absl import flags, logging

from tfdeblur import config_flags, flagfiles, machine
from tfdeblur.errors import InputError, TrainingDiverged

HELP = ("--help", "-h", "--helpshort", "--helpfull", "-help")
VERBOSITY = ("verbosity", "v")
MODEL_GROUP = "the model"  # the --help section of `define_model_flags`
# Flags the user typed on the command line itself (not read from a flagfile), by name.
typed_flags = set()


def run(name, argv=None):
    """Runs `tfdeblur.tools.<name>` on `argv` (default: sys.argv) and exits with its status.

    Flags read from a flagfile or recipe that this tool does not take are ignored
    (a training recipe names a dataset for `evaluate`); typed ones are an error.
    TensorFlow starts with oneDNN on unless the user said otherwise (`machine.prefer_onednn`).
    """
    machine.prefer_onednn()
    argv = [f"tfdeblur {name}", *(sys.argv if argv is None else argv)[1:]]
    verbose = any(argument.lstrip("-").split("=")[0] in VERBOSITY for argument in argv[1:])
    with machine.quiet_start(verbose):  # a tool whose flags need the library starts TensorFlow here
        tool = importlib.import_module(f"tfdeblur.tools.{name}")
    tool.define_flags()
    if any(argument in HELP for argument in argv[1:]):
        print(_help(tool, argv[0]))
        sys.exit(0)
    try:
        arguments = _parse(tool, argv)
        if not verbose:
            logging.set_verbosity(logging.WARNING)
        if hasattr(tool, "check"):
            tool.check(arguments)
        with machine.quiet_start(verbose):
            machine.start_tensorflow()
        tool.main([argv[0], *arguments])
    except InputError as error:
        _fail(error, 2)
    except TrainingDiverged as error:
        _fail(error, 3)
    except BrokenPipeError:  # the reader went away (`tfdeblur models --experiments | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    sys.exit(0)


def _parse(tool, argv):
    """Parses `argv` into the global flags; returns the positional arguments. InputError for a bad
    flag, a typed flag the tool does not take, or positional arguments it does not take."""
    typed, read = [], []  # typed on the command line / read from flagfiles, in order
    ordered = []
    for argument in argv[1:]:
        if argument.startswith((flagfiles.FLAGFILE, flagfiles.EXPERIMENT)):
            expanded = flagfiles.expand([argument])
            read += expanded
            ordered += expanded
        else:
            typed.append(argument)
            ordered.append(argument)
    try:
        leftover = flags.FLAGS([argv[0], *ordered], known_only=True)[1:]
    except flags.Error as error:
        required = re.fullmatch(
            r"flag --(\w+)=None: Flag --\1 must have a value other than None\.", str(error)
        )
        raise InputError(f"--{required[1]} is required" if required else str(error)) from None
    typed_flags.update(_flag_name(argument) for argument in typed if argument.startswith("-"))
    positional = []
    for argument in leftover:
        if argument.startswith("-") and argument != "-":
            if argument in read and argument not in typed:
                continue  # a recipe's setting this tool does not use
            hint = getattr(tool, "UNKNOWN_FLAG_HINT", "")
            raise InputError(
                f"{argument.split('=', 1)[0]}: not a flag of {argv[0]}{hint} (see {argv[0]} --help)"
            )
        positional.append(argument)
    if positional and not tool.POSITIONAL:
        raise InputError(f"{argv[0]} takes no arguments besides flags, got: {' '.join(positional)}")
    return positional


def interactive():
    """Whether stdout is a terminal: progress is then redrawn in place, else written once at the end."""
    return sys.stdout.isatty()


def define_model_flags(batchnorm_statistics=True):
    """--checkpoint, the model a tool runs, and --batchnorm_statistics, read by `load_model`."""
    flags.DEFINE_string(
        "checkpoint",
        None,
        "A training run (dir, checkpoints/ or a prefix), a packed model, or a shipped model's name "
        "(demo, the default).",
        module_name=MODEL_GROUP,
    )
    if batchnorm_statistics:
        config_flags.define_inference_flags()


def load_model():
    """(generator, config) of --checkpoint, with --batchnorm_statistics when given."""
    from tfdeblur.checkpoints import pretrained

    batchnorm_statistics = flags.FLAGS["batchnorm_statistics"]
    return pretrained.load_model(
        flags.FLAGS.checkpoint, batchnorm_statistics.value if batchnorm_statistics.present else None
    )


def check_writable(folders, source):
    """Creates `folders` and writes a file in each; InputError naming `source` (the flag as given)
    and the first folder that cannot be created or written to, before any work is done."""
    for folder in sorted({os.path.abspath(folder) for folder in folders}):
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as error:
            raise InputError(f"{source}: cannot create {folder} ({error.strerror})") from None
        probe = os.path.join(folder, f".tfdeblur-write-test-{os.getpid()}")
        try:
            with open(probe, "w"):
                pass
            os.remove(probe)
        except OSError as error:  # read-only, full, or not a real folder (/proc): root passes os.access
            raise InputError(f"{source}: cannot write to {folder} ({error.strerror})") from None


def _fail(error, status):
    print(f"error: {error}", file=sys.stderr)
    sys.exit(status)


def _flag_name(argument):
    name = argument.lstrip("-").split("=", 1)[0]
    return name[2:] if name.startswith("no") and name[2:] in flags.FLAGS else name


def _help(tool, program):
    """The tool's docstring, then the flags it takes: its own, the model's, each settings group's."""
    sections = [tool.__doc__.strip()]
    titles = {
        tool.__name__: "flags",
        MODEL_GROUP: MODEL_GROUP,
        **{group: group for group in config_flags.GROUPS.values()},
    }
    for module, title in titles.items():
        text = flags.FLAGS.module_help(module).strip()
        if text:
            sections.append("\n".join([f"{title}:", *text.splitlines()[1:]]))
    sections.append(
        "every command:\n"
        "  --flagfile=F, --experiment=NAME: flags from a file or a recipe (tfdeblur models --experiments);\n"
        f"    flags {program} does not take are skipped there\n"
        "  --verbosity=0: show TensorFlow's start-up lines, its C++ logs and INFO logs\n"
        "  exit status: 0 done, 1 some inputs failed, 2 bad usage or input, 3 training diverged"
    )
    return "\n\n".join(sections)
