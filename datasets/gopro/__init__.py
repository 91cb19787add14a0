"""GoPro TFDS builder (`tfds build datasets/gopro --manual_dir=...`)."""
