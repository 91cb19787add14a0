"""Distribution strategies and mixed precision, by name (`--strategy`, `--mixed_precision`).

Models, optimizers and the `GAN` are created inside `strategy.scope()`;
`fit()` then distributes the dataset (its batch is the global batch) and runs
`GAN.train_step` on every replica, which divides its share's summed losses by the
global batch's size (`batch_share`), so the summed gradients are the global batch's
mean (`tf.nn.compute_average_loss` semantics) however the batch is split. Every
replica needs at least one image (`check_batch_size`).
"""

import glob
import os
import typing

import keras
import tensorflow as tf

from tfdeblur import machine
from tfdeblur.config import PRECISIONS, TrainConfig
from tfdeblur.errors import InputError

STRATEGIES = TrainConfig.choices("strategy")


def tpu_present():
    """A TPU this process can reach: Colab's TPU runtime, a Cloud TPU VM, or a named TPU.

    Checked without the network: TPUClusterResolver would otherwise query GCE metadata.
    """
    return bool(
        os.environ.get("TPU_NAME") or os.environ.get("COLAB_TPU_ADDR") or glob.glob("/dev/accel[0-9]*")
    )


def _connect_tpu():
    if os.environ.get("COLAB_TPU_ADDR"):  # the legacy Colab TPU node
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(f"grpc://{os.environ['COLAB_TPU_ADDR']}")
    else:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(os.environ.get("TPU_NAME", "local"))
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    return tf.distribute.TPUStrategy(resolver)


def make_strategy(name="auto"):
    """The `tf.distribute` strategy `name` (see `STRATEGIES`).

    `auto`: a TPU if one is attached, else every local GPU (mirrored if there
    are several), else the one GPU or the CPU.
    `multi_worker` reads the cluster from `TF_CONFIG`.
    """
    if name not in STRATEGIES:
        raise InputError(f"--strategy={name}: expected one of {STRATEGIES}")
    if name == "multi_worker":  # first: it must configure TensorFlow before anything starts it
        if "TF_CONFIG" not in os.environ:
            raise InputError("--strategy=multi_worker needs the cluster in the TF_CONFIG variable")
        return tf.distribute.MultiWorkerMirroredStrategy()
    gpus = tf.config.list_logical_devices("GPU")
    if name == "auto":
        name = "tpu" if tpu_present() else "mirrored" if len(gpus) > 1 else "one_device"
    if name == "tpu":
        if not tpu_present():
            raise InputError("--strategy=tpu: no TPU attached (no TPU_NAME, COLAB_TPU_ADDR or /dev/accel*)")
        return _connect_tpu()
    if name == "mirrored":  # every GPU; without GPUs, every logical CPU (one, unless configured)
        return tf.distribute.MirroredStrategy([device.name for device in gpus or cpus()])
    return tf.distribute.OneDeviceStrategy(gpus[0].name if gpus else "/cpu:0")


def cpus():
    """The logical CPU devices: one per machine, unless `tf.config.set_logical_device_configuration`
    split it before TensorFlow started (to test distribution on a CPU: docs/scale-out.md)."""
    return tf.config.list_logical_devices("CPU")


def check_batch_size(strategy, batch_size):
    """InputError unless each of the strategy's replicas gets at least one image of the global batch.

    The paper's rows train at batch 1; a replica with no image has no loss to average (a
    mean over nothing is NaN) and its batch norm no statistics, so batch 1 cannot be split:
    on N devices the smallest batch is N, which trains exactly as one device at batch N
    (losses averaged over the global batch, batch norm synchronized).
    """
    replicas = strategy.num_replicas_in_sync
    if batch_size < replicas:
        raise InputError(
            f"--batch_size={batch_size} is smaller than the {replicas} replicas of "
            f"{type(strategy).__name__}: each replica needs at least one image of the global batch; "
            f"use --batch_size={replicas} (it trains as one device at that batch) or "
            '--strategy=one_device (the paper\'s batch 1; README, "Scale out")'
        )


class BatchShare(typing.NamedTuple):
    """One replica's share of the global batch: its images `[offset, offset + size)` of `total`."""

    size: tf.Tensor
    offset: tf.Tensor
    total: tf.Tensor


def batch_share(size):
    """The `BatchShare` of the replica running this, whose batch has `size` images (a Python int
    where the shape is static, which XLA needs). One replica holds the whole batch; a TPU splits it
    evenly (its shapes are static; untested here); other strategies gather the replicas' sizes (a
    split may be uneven: [2, 1] for 3 images on 2 replicas)."""
    context = tf.distribute.get_replica_context()
    replicas = context.num_replicas_in_sync
    if replicas == 1:
        return BatchShare(size, 0, size)
    if isinstance(tf.distribute.get_strategy(), tf.distribute.TPUStrategy):
        return BatchShare(size, context.replica_id_in_sync_group * size, size * replicas)
    sizes = context.all_gather(tf.reshape(tf.cast(size, tf.int32), [1]), axis=0)
    below = tf.range(replicas) < context.replica_id_in_sync_group
    return BatchShare(size, tf.reduce_sum(tf.where(below, sizes, 0)), tf.reduce_sum(sizes))


def is_chief(strategy):
    """Whether this process writes checkpoints, logs and reports (worker 0 of a multi-worker cluster)."""
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return True
    resolver = strategy.cluster_resolver
    if resolver.task_type in (None, "chief"):
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return resolver.task_type == "worker" and resolver.task_id == 0 and not has_chief


def resolve_precision(policy):
    """`policy`, with `auto` made concrete: `mixed_bfloat16` on a CPU-only machine whose CPU has
    bfloat16 units (AVX512_BF16 or AMX: 1.3-1.7x faster steps), else `float32` (a CPU without them
    emulates bfloat16, slower than float32; on GPUs choose `mixed_float16` yourself)."""
    if policy not in PRECISIONS:
        raise InputError(f"--mixed_precision={policy}: expected one of {PRECISIONS}")
    if policy != "auto":
        return policy
    accelerated = tf.config.list_physical_devices("GPU") or tpu_present()
    return "mixed_bfloat16" if machine.has_native_bfloat16() and not accelerated else "float32"


def set_precision(policy):
    """Sets the global Keras dtype policy and returns it (`auto` resolved); the models keep float32
    inputs and outputs."""
    policy = resolve_precision(policy)
    keras.mixed_precision.set_global_policy(policy)
    return policy


def optimizer_for(optimizer, policy):
    """`optimizer`, wrapped in dynamic loss scaling under float16 (bfloat16 needs none)."""
    if policy == "mixed_float16":
        return keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer
