"""tfdeblur: blind motion deblurring with GANs (TensorFlow 2 / Keras 3)."""

import re
from pathlib import Path

from setuptools import find_packages, setup

# One version, tfdeblur.__version__ (`tfdeblur --version`).
VERSION = re.search(
    r'__version__ = "(.+)"', Path(__file__).with_name("tfdeblur").joinpath("__init__.py").read_text()
)[1]

setup(
    name="tfdeblur",
    version=VERSION,
    description="Blind motion deblurring with GANs: every model of the paper, in TensorFlow/Keras 3",
    long_description=Path(__file__).with_name("README.md").read_text(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    # The recipes (`experiments/`, `--experiment=NAME`) ship inside the package as tfdeblur/recipes/.
    packages=[*find_packages(include=["tfdeblur", "tfdeblur.*"]), "tfdeblur.recipes"],
    package_dir={"tfdeblur.recipes": "experiments"},
    # `tfdeblur <command>`: train, evaluate, deblur, export... (tfdeblur.tools).
    entry_points={"console_scripts": ["tfdeblur = tfdeblur.tools:main"]},
    # The shipped models (`tfdeblur.checkpoints.pretrained`): `demo`, used by `tfdeblur deblur`.
    package_data={"tfdeblur": ["weights/*/*"], "tfdeblur.recipes": ["*.cfg", "*/*.cfg"]},
    install_requires=[
        "tensorflow>=2.16,<2.22",
        # Capped at the newest Keras the suite passed on: the GAN overrides Keras' fit-time build hook
        # (`tfdeblur.training.gan.GAN._maybe_symbolic_build`, private), and tests/test_gan.py checks
        # it still exists; raise the cap once the suite passes on a newer Keras.
        "keras>=3.0,<3.16",
        "tensorboard>=2.16,<2.22",
        "tensorflow-datasets>=4.9,<5",
        # TFDS prepares datasets through etils.epath, which imports it but no longer declares it.
        "importlib_resources>=6",
        "numpy>=1.26,<3",
        "scikit-image>=0.22,<0.27",
        "matplotlib>=3.8,<4",
        "absl-py>=2.0,<3",
        # Photos as a photo tool reads and writes them: EXIF orientation, EXIF/ICC kept, JPEG tables.
        "pillow>=10",
    ],
    extras_require={
        # The gRPC client of TF Serving (python -m tfdeblur.client); REST needs nothing.
        "serving": ["tensorflow-serving-api>=2.16,<2.22"],
        # PyAV (FFmpeg's libraries, as wheels): video files as clips of `frames:` (a phone's slow motion).
        "video": ["av>=12"],
        # export --format=onnx (Keras converts through tf2onnx) and ONNX Runtime for deblur --onnx.
        "onnx": ["tf2onnx>=1.16", "onnxruntime>=1.17"],
        # The LiteRT interpreter for deblur --litert (export --format=litert needs only TensorFlow).
        "litert": ["ai-edge-litert>=1.2"],
        # dill: tfds.testing (the GoPro builder test) imports it; nbclient, nbformat and
        # ipykernel run the Colab notebook in the tests.
        "dev": [
            "pytest>=8,<10",
            "pytest-xdist>=3.5",
            "hypothesis>=6.100",
            "ruff>=0.6",
            "dill>=0.3",
            "tensorflow-serving-api>=2.16,<2.22",
            "av>=12",
            "tf2onnx>=1.16",
            "onnxruntime>=1.17",
            "ai-edge-litert>=1.2",
            "nbclient>=0.10",
            "nbformat>=5.10",
            "ipykernel>=6.29",
        ],
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Image Processing",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
