"""tfdeblur: blind motion deblurring with GANs in TensorFlow/Keras.

Reimplements the models of "Blind Deblurring using GANs" (Pix2Pix U-Net with
attention, Residual-in-Residual, DeblurGAN and its variants), trains them on
GoPro or on an embedded default dataset, and exports them for TF Serving.
"""

__version__ = "0.1.0"
