"""Learning-rate schedules."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfdeblur")
class ConstantThenLinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant `learning_rate` until `decay_start`, then linear decay to 0 at `total_steps`.

    DeblurGAN's schedule (constant for the first half, then linear to zero). It is
    a function of the optimizer's step, so a resumed run continues at the same
    point of the schedule. `decay_start >= total_steps` keeps the rate constant.
    """

    def __init__(self, learning_rate, total_steps, decay_start):
        self.learning_rate = learning_rate
        self.total_steps = total_steps
        self.decay_start = decay_start

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        decay_steps = max(self.total_steps - self.decay_start, 1)
        remaining = tf.clip_by_value((self.total_steps - step) / decay_steps, 0.0, 1.0)
        return self.learning_rate * remaining

    def get_config(self):
        return {
            "learning_rate": self.learning_rate,
            "total_steps": self.total_steps,
            "decay_start": self.decay_start,
        }


class AtTrainingStep(keras.optimizers.schedules.LearningRateSchedule):
    """`schedule` at the training step `step` (a variable), whatever step count the calling optimizer has.

    A WGAN critic's optimizer steps `critic_steps` times per training step; evaluated
    at its own count, its rate would decay `critic_steps` times too early (frozen from
    20 % of a DeblurGAN run). DeblurGAN decays both networks' rates by epoch. It holds
    a variable, so it is not serialised: rebuild it with the optimizers.
    """

    def __init__(self, schedule, step):
        self.schedule = schedule
        self.step = step

    def __call__(self, step):
        del step  # the calling optimizer's own count
        return self.schedule(self.step)
