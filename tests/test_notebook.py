"""notebooks/colab_tpu.ipynb runs top to bottom without a TPU, on its tiny CPU budget (issue 7)."""

import json
import os

import nbformat
from nbclient import NotebookClient

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
