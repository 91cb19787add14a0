"""TensorFlow Datasets builders in the layout `tfds build datasets/<name>` expects."""
