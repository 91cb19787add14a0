"""The command-line tools: `tfdeblur <command> [flags]`, one module per command.

Tools sit on top of the library and import it; nothing in `tfdeblur.layers`,
`tfdeblur.models` or `tfdeblur.data` imports a tool (tests/test_layout.py).
`python -m tfdeblur.<command>` runs the same code.
"""

import sys

import tfdeblur
from tfdeblur.tools import command

# Command -> one line of what it does (its module's docstring has the rest: `tfdeblur CMD --help`).
COMMANDS = {
    "train": "train a model of the paper (a row flagfile, or flags) with resumable checkpoints",
    "evaluate": "PSNR/SSIM of a trained checkpoint on a dataset's held-out frames",
    "deblur": "deblur photos of any size (tiled), with the shipped model or yours",
    "export": "write a SavedModel that TF Serving loads as it is",
    "models": "print an experiment's networks and parameter counts",
    "synthesize": "write blurred/sharp pairs from sharp photos or high-frame-rate frames",
    "prepare": "prepare a TFDS dataset (GoPro) from its manual download, without Apache Beam",
    "plots": "training curves from a run's TensorBoard logs",
    "reproduce": "train and evaluate every row of the paper's tables; write the table",
    "pack": "pack a run as a shipped model (float16 weights, re-measured metrics)",
    "client": "send a photo to a model served by TF Serving",
}


def usage():
    width = max(map(len, COMMANDS))
    lines = [f"  {name:<{width}}  {summary}" for name, summary in COMMANDS.items()]
    return "\n".join(
        [
            "usage: tfdeblur <command> [flags]   (tfdeblur <command> --help for its flags)",
            "",
            "Blind motion deblurring with GANs (TensorFlow/Keras). Commands:",
            *lines,
        ]
    )


def main(argv=None):
    """The `tfdeblur` console script."""
    argv = list(sys.argv if argv is None else argv)
    if len(argv) < 2 or argv[1] in ("--help", "-h", "help"):
        print(usage())
        sys.exit(0 if len(argv) >= 2 else 2)
    if argv[1] == "--version":
        print(f"tfdeblur {tfdeblur.__version__}")
        sys.exit(0)
    name = argv[1]
    if name not in COMMANDS:
        print(f"error: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        sys.exit(2)
    command.run(name, [f"tfdeblur {name}", *argv[2:]])
