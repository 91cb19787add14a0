"""Synthetic motion blur, eq. 1 of the paper: B = K * S + N.

The convolution happens in linear light (sRGB approximated by gamma 2.2),
where a moving camera really averages light, then noise is added and the
result is quantised to uint8 like a real photo. The camera response is an
option of every blur (`RESPONSES`): GoPro (Nah et al. 2017) ships its blurred
frames under both assumptions. What the sensor adds is a `Capture` setting
(RSBlur, Rim et al. 2022): light Gaussian noise on the encoded values (our
first synthesis, kept by the embedded test split), or Poisson-Gaussian noise in
linear light before the response; and saturation, highlights that carried more
light than the sensor holds, clipped again after blurring.

The convolution is computed as a product of Fourier transforms: its cost is
O(HW log HW) whatever the PSF's size, and it runs on TensorFlow's FFT kernels,
which are as fast on an AVX2 CPU as on an AVX-512 one, where a large depthwise
convolution is many times slower on AVX2 (docs/data.md has the figures).
It equals the direct convolution to float32 round-off (tested against SciPy).
"""

import dataclasses
from typing import NamedTuple

import tensorflow as tf

from tfdeblur.errors import InputError

GAMMA = 2.2
# Camera responses (`response=` of the data specs) by the exponent that linearises encoded values.
# "gamma": light is averaged, as a sensor does (GoPro's `blur_gamma` images); "linear": the encoded
# values are averaged as they are (GoPro's `blur` images, which most benchmarks since DeblurGAN
# report, and what simple frame-averaging tools make). The two differ most at high-contrast edges.
RESPONSES = {"gamma": GAMMA, "linear": 1.0}
RESPONSE_OPTION = r"(gamma|linear)(\+(gamma|linear))?"
NOISES = ("encoded", "sensor")
MAX_NOISE_STD = 0.01  # "encoded" noise: std uniform in [0, MAX_NOISE_STD] of the [0, 1] range
# "sensor" noise: shot-noise factor log-uniform in this range, read-noise variance on the line
# log(read) = 2.18 log(shot) + 1.2 +- N(0, 0.26^2) (Brooks et al. 2019, "Unprocessing images
# for learned raw denoising", fitted to real sensors).
SHOT_NOISE = (1e-4, 1.2e-2)
READ_NOISE_LINE = (2.18, 1.2, 0.26)
# Sharp pixels at or above this encoded level are taken as clipped highlights (`saturation=`).
HIGHLIGHT = 250.0 / 255.0


class Exposure(NamedTuple):
    """What a synthetic capture's sensor does to the light, each a scalar or one per image [N, 1, 1, 1].

    `gain`: the sharp image's clipped highlights (channels >= `HIGHLIGHT`) carried this much more
    light than they show; the blurred light is clipped to the sensor's range again (RSBlur's
    saturation). `shot`, `read`: Poisson-Gaussian noise of variance shot * x + read on linear light
    x, in its Gaussian approximation (Foi et al. 2008), before the camera response and quantisation.
    """

    gain: object = 1.0
    shot: object = 0.0
    read: object = 0.0

    @property
    def saturates(self):
        """Whether highlights carry a gain (the default's plain 1.0 needs no ops)."""
        return not (isinstance(self.gain, float) and self.gain == 1.0)

    @property
    def noisy(self):
        """Whether sensor noise is added (the default's plain 0.0 needs no ops)."""
        return not (isinstance(self.shot, float) and self.shot == 0.0)


@dataclasses.dataclass(frozen=True)
class Capture:
    """The sensor settings of the synthetic kinds (`noise=`, `saturation=` of the data specs):
    `noise` one of `NOISES`, `saturation` the largest highlight gain (1: none)."""

    noise: str = "encoded"
    saturation: float = 1.0

    def draw(self, count, seed):
        """(encoded noise std [count], `Exposure` of [count, 1, 1, 1] tensors) drawn from `seed` (a
        graph op); the "encoded" std is drawn from `seed` itself, as it always was."""
        std = tf.random.stateless_uniform([count], seed, maxval=MAX_NOISE_STD)
        shape = [count, 1, 1, 1]
        gain_seed, shot_seed, read_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 3))
        exposure = NO_EXPOSURE
        if self.saturation > 1.0:
            exposure = exposure._replace(
                gain=tf.random.stateless_uniform(shape, gain_seed, 1.0, self.saturation)
            )
        if self.noise == "sensor":
            low, high = (tf.math.log(bound) for bound in SHOT_NOISE)
            log_shot = tf.random.stateless_uniform(shape, shot_seed, low, high)
            slope, intercept, spread = READ_NOISE_LINE
            log_read = slope * log_shot + intercept + spread * tf.random.stateless_normal(shape, read_seed)
            exposure = exposure._replace(shot=tf.exp(log_shot), read=tf.exp(log_read))
            std = tf.zeros([count])
        return std, exposure


NO_EXPOSURE = Exposure()
DEFAULT_CAPTURE = Capture()


def responses(text):
    """The exponents of a `response=` setting: "gamma" -> (2.2,), "gamma+linear" -> (2.2, 1.0)."""
    names = text.split("+")
    if len(set(names)) < len(names):
        raise InputError(f"response={text}: a camera response appears twice")
    return tuple(RESPONSES[name] for name in names)


def draw_gammas(gammas, count, seed):
    """Per image exponents [count, 1, 1, 1] drawn uniformly from `gammas` (a graph op); the one
    exponent itself when there is one, so single-response data stay as they were."""
    if len(gammas) == 1:
        return gammas[0]
    pick = tf.random.stateless_uniform([count], seed, maxval=len(gammas), dtype=tf.int32)
    return tf.reshape(tf.gather(tf.constant(gammas, tf.float32), pick), [-1, 1, 1, 1])


