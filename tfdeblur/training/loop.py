"""The training loop: an `Experiment` trained (or resumed) in a run folder, then evaluated.

`tfdeblur train` (`tfdeblur.tools.train`) is its command line. A run folder holds
`checkpoints/` (`tfdeblur.checkpoints.runs`), `logs/`, `samples/`, `flags.txt` and,
at the end, the held-out report (`tfdeblur.evaluation.report`).
"""

import datetime
import math
import os
import sys

import keras

from tfdeblur import data, machine
from tfdeblur.checkpoints import pretrained
from tfdeblur.checkpoints.runs import TrainingCheckpoint, checkpoint_dir, write_or_check_configs
from tfdeblur.errors import InputError
from tfdeblur.evaluation.report import evaluate, format_summary, write_report
from tfdeblur.training import distribute, experiment
from tfdeblur.training.callbacks import SaveCheckpoint, StopAtStep, StopOnNonFinite, Validate

# Model settings that leave the generator's weights as they are (`--init_from` copies across them).
WEIGHTLESS_SETTINGS = ("conditional", "generator_scales", "preserve_mean", "strength")


def train(run, output_dir, flags_text=""):
    """Trains (or resumes) `run`, an `Experiment`, in `output_dir`, then evaluates it."""
    model_config, config = run.model, run.train
    strategy = distribute.make_strategy(config.strategy)
    precision = distribute.set_precision(config.mixed_precision)
    chief = distribute.is_chief(strategy)
    checkpoints = checkpoint_dir(output_dir)
    if chief:
        for name, (old, new) in write_or_check_configs(checkpoints, model_config, config).items():
            print(f"note: resuming with --{name}={new} (was {old})")
        _log_flags(output_dir, flags_text)

    distribute.check_batch_size(strategy, config.batch_size)
    keras.utils.set_random_seed(config.seed)
    with strategy.scope():
        gan = experiment.build_gan(run)
        generator_optimizer, discriminator_optimizer = experiment.optimizers(config, precision)
        gan.compile(generator_optimizer, discriminator_optimizer, jit_compile=config.jit_compile)
        # Other workers write their (identical) checkpoints aside; all restore the chief's.
        checkpoint = TrainingCheckpoint(gan, checkpoints, chief=chief)
        latest = checkpoint.restore_latest()
    step = int(gan.optimizer.iterations.numpy())
    if latest:
        print(f"Resuming from {latest} at step {step}")
        print(f"Learning rate at step {step}: {float(experiment.learning_rate(config)(step)):.3g}")
    elif config.init_from:
        initialise_generator(gan.generator, model_config, config.init_from)
        print(f"Generator initialised from {config.init_from}")

    locations = {"data_dir": config.data_dir, "manual_dir": config.manual_dir}
    test_pairs = data.evaluation_pairs(config.evaluation_dataset, **locations)
    if step < config.train_steps:
        # A resumed run draws new crops rather than replaying the first ones.
        data_seed = config.seed + 7919 * step
        pairs = data.train_pairs(config.dataset, config.crop_size, seed=data_seed, **locations)
        steps_per_epoch = min(config.steps_per_epoch, config.train_steps)
        # Only the chief validates and logs (other workers would write beside it).
        validate = None
        if chief:
            validate = Validate(
                test_pairs,
                model_config,
                log_dir=os.path.join(output_dir, "logs"),
                samples_dir=os.path.join(output_dir, "samples"),
                images=config.validation_images,
            )
        gan.fit(
            data.training_batches(pairs, config.batch_size, seed=data_seed),
            epochs=math.ceil(config.train_steps / steps_per_epoch),
            initial_epoch=step // steps_per_epoch,
            steps_per_epoch=steps_per_epoch,
            shuffle=False,
            verbose=1 if sys.stdout.isatty() else 2,  # a log gets a line per epoch, not a redrawn bar
            callbacks=[
                StopOnNonFinite(checkpoint),  # first: a NaN step is never checkpointed
                StopAtStep(config.train_steps),
                SaveCheckpoint(checkpoint),
                *([validate] if validate else []),
            ],
        )
    else:
        print(f"Already trained to step {step} (--train_steps={config.train_steps})")
    if not chief:
        return

    records, examples = evaluate(gan.generator, model_config, test_pairs, keep_images=3)
    model = os.path.basename(os.path.normpath(output_dir))
    dataset = f"{config.evaluation_dataset}/test"
    summary = write_report(records, examples, output_dir, model=model, dataset=dataset, config=model_config)
    print(f"Held-out {dataset}: {format_summary(summary)}")
    print(f"Wrote {os.path.join(output_dir, 'metrics.json')}")


def initialise_generator(generator, model_config, source):
    """Copies the generator weights of `source` (a shipped model's name, a packed model or a run) into
    `generator`; InputError naming `source` if its architecture differs from `model_config`."""
    loaded, loaded_config = pretrained.load_model(source)
    differences = {
        name: values
        for name, values in loaded_config.differences(model_config).items()
        # only G is copied; its weights are the same at any number of scales, whether or not it
        # keeps its input's mean level, and at any inference strength
        if not name.startswith("discriminator") and name not in WEIGHTLESS_SETTINGS
    }
    if differences:
        changed = ", ".join(f"--{name}={new} (it has {old})" for name, (old, new) in differences.items())
        raise InputError(f"--init_from={source}: another architecture: {changed}")
    generator.set_weights(loaded.get_weights())


def _log_flags(output_dir, flags_text):
    """Appends this invocation's flags, with the machine and kernels it ran on, to `flags.txt`: a
    resumed run keeps every command's."""
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    cpu = machine.describe()
    kernels = "oneDNN on" if cpu["onednn"] else "oneDNN off"
    with open(os.path.join(output_dir, "flags.txt"), "a") as file:
        file.write(f"# tfdeblur train, started {started} on {cpu['cpu']} ({kernels})\n{flags_text}\n")
