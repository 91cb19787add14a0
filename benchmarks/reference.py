"""R beside every figure a benchmark prints: the yardstick step of `reference_step.py` with oneDNN off.

The parent process measures R first (`measure_first`, unless `--noreference`) and
passes it to the processes that measure (`passed_on`); each record then carries
`reference_s` and its figure as a multiple of R (`fields`), so figures compare
across machines and hours (docs/speed.md).
"""

import json

import reference_step
from absl import flags

FLAGS = flags.FLAGS
flags.DEFINE_bool("reference", True, "Measure R (reference_step.py, oneDNN off) first and report it.")
flags.DEFINE_float("reference_s", None, "Internal: R, measured by the parent process.")


def measure_first(machine):
    """Measures R (when `--reference`) and prints it with `machine`, the description of this one."""
    if FLAGS.reference:
        FLAGS.reference_s = reference_step.yardstick()
        print(json.dumps({"reference_s": FLAGS.reference_s, "machine": machine}), flush=True)


def passed_on():
    """The flags that hand R to a measuring process."""
    return [f"--reference_s={FLAGS.reference_s}"] if FLAGS.reference_s else []


def fields(seconds):
    """`reference_s` and `seconds` as a multiple of it, for a record (none without R)."""
    if not FLAGS.reference_s:
        return {}
    return {"reference_s": FLAGS.reference_s, "multiple_of_reference": round(seconds / FLAGS.reference_s, 2)}
