"""Deployment: tiled inference, SavedModel (TF Serving), ONNX and LiteRT exports, video files."""
