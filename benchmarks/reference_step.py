"""A fixed CPU yardstick: the seconds of one training step of a small, fixed Keras conv net.

Timings differ by 2-4x between our machines (CPU model, vector units, a shared host's load),
so a CPU time target is stated as a multiple of this step, measured on the same machine in
the same hour. Independent of tfdeblur: plain Keras, random data, no pipeline.

    TF_ENABLE_ONEDNN_OPTS=0 python benchmarks/reference_step.py   # prints JSON: seconds per step, CPU flags

R, the yardstick's `min_s` with oneDNN off (most users' CPUs), is what the
benchmarks report their figures against (`yardstick()`, run in a process of its own).

The net is a small U-Net-like encoder/decoder at 64x64, batch 16, Adam, L1 loss:
3x3 convs, strided convs and 4x4 transposed convs, as deblurring generators use.
"""

import json
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras
import numpy as np
import tensorflow as tf


def build():
    x = inp = keras.Input((64, 64, 3))
    skips = []
    for f in (16, 32, 64):
        x = keras.layers.Conv2D(f, 3, padding="same", activation="relu")(x)
        skips.append(x)
        x = keras.layers.Conv2D(f, 4, strides=2, padding="same", activation="relu")(x)
    x = keras.layers.Conv2D(128, 3, padding="same", activation="relu")(x)
    for f, s in zip((64, 32, 16), reversed(skips)):
        x = keras.layers.Conv2DTranspose(f, 4, strides=2, padding="same", activation="relu")(x)
        x = keras.layers.Concatenate()([x, s])
        x = keras.layers.Conv2D(f, 3, padding="same", activation="relu")(x)
    out = keras.layers.Conv2D(3, 3, padding="same")(x)
    return keras.Model(inp, out)


def main():
    keras.utils.set_random_seed(0)
    model = build()
    opt = keras.optimizers.Adam(1e-3)
    rng = np.random.default_rng(0)
    x = tf.constant(rng.uniform(-1, 1, (16, 64, 64, 3)).astype("float32"))
    y = tf.constant(rng.uniform(-1, 1, (16, 64, 64, 3)).astype("float32"))

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.abs(model(x, training=True) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    for _ in range(5):
        step().numpy()
    times = []
    for _ in range(40):
        t = time.perf_counter()
        step().numpy()
        times.append(time.perf_counter() - t)
    flags = ""
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as file:
            flags = file.read()
    features = ("avx2", "avx512f", "avx512_bf16", "amx_bf16")
    isa = {k: (f" {k} " in flags or f" {k}\n" in flags) for k in features}
    print(
        json.dumps(
            {
                "reference_step_s": round(statistics.median(times), 4),
                "min_s": round(min(times), 4),
                "params": model.count_params(),
                "cpu": platform.processor() or platform.machine(),
                "cores": os.cpu_count(),
                "isa": isa,
                "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA"),
            }
        )
    )


def yardstick():
    """R: this script's `min_s`, run now in its own process with oneDNN off."""
    import subprocess
    import sys

    environment = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "0"}
    environment.pop("ONEDNN_MAX_CPU_ISA", None)
    result = subprocess.run(
        [sys.executable, __file__], capture_output=True, text=True, env=environment, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])["min_s"]


if __name__ == "__main__":
    main()
