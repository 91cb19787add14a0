"""Training: the GAN and its losses, learning-rate schedules, callbacks, `tf.distribute`, the loop."""
