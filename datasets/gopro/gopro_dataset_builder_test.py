"""TFDS's own builder test on a small GOPRO_Large-layout fixture the test writes."""

import tempfile

import tensorflow_datasets as tfds

from datasets.gopro import gopro_dataset_builder
from tests.fixtures import write_gopro_tree


class GoproTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = gopro_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["blur", "blur_gamma"]  # noqa: RUF012 (TFDS's class attribute)
    SKIP_CHECKSUMS = True

    @classmethod
    def setUpClass(cls):
        cls._fixture = tempfile.TemporaryDirectory()
        cls.SPLITS = write_gopro_tree(cls._fixture.name)
        cls.EXAMPLE_DIR = cls._fixture.name
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._fixture.cleanup()


if __name__ == "__main__":
    tfds.testing.test_main()
