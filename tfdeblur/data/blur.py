"""Synthetic motion blur, eq. 1 of the paper: B = K * S + N.

The convolution happens in linear light (sRGB approximated by gamma 2.2),
where a moving camera really averages light, then light Gaussian noise is
added and the result is quantised to uint8 like a real photo. The camera
response is an option of every blur (`RESPONSES`): GoPro (Nah et al. 2017)
ships its blurred frames under both assumptions.

The convolution is computed as a product of Fourier transforms: its cost is
O(HW log HW) whatever the PSF's size, and it runs on TensorFlow's FFT kernels,
which are as fast on an AVX2 CPU as on an AVX-512 one, where a large depthwise
convolution is many times slower on AVX2 (docs/data.md has the figures).
It equals the direct convolution to float32 round-off (tested against SciPy).
"""

import tensorflow as tf

from tfdeblur.errors import InputError

GAMMA = 2.2
# Camera responses (`response=` of the data specs) by the exponent that linearises encoded values.
# "gamma": light is averaged, as a sensor does (GoPro's `blur_gamma` images); "linear": the encoded
# values are averaged as they are (GoPro's `blur` images, which most benchmarks since DeblurGAN
# report, and what simple frame-averaging tools make). The two differ most at high-contrast edges.
RESPONSES = {"gamma": GAMMA, "linear": 1.0}
RESPONSE_OPTION = r"(gamma|linear)(\+(gamma|linear))?"


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


def blur(sharp, kernel, noise_std=0.0, seed=(0, 0), padding="VALID", gamma=GAMMA):
    """Blurs uint8 images [H, W, 3] or [N, H, W, 3] with a PSF [k, k], or one PSF each [N, k, k],
    under the camera response of exponent `gamma` (a scalar, or [N, 1, 1, 1] from `draw_gammas`).

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
    linear = convolve_valid(to_linear(images, gamma), kernel)
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