def blur(sharp, kernel, noise_std=0.0, seed=(0, 0), padding="VALID", gamma=GAMMA, exposure=NO_EXPOSURE):
    """Blurs uint8 images [H, W, 3] or [N, H, W, 3] with a PSF [k, k], or one PSF each [N, k, k],
    under the camera response of exponent `gamma` (a scalar, or [N, 1, 1, 1] from `draw_gammas`)
    and the sensor's `exposure`.

    With "VALID" padding the output loses k - 1 rows and columns (crop the sharp
    target to match); "REFLECT" keeps the size by mirroring the borders.
    `noise_std` (a scalar or one per image) is in units of the [0, 1] intensity
    range; `seed` makes the noise deterministic.
    """
    batched = sharp.shape.rank == 4
    images = tf.cast(sharp if batched else sharp[tf.newaxis], tf.float32) / 255.0
    kernel = tf.convert_to_tensor(kernel, tf.float32)
    if padding == "REFLECT":
        half = tf.shape(kernel)[-1] // 2
        images = tf.pad(images, [[0, 0], [half, half], [half, half], [0, 0]], mode="REFLECT")
    elif padding != "VALID":
        raise ValueError(f"padding must be 'VALID' or 'REFLECT', got {padding!r}")
    linear = convolve_valid(light(images, gamma, exposure), kernel)
    return develop(linear, gamma, noise_std, seed, batched, exposure)


def light(images, gamma=GAMMA, exposure=NO_EXPOSURE):
    """The linear light of float [0, 1] images [N, H, W, 3] under the camera response `gamma`, their
    clipped highlights multiplied by `exposure.gain`."""
    linear = to_linear(images, gamma)
    if not exposure.saturates:
        return linear
    return tf.where(images >= HIGHLIGHT, linear * exposure.gain, linear)


def develop(linear, gamma, noise_std, seed, batched=True, exposure=NO_EXPOSURE):
    """uint8 images of blurred linear light [N, H, W, 3]: clipped to the sensor's range, the sensor
    noise of `exposure` added, encoded by the response `gamma`, the encoded noise `noise_std` added
    and quantised (`quantize`); [H, W, 3] unless `batched`."""
    if exposure.saturates:
        linear = tf.minimum(linear, 1.0)
    if exposure.noisy:
        variance = exposure.shot * tf.maximum(linear, 0.0) + exposure.read
        noise_seed = tf.random.experimental.stateless_fold_in(seed, 7)
        linear += tf.sqrt(variance) * tf.random.stateless_normal(tf.shape(linear), noise_seed)
    return quantize(from_linear(linear, gamma), noise_std, seed, batched)


def to_linear(images, gamma=GAMMA):
    """Linear light of float [0, 1] sRGB-like values: x ** gamma.

    Powers are written exp(p log x): the same values to float32 round-off, at a
    quarter of `tf.pow`'s cost on CPU (it is the largest cost of a blurred crop).
    """
    return tf.exp(gamma * tf.math.log(images))


def from_linear(linear, gamma=GAMMA):
    """Gamma-encoded [0, 1] values of linear light (negative round-off clipped to 0): x ** (1 / gamma)."""
    return tf.exp(tf.math.log(tf.maximum(linear, 0.0)) / gamma)


def quantize(images, noise_std, seed, batched=True):
    """float [N, H, W, 3] images in [0, 1] plus Gaussian noise (`noise_std`: a scalar or one per
    image), rounded to uint8 like a photo; [H, W, 3] unless `batched`."""
    noise_std = tf.reshape(tf.cast(noise_std, tf.float32), [-1, 1, 1, 1])
    images += noise_std * tf.random.stateless_normal(tf.shape(images), seed)
    images = tf.cast(tf.round(tf.clip_by_value(images * 255.0, 0.0, 255.0)), tf.uint8)
    return images if batched else images[0]


def convolve_valid(images, kernel):
    """The 'valid' 2-D convolution of float images [N, H, W, C] by FFT, with one kernel [k, k]
    or one per image [N, k, k].

    A circular convolution of length L >= H wraps around only in its first
    k - 1 outputs, so rows and columns k - 1 ... H - 1 of the circular result
    are exactly the linear convolution's valid part. L is rounded up to a
    product of 2, 3, 5 and 7 where the shape is static, where FFTs are fastest.
    """
    kernels = kernel if kernel.shape.rank == 3 else kernel[tf.newaxis]
    size = tf.shape(kernels)[-1]
    lengths = [_fft_length(images.shape[axis], tf.shape(images)[axis]) for axis in (1, 2)]
    planes = tf.transpose(images, [0, 3, 1, 2])  # rfft2d transforms the two innermost axes
    spectrum = tf.signal.rfft2d(planes, fft_length=lengths)
    spectrum *= tf.signal.rfft2d(kernels, fft_length=lengths)[:, tf.newaxis]
    circular = tf.signal.irfft2d(spectrum, fft_length=lengths)
    valid = circular[:, :, size - 1 : tf.shape(images)[1], size - 1 : tf.shape(images)[2]]
    return tf.transpose(valid, [0, 2, 3, 1])


def _fft_length(static, dynamic):
    """The smallest 7-smooth number >= a static length; the dynamic length when it is unknown."""
    if static is None:
        return dynamic
    length = static
    while True:
        rest = length
        for factor in (2, 3, 5, 7):
            while rest % factor == 0:
                rest //= factor
        if rest == 1:
            return length
        length += 1
