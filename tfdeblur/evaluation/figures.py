"""Figures written to files with matplotlib's non-interactive backend (no display needed)."""

import contextlib


@contextlib.contextmanager
def saved_figure(path, rows=1, columns=1, **figure_options):
    """Yields (figure, axes[rows][columns]); on exit lays them out, saves to `path` and closes."""
    import matplotlib  # imported here: slow, and only the reporting tools need it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(rows, columns, squeeze=False, **figure_options)
    try:
        yield figure, axes
        figure.tight_layout()
        figure.savefig(path, dpi=100)
    finally:
        plt.close(figure)
