"""The notebooks run top to bottom on a CPU: the Colab TPU one on its tiny budget (issue 7), the
photo one with the shipped model (issue 26)."""

import json
import os

import nbformat
from nbclient import NotebookClient
from PIL import Image

from tests.conftest import REPO


def test_colab_notebook_executes_on_cpu(tmp_path, monkeypatch):
    # Run where the notebook would find a checkout (experiments/), writing only under tmp_path.
    os.symlink(os.path.join(REPO, "experiments"), tmp_path / "experiments")
    monkeypatch.setenv("PYTHONPATH", REPO)
    notebook = nbformat.read(os.path.join(REPO, "notebooks", "colab_tpu.ipynb"), as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()

    with open(tmp_path / "runs" / "notebook_eval_deblurgan" / "metrics.json") as file:
        metrics = json.load(file)
    assert metrics["num_images"] == 8
    exports = list((tmp_path / "export" / "deblurgan").iterdir())
    assert len(exports) == 1 and (exports[0] / "saved_model.pb").exists()


def test_deblur_notebook_executes_on_cpu(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", REPO)
    notebook = nbformat.read(os.path.join(REPO, "notebooks", "deblur_your_photo.ipynb"), as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()

    with (
        Image.open(tmp_path / "blurred.jpg") as blurred,
        Image.open(tmp_path / "blurred_deblurred.jpg") as sharp,
    ):
        assert sharp.size == blurred.size and sharp.format == "JPEG"
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert any("image/png" in output.get("data", {}) for output in outputs)  # the side-by-side figure
