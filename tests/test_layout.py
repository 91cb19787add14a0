"""The package's shape: imports run from the tools down, one `tfdeblur` command, one CI command."""

import ast
import importlib
import os
import subprocess
import sys

import pytest

import tfdeblur
from tests.conftest import REPO, run_module
from tests.fixtures import write_gopro_tree
from tfdeblur import paper
from tfdeblur.tools import COMMANDS

PACKAGE = os.path.join(REPO, "tfdeblur")
# The packages by role, lowest first: a module imports from its own rank and below only.
# Ranked 0: the modules at the root that everything shares (errors, images, config...).
ROLES = ("layers", ("models", "data"), "checkpoints", "deploy", "evaluation", "training")
ENTRY_POINTS = ("tfdeblur.tools", "tfdeblur.__main__", *(f"tfdeblur.{name}" for name in COMMANDS))


def _rank(module):
    """The role rank of a library module (0: the shared root modules), None for a tool or entry point."""
    if any(module == entry or module.startswith(entry + ".") for entry in ENTRY_POINTS):
        return None
    package = module.split(".")[1] if "." in module else ""
    for rank, names in enumerate(ROLES, start=1):
        if package in ((names,) if isinstance(names, str) else names):
            return rank
    return 0


def _module_name(path):
    relative = os.path.relpath(path, REPO)[: -len(".py")].replace(os.sep, ".")
    return relative[: -len(".__init__")] if relative.endswith(".__init__") else relative


def _modules():
    """{module name: path} of every module of the package."""
    found = {}
    for directory, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                found[_module_name(path)] = path
    return found


def _imports(path, modules):
    """The package modules `path` imports, anywhere in it (inside functions and `__main__` guards too)."""
    with open(path) as file:
        tree = ast.parse(file.read())
    imported = set()
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{path}: relative import (the package imports absolutely)"
            imported.add(node.module)
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
        pending.extend(ast.iter_child_nodes(node))
    # A module imports its parent packages too.
    with_parents = set()
    for name in imported:
        parts = name.split(".")
        with_parents |= {".".join(parts[:index]) for index in range(1, len(parts) + 1)}
    return with_parents & set(modules)


def test_no_import_runs_up_from_the_library_to_a_tool():
    modules = _modules()
    graph = {name: _imports(path, modules) for name, path in modules.items()}
    assert "tfdeblur.tools.command" in graph["tfdeblur.train"]  # the reader sees imports
    library = [name for name in modules if _rank(name) is not None]
    assert {"tfdeblur.errors", "tfdeblur.training.loop", "tfdeblur.deploy.serving"} <= set(library)
    for start in library:
        seen, pending = {start}, [start]
        while pending:
            for imported in graph[pending.pop()] - seen:
                assert not imported.startswith("tfdeblur.tools"), f"{start} imports {imported}"
                seen.add(imported)
                pending.append(imported)


def test_library_packages_import_only_their_own_role_and_those_below():
    modules = _modules()
    for name, path in modules.items():
        if _rank(name) is None or name == "tfdeblur":
            continue
        for imported in _imports(path, modules) - {"tfdeblur"}:
            rank = _rank(imported)
            assert rank is None or rank <= _rank(name), f"{name} imports {imported}, a role above it"


def test_every_command_is_a_tool_module():
    tools = {name.rpartition(".")[2] for name in _modules() if name.startswith("tfdeblur.tools.")}
    assert set(COMMANDS) == tools - {"command"}
    for name in COMMANDS:
        tool = importlib.import_module(f"tfdeblur.tools.{name}")
        assert tool.__doc__ and callable(tool.define_flags) and callable(tool.main), name
        assert isinstance(tool.POSITIONAL, bool), name


def test_tfdeblur_help_lists_the_subcommands():
    script = os.path.join(os.path.dirname(sys.executable), "tfdeblur")
    assert os.path.exists(script), "pip install -e . puts `tfdeblur` beside python"
    for command in ([script, "--help"], [sys.executable, "-m", "tfdeblur", "--help"]):
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        listed = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")}
        assert (
            listed
            == set(COMMANDS)
            >= {
                "train",
                "evaluate",
                "deblur",
                "export",
                "models",
                "synthesize",
                "plots",
                "reproduce",
            }
        )


def test_a_subcommand_help_shows_its_docstring_and_flags():
    result = run_module("tfdeblur", "train", "--help")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("Trains a deblurring GAN")
    assert "--train_steps" in result.stdout and "--generator_depth" in result.stdout


def test_unknown_command_is_a_one_line_error():
    result = run_module("tfdeblur", "trian")
    assert result.returncode == 2
    assert result.stderr.startswith("error: unknown command 'trian'")


