"""Camera-shake blur kernels (Boracchi & Foi 2012, as used by DeblurGAN).

A trajectory is a 2-D random walk of fixed total length with inertia (the
velocity persists), a centripetal pull back to the start, small Gaussian
perturbations and rare impulsive jerks. The PSF is the part of the trajectory
seen during the exposure, splatted bilinearly onto a canvas and normalised to
sum 1, with its centre of mass at the canvas centre (so blurring does not shift
the image). Everything is deterministic for a `numpy.random.Generator`.

The walk is sequential in time, so many kernels are drawn at once, vectorised
across kernels (`random_kernels`): kernel k depends on its own generator
`rngs[k]` alone, and `random_kernel(rng)` is the same kernel drawn by itself.
"""

import numpy as np


def camera_shake_trajectories(rngs, lengths, steps=512, anxiety=0.005):
    """Positions [K, steps] (complex, pixels) of K camera-shake paths; path k of total length
    `lengths[k]` draws its randomness from `rngs[k]` only."""
    lengths = np.asarray(lengths, dtype=np.float64)
    draws = [_trajectory_draws(rng, steps) for rng in rngs]
    centripetal, jerk_probability, perturbation, heading = (
        np.array([draw[i] for draw in draws]) for i in range(4)
    )
    noise, jerks, jerk_angles = (np.stack([draw[i] for draw in draws]) for i in range(4, 7))
    step = lengths / (steps - 1)
    velocity = step * np.exp(2j * np.pi * heading)
    noise = noise @ np.array([1.0, 1j])
    jerks = jerks < (jerk_probability * anxiety)[:, np.newaxis]
    jerk_turns = np.where(jerks, 2.0 * np.exp(1j * jerk_angles), 0.0)
    positions = np.zeros((len(draws), steps), dtype=complex)
    for t in range(steps - 1):
        velocity = velocity + velocity * jerk_turns[:, t]
        velocity = velocity + anxiety * (perturbation * noise[:, t] - centripetal * positions[:, t]) * step
        velocity = velocity * (step / np.abs(velocity))
        positions[:, t + 1] = positions[:, t] + velocity
    return positions


def camera_shake_trajectory(rng, length, steps=512, anxiety=0.005):
    """Positions (complex, pixels) of one camera-shake path of total `length` pixels."""
    return camera_shake_trajectories([rng], [length], steps, anxiety)[0]


def _trajectory_draws(rng, steps):
    """The random numbers of one path, in a fixed order (changing it changes every kernel)."""
    centripetal = 0.7 * rng.random()
    jerk_probability = 0.2 * rng.random()
    perturbation = 10.0 * rng.random()
    heading = rng.random()
    noise = rng.standard_normal((steps, 2))
    jerks = rng.random(steps)
    jerk_angles = np.pi * (1.0 + rng.random(steps) - 0.5)
    return centripetal, jerk_probability, perturbation, heading, noise, jerks, jerk_angles


def trajectory_psfs(positions, size, exposures):
    """Rasterises the first `exposures[k]` fraction of each path [K, steps] into PSFs [K, size, size]."""
    count, steps = positions.shape
    seen = np.maximum(2, np.round(np.asarray(exposures) * steps).astype(int))
    mask = np.arange(steps) < seen[:, np.newaxis]  # [K, steps]: the points seen during the exposure
    points = np.stack([positions.imag, positions.real], axis=-1)  # (row, column)
    mean = (points * mask[..., np.newaxis]).sum(axis=1) / seen[:, np.newaxis]
    points = points + ((size - 1) / 2 - mean)[:, np.newaxis]
    # A strongly hooked path can leave the canvas when centred on its mass: move it
    # back inside (a sub-kernel shift) rather than cutting part of the exposure off.
    low = np.where(mask[..., np.newaxis], points, np.inf).min(axis=1)
    points = points - np.minimum(low, 0.0)[:, np.newaxis]
    high = np.where(mask[..., np.newaxis], points, -np.inf).max(axis=1)
    points = points - np.maximum(high - (size - 1.001), 0.0)[:, np.newaxis]
    points = np.where(mask[..., np.newaxis], points, 0.0)  # unseen points get no weight below
    corner = np.floor(points).astype(int)
    frac = points - corner
    kernel_index = np.arange(count)[:, np.newaxis]
    psfs = np.zeros(count * size * size)
    for d_row, d_col in ((0, 0), (0, 1), (1, 0), (1, 1)):
        weight = np.abs(1 - d_row - frac[..., 0]) * np.abs(1 - d_col - frac[..., 1]) * mask
        index = (kernel_index * size + corner[..., 0] + d_row) * size + corner[..., 1] + d_col
        psfs += np.bincount(index.ravel(), weight.ravel(), minlength=psfs.size)
    psfs = psfs.reshape(count, size, size)
    return (psfs / psfs.sum(axis=(1, 2), keepdims=True)).astype(np.float32)


def random_kernels(rngs, size, length_range, exposure_range=(0.5, 1.0)):
    """Random camera-shake PSFs [K, size, size], kernel k drawn from `rngs[k]` alone.

    Each trajectory's length is drawn uniformly from `length_range` (pixels) and
    must fit the canvas: `length_range[1] <= size - 2`.
    """
    low, high = length_range
    if not 0 < low <= high <= size - 2:
        raise ValueError(
            f"Kernel length range {length_range} must satisfy 0 < low <= high <= size - 2 "
            f"(kernel size {size})"
        )
    rngs = list(rngs)
    lengths = [rng.uniform(low, high) for rng in rngs]
    positions = camera_shake_trajectories(rngs, lengths)
    exposures = [rng.uniform(*exposure_range) for rng in rngs]
    return trajectory_psfs(positions, size, exposures)


def random_kernel(rng, size, length_range, exposure_range=(0.5, 1.0)):
    """A random camera-shake PSF on a size x size canvas (`random_kernels` for one generator)."""
    return random_kernels([rng], size, length_range, exposure_range)[0]
