"""The machine a timing was measured on: its accelerator, CPU model and the vector units
that set TensorFlow's speed on it.

Timings differ by up to 10x between a CPU with AVX-512 (and bfloat16 units)
and one with AVX2 only, so every benchmark names the CPU it ran on, and
`--mixed_precision=auto` picks bfloat16 only where the CPU computes it natively.
oneDNN, which runs TensorFlow's convolutions on x86, can be capped to an older
instruction set with `ONEDNN_MAX_CPU_ISA` (e.g. `AVX2`, to measure an AVX-512
machine as a common laptop CPU); the cap is taken into account here.

TensorFlow turns oneDNN on by default only on CPUs with AVX512_VNNI, AVX512_BF16 or
AMX units; elsewhere (most laptops) it runs its Eigen kernels. The `tfdeblur`
commands turn it on wherever the user has not set `TF_ENABLE_ONEDNN_OPTS`
(`prefer_onednn`): training and the U-Nets run faster with it, outputs agree with
Eigen's to 1 LSB, and DeblurGAN inference on AVX2 CPUs is the exception
(docs/speed.md).
"""

import contextlib
import os
import platform
import sys
import tempfile

ONEDNN_VARIABLE = "TF_ENABLE_ONEDNN_OPTS"
# /proc/cpuinfo flags that matter for TensorFlow's CPU kernels.
FEATURES = ("avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16")
# oneDNN's ISA caps (ONEDNN_MAX_CPU_ISA) below which its bfloat16 kernels are emulated.
_CAPS_WITHOUT_BF16 = ("SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2", "AVX512_CORE", "AVX512_CORE_VNNI")


def _cpuinfo(path="/proc/cpuinfo"):
    """(model name, set of flags) of the first processor in `path`; ("", set()) where there is none."""
    try:
        with open(path) as file:
            text = file.read()
    except OSError:
        return "", set()
    name, features = "", set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and not name:
            name = value.strip()
        elif key == "flags" and not features:
            features = set(value.split())
    return name, features


def prefer_onednn():
    """Turns TensorFlow's oneDNN kernels on where the user has not set `TF_ENABLE_ONEDNN_OPTS`.

    TensorFlow reads the variable once, when it starts: called before it is imported
    (by `tfdeblur.tools.command.run`), else it changes nothing. Returns whether it set it.
    """
    if ONEDNN_VARIABLE in os.environ or "tensorflow" in sys.modules:
        return False
    os.environ[ONEDNN_VARIABLE] = "1"
    return True


@contextlib.contextmanager
def quiet_start(verbose=False):
    """Keeps what TensorFlow's C++ side writes to stderr while it starts in the block (oneDNN and
    CPU-feature notes, CUDA stubs, `failed call to cuInit` on machines without a GPU: none of them
    errors) out of the user's way unless `verbose`, and its later C++ log lines
    (`TF_CPP_MIN_LOG_LEVEL=3`, where the user has not set it): it logs harmless grappler and
    oneDNN fallbacks as errors, while a real failure reaches Python as an exception.

    These start-up lines ignore `TF_CPP_MIN_LOG_LEVEL` in TensorFlow 2.21 (tensorflow#100442), so
    they are read from the stderr file descriptor instead, and shown if the block fails.
    """
    if verbose:
        yield
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            captured.seek(0)
            sys.stderr.write(captured.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def start_tensorflow():
    """Imports TensorFlow and finds its devices (where a machine without a GPU says so)."""
    import tensorflow as tf

    return tf.config.list_physical_devices()


def onednn_enabled():
    """Whether TensorFlow runs its oneDNN kernels in this process (TensorFlow's own answer)."""
    from tensorflow.python.util import _pywrap_util_port  # TensorFlow's flag; no public API has it

    return bool(_pywrap_util_port.IsMklEnabled())


def describe(path="/proc/cpuinfo"):
    """{"device": "gpu" | "cpu", "cpu": model, "cores": n, "isa": {feature: bool},
    "onednn": on or off, "onednn_max_cpu_isa": cap or None}: what every benchmark line
    carries, so a timing always names the machine and the kernels it was measured on.
    """
    import tensorflow as tf  # here: the rest of this module is read before TensorFlow starts

    name, features = _cpuinfo(path)
    return {
        "device": "gpu" if tf.config.list_physical_devices("GPU") else "cpu",
        "cpu": name or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "isa": {feature: feature in features for feature in FEATURES},
        "onednn": onednn_enabled(),
        "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA"),
    }


def has_native_bfloat16(path="/proc/cpuinfo"):
    """Whether oneDNN computes bfloat16 in hardware here (AVX512_BF16 or AMX units, not capped off)."""
    _, features = _cpuinfo(path)
    cap = os.environ.get("ONEDNN_MAX_CPU_ISA", "").upper()
    return bool(features & {"avx512_bf16", "amx_bf16"}) and cap not in _CAPS_WITHOUT_BF16