def test_tfdeblur_models_and_python_m_tfdeblur_models_agree():
    # The `tfdeblur` script and `python -m tfdeblur models` are the same code.
    flagfile = os.path.join(REPO, "experiments", "quickstart.cfg")
    script = os.path.join(os.path.dirname(sys.executable), "tfdeblur")
    outputs = [
        subprocess.run(command, capture_output=True, text=True, timeout=120).stdout.splitlines()[-1]
        for command in (
            [script, "models", f"--flagfile={flagfile}"],
            [sys.executable, "-m", "tfdeblur", "models", f"--flagfile={flagfile}"],
        )
    ]
    assert outputs[0] == outputs[1] == "params: 1807683"


def test_prepare_builds_gopro_without_apache_beam(tmp_path):
    counts = write_gopro_tree(str(tmp_path / "manual"))
    result = run_module(
        "tfdeblur",
        "prepare",
        f"--manual_dir={tmp_path / 'manual'}",
        f"--data_dir={tmp_path / 'tfds'}",
        "--config=blur",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"test {counts['test']}, train {counts['train']} pairs" in result.stdout


def test_prepare_names_a_missing_download(tmp_path):
    (tmp_path / "manual").mkdir()
    manual_dir = tmp_path / "manual"
    result = run_module("tfdeblur", "prepare", f"--manual_dir={manual_dir}", f"--data_dir={tmp_path}")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "GOPRO_Large.zip" in result.stderr


def test_ci_runs_the_readme_test_command():
    with open(os.path.join(REPO, ".ci", "test_command")) as file:
        command = file.read().strip()
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as file:
        readme = file.read()
    assert f"\n    $ {command}\n" in readme
    with open(os.path.join(REPO, ".ci", "run")) as file:
        assert ".ci/test_command" in file.read()


@pytest.mark.parametrize("name", ["train", "evaluate", "deblur", "export", "plots", "pack", "client"])
def test_python_m_entry_points_run_their_tool(name):
    with open(os.path.join(PACKAGE, f"{name}.py")) as file:
        assert f'command.run("{name}")' in file.read()


def test_nothing_cites_documents_outside_the_repository():
    citing = []
    for directory, folders, files in os.walk(REPO):
        folders[:] = [name for name in folders if not name.startswith(".") and name != "runs"]
        for name in files:
            if name.endswith((".py", ".md", ".cfg", ".ipynb")):
                path = os.path.join(directory, name)
                with open(path, encoding="utf-8") as file:
                    if "design" + ".md" in file.read():
                        citing.append(os.path.relpath(path, REPO))
    assert not citing, "cite the paper, an equation or docs/ instead"


def test_data_imports_run_from_the_sources_down():
    # sources -> mix -> windows / synthetic -> blur, clips, pipeline: no source is another's library.
    modules = _modules()
    below_sources = ["tfdeblur.data.mix", "tfdeblur.data.windows", "tfdeblur.data.synthetic"]
    below_sources += ["tfdeblur.data.blur", "tfdeblur.data.clips", "tfdeblur.data.pipeline"]
    for name in below_sources:
        imported = _imports(modules[name], modules)
        assert not {module for module in imported if module.startswith("tfdeblur.data.sources")}, name
        if name != "tfdeblur.data.mix":
            assert "tfdeblur.data.mix" not in imported, name


def test_recipes_are_named_from_any_folder(tmp_path):
    # --experiment=NAME is the recipe's flagfile wherever the command runs (a wheel holds no experiments/).
    named = run_module("tfdeblur", "models", "--experiment=quickstart", cwd=tmp_path)
    assert named.returncode == 0, named.stderr[-2000:]
    assert named.stdout.splitlines()[-1] == "params: 1807683"
    listed = run_module("tfdeblur", "models", "--experiments", cwd=tmp_path)
    lines = dict(line.split(maxsplit=1) for line in listed.stdout.splitlines())
    assert {"quickstart", "finetune/real_motion", "shipped/demo", *paper.EXPERIMENTS} <= set(lines)
    assert lines["deblurgan"] == paper.flagfile_title(paper.ROWS[7])[2:]
    unknown = run_module("tfdeblur", "models", "--experiment=nope", cwd=tmp_path)
    assert (
        unknown.returncode == 2
        and "error: --experiment=nope: no such recipe (recipes: deblurgan" in unknown.stderr
    )


def test_version():
    result = run_module("tfdeblur", "--version")
    assert result.returncode == 0 and result.stdout == f"tfdeblur {tfdeblur.__version__}\n"
