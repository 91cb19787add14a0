"""Camera-shake blur kernels (Boracchi & Foi 2012, as used by DeblurGAN).

A trajectory is a 2-D random walk of fixed total length with inertia (the
velocity persists), a centripetal pull back to the start, small Gaussian
perturbations and rare impulsive jerks. The PSF is the part of the trajectory
seen during the exposure, splatted bilinearly onto a canvas and normalised to
sum 1, with its centre of mass at the canvas centre (so blurring does not shift
the image). Everything is deterministic for a `numpy.random.Generator`.
"""

import numpy as np


def camera_shake_trajectory(rng, length, steps=512, anxiety=0.005):
    """Positions (complex, pixels) of a camera-shake path of total `length` pixels."""
    centripetal = 0.7 * rng.random()
    jerk_probability = 0.2 * rng.random()
    perturbation = 10.0 * rng.random()
    step = length / (steps - 1)
    velocity = step * np.exp(2j * np.pi * rng.random())
    noise = rng.standard_normal((steps, 2)) @ np.array([1.0, 1j])
    jerks = rng.random(steps) < jerk_probability * anxiety
    jerk_angles = np.pi * (1.0 + rng.random(steps) - 0.5)
    positions = np.zeros(steps, dtype=complex)
    for t in range(steps - 1):
        jerk = 2.0 * velocity * np.exp(1j * jerk_angles[t]) if jerks[t] else 0.0
        velocity += jerk + anxiety * (perturbation * noise[t] - centripetal * positions[t]) * step
        velocity *= step / abs(velocity)
        positions[t + 1] = positions[t] + velocity
    return positions


def trajectory_psf(positions, size, exposure=1.0):
    """Rasterises the first `exposure` fraction of a trajectory into a size x size PSF."""
    seen = positions[: max(2, round(exposure * len(positions)))]
    points = np.stack([seen.imag, seen.real], axis=-1)  # (row, column)
    points += (size - 1) / 2 - points.mean(axis=0)
    # A strongly hooked path can leave the canvas when centred on its mass: move it
    # back inside (a sub-kernel shift) rather than cutting part of the exposure off.
    points -= np.minimum(points.min(axis=0), 0.0)
    points -= np.maximum(points.max(axis=0) - (size - 1.001), 0.0)
    corner = np.floor(points).astype(int)
    frac = points - corner
    psf = np.zeros((size, size), dtype=np.float64)
    for d_row, d_col in ((0, 0), (0, 1), (1, 0), (1, 1)):
        weight = np.abs(1 - d_row - frac[:, 0]) * np.abs(1 - d_col - frac[:, 1])
        np.add.at(psf, (corner[:, 0] + d_row, corner[:, 1] + d_col), weight)
    return (psf / psf.sum()).astype(np.float32)


def random_kernel(rng, size, length_range, exposure_range=(0.5, 1.0)):
    """A random camera-shake PSF on a size x size canvas.

    The trajectory length is drawn uniformly from `length_range` (pixels) and must
    fit the canvas: `length_range[1] <= size - 2`.
    """
    low, high = length_range
    if not 0 < low <= high <= size - 2:
        raise ValueError(
            f"Kernel length range {length_range} must satisfy 0 < low <= high <= size - 2 "
            f"(kernel size {size})"
        )
    positions = camera_shake_trajectory(rng, rng.uniform(low, high))
    return trajectory_psf(positions, size, rng.uniform(*exposure_range))
