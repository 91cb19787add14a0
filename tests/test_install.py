"""tfdeblur installed as a user installs it (issue 26): a wheel, a fresh virtualenv, an empty folder.

The fresh virtualenv gets the wheel alone (`pip install --no-deps --no-index`); its
dependencies (TensorFlow...) are the test environment's, reached through a `.pth` line
after the virtualenv's own packages, so nothing is downloaded and the wheel's `tfdeblur`
is the one it imports.
"""

import os
import subprocess
import sys
import sysconfig
import zipfile

import numpy as np
import pytest
import skimage.data
from PIL import Image

import tfdeblur
from tests.conftest import REPO
from tests.test_api import readme_python


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", folder, REPO],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (path,) = folder.glob("tfdeblur-*.whl")
    return path


def test_the_wheel_carries_the_recipes_and_the_shipped_model(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    recipes = {
        f"tfdeblur/recipes/{name}.cfg" for name in ("quickstart", "base/pix2pix", "finetune/real_motion")
    }
    assert recipes | {f"tfdeblur/weights/{name}/generator.npz" for name in ("photo", "demo")} <= names


def test_installed_from_the_wheel_every_command_works_from_an_empty_folder(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=300)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with open(os.path.join(site, "dependencies.pth"), "w") as file:  # after the venv's own packages
        file.write(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    folder = tmp_path / "empty"
    folder.mkdir()
    Image.fromarray(skimage.data.chelsea()[::2, ::2]).save(folder / "photo.jpg", quality=85)
    environment = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    environment.pop("PYTHONPATH", None)

    def run(program, *argv):
        result = subprocess.run(
            [venv / "bin" / program, *argv],
            cwd=folder,
            env=environment,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode == 0, (argv, result.stderr[-3000:])
        return result.stdout

    where = run("python", "-c", "import tfdeblur; print(tfdeblur.__file__)").strip()
    assert where.startswith(site) and not where.startswith(REPO)
    assert run("tfdeblur", "--version").strip() == f"tfdeblur {tfdeblur.__version__}"
    run("tfdeblur", "deblur", "photo.jpg", "-o", "sharp.jpg")
    assert np.asarray(Image.open(folder / "sharp.jpg")).shape == (150, 226, 3)
    run(
        "tfdeblur",
        "train",
        "--experiment=quickstart",
        "--train_steps=2",
        "--steps_per_epoch=2",
        "--output_dir=run",
    )
    assert (folder / "run" / "metrics.json").exists()
    run("tfdeblur", "export", "--checkpoint=run", "--export_dir=export/run/1")
    assert (folder / "export" / "run" / "1" / "saved_model.pb").exists()
    assert "| run | embedded/test | 8 |" in run("tfdeblur", "evaluate", "--checkpoint=run")
    (code,) = readme_python()
    assert run("python", "-c", code).strip() == "(480, 640, 3) uint8"
    assert sorted(os.listdir(folder)) == ["export", "photo.jpg", "run", "sharp.jpg"]
