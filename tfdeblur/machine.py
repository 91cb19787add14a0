"""The machine a timing was measured on: its accelerator, CPU model and the vector units
that set TensorFlow's speed on it.

Timings differ by up to 10x between a CPU with AVX-512 (and bfloat16 units)
and one with AVX2 only, so every benchmark names the CPU it ran on, and
`--mixed_precision=auto` picks bfloat16 only where the CPU computes it natively.
oneDNN, which runs TensorFlow's convolutions on x86, can be capped to an older
instruction set with `ONEDNN_MAX_CPU_ISA` (e.g. `AVX2`, to measure an AVX-512
machine as a common laptop CPU); the cap is taken into account here.
"""

import os
import platform

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


def describe(path="/proc/cpuinfo"):
    """{"device": "gpu" | "cpu", "cpu": model, "cores": n, "isa": {feature: bool},
    "onednn_max_cpu_isa": cap or None}: what every benchmark line carries, so a timing
    always names the machine it was measured on.
    """
    import tensorflow as tf  # here: the rest of this module is read before TensorFlow starts

    name, features = _cpuinfo(path)
    return {
        "device": "gpu" if tf.config.list_physical_devices("GPU") else "cpu",
        "cpu": name or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "isa": {feature: feature in features for feature in FEATURES},
        "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA"),
    }


def has_native_bfloat16(path="/proc/cpuinfo"):
    """Whether oneDNN computes bfloat16 in hardware here (AVX512_BF16 or AMX units, not capped off)."""
    _, features = _cpuinfo(path)
    cap = os.environ.get("ONEDNN_MAX_CPU_ISA", "").upper()
    return bool(features & {"avx512_bf16", "amx_bf16"}) and cap not in _CAPS_WITHOUT_BF16
