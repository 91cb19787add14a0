"""Runs a tfdeblur command with the CPU split into N logical devices, as a machine with N GPUs.

`python -m tests.logical_cpus N COMMAND FLAGS...`, e.g. `2 train --strategy=mirrored ...`:
`--strategy=mirrored` then mirrors training over the N devices (docs/scale-out.md). Logical
devices must be configured before TensorFlow starts, so this is a process of its own.
"""

import sys

from tfdeblur import machine

if __name__ == "__main__":
    devices, name, *flags = sys.argv[1:]
    machine.prefer_onednn()  # before TensorFlow starts, as `tfdeblur` does
    import tensorflow as tf

    tf.config.set_logical_device_configuration(
        tf.config.list_physical_devices("CPU")[0], [tf.config.LogicalDeviceConfiguration()] * int(devices)
    )
    from tfdeblur.tools import command

    command.run(name, [sys.argv[0], *flags])
