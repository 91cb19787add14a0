"""Evaluation: image-quality metrics, held-out reports and figures."""
