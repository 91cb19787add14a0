"""tfdeblur: blind motion deblurring with GANs in TensorFlow/Keras.

Reimplements the models of "Blind Deblurring using GANs" (Pix2Pix U-Net with
attention, Residual-in-Residual, DeblurGAN and its variants), trains them on
GoPro or on an embedded default dataset, and exports them for TF Serving.

    import tfdeblur
    deblurrer = tfdeblur.load()        # the shipped model, a run folder or an export
    sharp = deblurrer("photo.jpg")     # uint8 [H, W, 3]; arrays, tensors and batches too

`load` and `Deblurrer` start TensorFlow (quietly) when first used, so `import tfdeblur`
(and the `tfdeblur` command's `--help`) stays quick. `import tfdeblur.layers`
registers the custom layers with `keras.saving`, for `keras.saving.load_model`
of a `.keras` export.
"""

__version__ = "0.1.0"
__all__ = ["Deblurrer", "__version__", "load"]
_LAZY = {"Deblurrer": "tfdeblur.deploy.deblurrer", "load": "tfdeblur.deploy.deblurrer"}


def __getattr__(name):  # PEP 562: TensorFlow starts on first use, not on `import tfdeblur`
    if name in _LAZY:
        import importlib

        from tfdeblur import machine

        with machine.quiet_start():  # TensorFlow's start-up lines, as the commands keep them out
            machine.start_tensorflow()
            return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tfdeblur' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_LAZY])
