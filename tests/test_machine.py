"""The machine description every benchmark prints, and `--mixed_precision=auto`."""

import os
import sys

import pytest

from tfdeblur import machine
from tfdeblur.training import distribute

CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: {name}
flags\t\t: fpu sse2 avx {flags}

processor\t: 1
model name\t: {name}
flags\t\t: fpu sse2 avx {flags}
"""


def _cpuinfo(tmp_path, name, flags):
    path = tmp_path / "cpuinfo"
    path.write_text(CPUINFO.format(name=name, flags=flags))
    return str(path)


def test_describe_names_the_cpu_and_its_vector_units(tmp_path, monkeypatch):
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    path = _cpuinfo(tmp_path, "AMD EPYC 7B13", "avx2 fma")
    description = machine.describe(path)
    assert description["cpu"] == "AMD EPYC 7B13"
    assert description["isa"] == {
        "avx2": True,
        "fma": True,
        "avx512f": False,
        "avx512_bf16": False,
        "amx_bf16": False,
    }
    assert description["onednn_max_cpu_isa"] == "AVX2"
    assert description["device"] == "cpu" and description["cores"] >= 1


@pytest.mark.parametrize(
    "flags, cap, native",
    [
        ("avx2 fma", None, False),
        ("avx2 fma avx512f", None, False),
        ("avx2 fma avx512f avx512_bf16", None, True),
        ("avx2 fma avx512f amx_bf16", None, True),
        ("avx2 fma avx512f avx512_bf16", "AVX2", False),  # the cap turns the units off for oneDNN
        ("avx2 fma avx512f avx512_bf16", "AVX512_CORE_BF16", True),
    ],
)
def test_native_bfloat16_needs_the_units_and_no_cap_below_them(tmp_path, monkeypatch, flags, cap, native):
    if cap:
        monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", cap)
    else:
        monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    assert machine.has_native_bfloat16(_cpuinfo(tmp_path, "x", flags)) is native


@pytest.mark.parametrize("native, expected", [(True, "mixed_bfloat16"), (False, "float32")])
def test_auto_precision_is_bfloat16_only_on_cpus_with_bfloat16_units(monkeypatch, native, expected):
    monkeypatch.setattr(machine, "has_native_bfloat16", lambda: native)
    assert distribute.resolve_precision("auto") == expected
    for policy in ("float32", "mixed_float16", "mixed_bfloat16"):
        assert distribute.resolve_precision(policy) == policy  # an explicit choice is kept


def test_prefer_onednn_turns_it_on_only_where_the_user_has_not_set_it(monkeypatch):
    monkeypatch.delitem(sys.modules, "tensorflow")  # as in a command before TensorFlow starts
    monkeypatch.delenv(machine.ONEDNN_VARIABLE)
    assert machine.prefer_onednn()
    assert os.environ[machine.ONEDNN_VARIABLE] == "1"
    for setting in ("0", "false", ""):
        monkeypatch.setenv(machine.ONEDNN_VARIABLE, setting)
        assert not machine.prefer_onednn()
        assert os.environ[machine.ONEDNN_VARIABLE] == setting


def test_prefer_onednn_changes_nothing_once_tensorflow_has_started(monkeypatch):
    monkeypatch.delenv(machine.ONEDNN_VARIABLE)
    assert "tensorflow" in sys.modules  # TensorFlow read the variable when it started
    assert not machine.prefer_onednn()
    assert machine.ONEDNN_VARIABLE not in os.environ


def test_describe_says_whether_onednn_runs_here():
    # The suite runs with TF_ENABLE_ONEDNN_OPTS=0 unless the caller set it (tests/conftest.py).
    expected = os.environ["TF_ENABLE_ONEDNN_OPTS"] not in ("0", "false")
    assert machine.describe()["onednn"] is expected
