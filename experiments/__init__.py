"""Experiment flagfiles (one per row of the paper's tables) and `python -m experiments.reproduce`."""
