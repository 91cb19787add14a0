"""Every parser of user input, fed what it was not written for (issue 27): Hypothesis generates the
cases; each must end in a result or one `InputError` line naming the input, never another exception.

Each test prints how many cases it tried (`pytest tests/test_fuzz.py -s`); docs/reliability.md
has the counts. Cases are derived from a fixed seed (`derandomize`), so CI runs the same ones.
"""

import inspect
import io
import json
import string

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps

from tests.fixtures import png_header, write_video
from tfdeblur import config_flags, data, flagfiles
from tfdeblur.config import ModelConfig, TrainConfig
from tfdeblur.data import video, windows
from tfdeblur.deploy import headers, photos
from tfdeblur.errors import InputError
from tfdeblur.training.experiment import Experiment

EXAMPLES = 300


def fuzz(strategy, examples=EXAMPLES):
    """Runs the decorated check on `examples` generated cases and prints how many it tried."""

    def decorate(check):
        def test(**fixtures):
            tried = []

            @settings(
                max_examples=examples,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(strategy)
            def run(case):
                tried.append(case)
                check(**fixtures, case=case)

            run()
            print(f"{check.__name__}: {len(tried)} cases")
            assert len(tried) >= examples // 2

        test.__name__ = check.__name__
        parameters = list(inspect.signature(check).parameters.values())[:-1]  # the last is `case`
        test.__signature__ = inspect.Signature(parameters)
        return test

    return decorate


def one_line_error(call, *named):
    """The result of `call()`, or None for an InputError of one line naming each of `named`."""
    try:
        return call()
    except InputError as error:
        message = str(error)
        assert "\n" not in message and message.strip(), message
        for name in named:
            assert name in message, (name, message)
        return None


SPEC_CHARACTERS = string.ascii_lowercase + string.digits + ":/,=-+._ "
sources = st.sampled_from([*data.SOURCES, "gopro/blur", "gopro/blur_gamma", "gopro/sharp", ""])
settings_text = st.lists(
    st.tuples(
        st.sampled_from(["mix", "frames", "window", "stride", "holdout", "response", "scale", "x", ""]),
        st.text(SPEC_CHARACTERS, max_size=12),
    ),
    max_size=4,
)


@st.composite
def dataset_specs(draw):
    if draw(st.booleans()):
        return draw(st.text(SPEC_CHARACTERS, max_size=40))
    head = draw(sources)
    if draw(st.booleans()):
        head += draw(st.sampled_from([":", "/"])) + draw(st.sampled_from(["/tmp", "", "..", "no/such", "x"]))
    return ",".join([head, *(f"{key}={value}" for key, value in draw(settings_text))])


@fuzz(dataset_specs())
def test_dataset_specs(case):
    spec = case
    parsed = one_line_error(lambda: data.parse_spec(spec))
    assert parsed is None or parsed.text == spec


@fuzz(st.text(string.digits + "-+x ", max_size=16))
def test_window_ranges(case):
    window = case
    sizes = one_line_error(lambda: windows.window_sizes(window), f"window={window}")
    assert sizes is None or (
        sizes == sorted(set(sizes)) and sizes[0] >= 1 and sizes[-1] <= windows.MAX_WINDOW
    )


FLAG_LINES = st.one_of(
    st.sampled_from(
        [
            "--generator=rir",
            "--generator=vgg",
            "--generator_depth=4",
            "--generator_depth=-3",
            "--generator_depth=many",
            "--train_steps=10",
            "--dataset=embedded",
            "--dataset=nonsense",
            "--encoder_attention=8,x",
            "--no_such_flag=1",
            "# a comment",
            "",
            "--channel_attention",
            "--nochannel_attention",
            "garbage",
            "--experiment=quickstart",
        ]
    ),
    st.text(string.printable, max_size=20),
)


@st.composite
def flagfile_trees(draw):
    """2-4 flagfiles of random lines, each perhaps including another (or itself, or a missing one)."""
    count = draw(st.integers(2, 4))
    files = []
    for _ in range(count):
        lines = draw(st.lists(FLAG_LINES, max_size=5))
        for target in draw(st.lists(st.integers(-1, count - 1), max_size=2)):
            lines.insert(
                draw(st.integers(0, len(lines))), f"--flagfile={'missing' if target < 0 else target}.cfg"
            )
        files.append(lines)
    return files


@fuzz(flagfile_trees(), examples=200)
def test_flagfiles(tmp_path_factory, case):
    files = case
    folder = tmp_path_factory.mktemp("flagfiles")
    for index, lines in enumerate(files):
        (folder / f"{index}.cfg").write_text("\n".join(lines))
    experiment = one_line_error(lambda: Experiment.from_flagfile(str(folder / "0.cfg")))
    assert experiment is None or isinstance(experiment.model, ModelConfig)


def test_flagfile_cycles_and_missing_files_are_named(tmp_path):
    (tmp_path / "a.cfg").write_text("--flagfile=b.cfg\n")
    (tmp_path / "b.cfg").write_text("--flagfile=a.cfg\n")
    with pytest.raises(InputError, match=r"a\.cfg \(included by .*b\.cfg\): includes itself"):
        flagfiles.expand([f"--flagfile={tmp_path / 'a.cfg'}"])
    (tmp_path / "c.cfg").write_text("--flagfile=gone.cfg\n")
    with pytest.raises(InputError, match=r"gone\.cfg \(included by .*c\.cfg\): No such file"):
        flagfiles.expand([f"--flagfile={tmp_path / 'c.cfg'}"])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def config_files(draw):
    """config.json / train_config.json contents: valid ones changed in a field, random JSON, bytes."""
    kind = draw(st.sampled_from([ModelConfig, TrainConfig]))
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return kind, draw(st.binary(max_size=40))
    if choice == 1:
        return kind, json.dumps(draw(json_values)).encode()
    values = json.loads(json.dumps(kind().__dict__, default=list))
    names = sorted(values)
    for _ in range(draw(st.integers(1, 3))):
        values[draw(st.sampled_from(names))] = draw(json_values)
    if choice == 3:
        del values[draw(st.sampled_from(names))]
    return kind, json.dumps(values, allow_nan=True).encode()


@fuzz(config_files())
def test_config_files(tmp_path_factory, case):
    kind, contents = case
    path = tmp_path_factory.mktemp("config") / "config.json"
    path.write_bytes(contents)
    config = one_line_error(lambda: kind.load(str(path)), str(path))
    if config is not None:  # what loads is typed as declared, so the flags' parser would take it
        assert kind.from_dict(json.loads(json.dumps(config.__dict__, default=list)), "again") == config


def test_a_valid_config_round_trips_through_the_flags(tmp_path):
    config = ModelConfig(generator="rir", encoder_attention=(8, 64), channel_attention=True)
    config.save(str(tmp_path / "config.json"))
    assert ModelConfig.load(str(tmp_path / "config.json")) == config
    assert config_flags.GROUPS[ModelConfig].startswith("model settings")


@fuzz(
    st.tuples(
        st.floats(allow_nan=True) | st.integers(-5, 5),
        st.none() | st.integers(-64, 4096),
        st.integers(-8, 300),
    ),
    examples=100,
)
def test_tile_and_memory_settings(case):
    from tfdeblur.deploy.deblurrer import Deblurrer

    max_memory, tile, overlap = case
    config = ModelConfig(generator_depth=3, generator_filters=4, generator_max_filters=8)
    made = one_line_error(
        lambda: Deblurrer(
            lambda images: images, config, max_memory=max_memory, tile=tile, tile_overlap=overlap
        )
    )
    if made is not None:
        restored = made(np.full([37, 53, 3], 7, np.uint8))
        assert restored.shape == (37, 53, 3) and restored.dtype == np.uint8


def _encoded(pixels, image_format, **options):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, image_format, **options)
    return buffer.getvalue()


@st.composite
def image_files(draw):
    """Image bytes: valid encodings in many modes, truncated or with bytes changed, and noise."""
    height, width = draw(st.integers(1, 24)), draw(st.integers(1, 24))
    pixels = draw(
        st.integers(0, 2**32 - 1).map(
            lambda seed: np.random.default_rng(seed).integers(0, 256, (height, width, 3), np.uint8)
        )
    )
    mode = draw(st.sampled_from(["RGB", "L", "P", "RGBA", "LA", "I;16", "CMYK", "1"]))
    image_format = draw(st.sampled_from(["PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP"]))
    image = Image.fromarray(pixels)
    image = image.convert("L").convert("I;16") if mode == "I;16" else image.convert(mode)
    buffer = io.BytesIO()
    try:
        frames = [image, image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)] if image_format == "GIF" else []
        image.save(
            buffer, image_format, **({"save_all": True, "append_images": frames[1:]} if frames else {})
        )
    except (OSError, ValueError, KeyError):  # a mode the format cannot hold
        buffer = io.BytesIO(_encoded(pixels, "PNG"))
    contents = buffer.getvalue()
    damage = draw(st.sampled_from(["none", "truncate", "flip", "noise", "empty"]))
    if damage == "truncate":
        contents = contents[: draw(st.integers(0, len(contents)))]
    elif damage == "flip":
        changed = bytearray(contents)
        for _ in range(draw(st.integers(1, 8))):
            changed[draw(st.integers(0, len(changed) - 1))] = draw(st.integers(0, 255))
        contents = bytes(changed)
    elif damage == "noise":
        contents = draw(st.binary(max_size=200))
    elif damage == "empty":
        contents = b""
    return contents, draw(st.sampled_from([".png", ".jpg", ".bmp"]))


@fuzz(image_files(), examples=1000)
def test_image_bytes(tmp_path_factory, case):
    contents, extension = case
    path = tmp_path_factory.mktemp("images") / f"photo{extension}"
    path.write_bytes(contents)
    photo = one_line_error(lambda: photos.read_photo(str(path)), str(path))
    if photo is not None:
        assert photo.pixels.dtype == np.uint8 and photo.pixels.ndim == 3 and photo.pixels.shape[2] == 3
        assert min(photo.pixels.shape[:2]) >= 1
        photos.encode_photo(photo, str(path.with_suffix(".jpg")))  # what was read can be written


@fuzz(image_files(), examples=300)
def test_image_bytes_in_the_served_graph(case):
    """What `deblur_bytes` decodes (`headers.decode_upright`): upright uint8 RGB pixels of the
    size Pillow reads, or an InvalidArgumentError; never another exception, never a crash."""
    contents, _ = case
    try:
        pixels = _decode_served(tf.constant(contents)).numpy()
    except tf.errors.InvalidArgumentError:
        return
    assert (
        pixels.dtype == np.uint8 and pixels.ndim == 3 and pixels.shape[2] == 3 and min(pixels.shape[:2]) >= 1
    )
    try:
        upright = ImageOps.exif_transpose(Image.open(io.BytesIO(contents)))
    except Exception:  # Pillow refuses some bytes TensorFlow's decoders read (many types)
        return
    assert pixels.shape[:2] == (upright.height, upright.width)


@tf.function
def _decode_served(contents):
    return headers.decode_upright(contents, photos.DEFAULT_MAX_PIXELS, "image_bytes[0]")


@pytest.mark.parametrize("width, height", [(0, 0), (0, 10), (10, 0)])
def test_a_header_declaring_no_pixels_is_named(tmp_path, width, height):
    (tmp_path / "empty.png").write_bytes(png_header(width, height))
    with pytest.raises(InputError, match=r"empty\.png: "):
        photos.read_photo(str(tmp_path / "empty.png"))


def test_a_header_declaring_60000_by_60000_pixels_is_refused_before_decoding(tmp_path):
    import time

    bomb = png_header(60000, 60000)
    (tmp_path / "bomb.png").write_bytes(bomb)
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"bomb\.png: 60000x60000 is 3600 megapixels, over the limit of 250"):
        photos.read_photo(str(tmp_path / "bomb.png"))
    print(f"refused in {time.perf_counter() - start:.3f} s")
    assert time.perf_counter() - start < 1.0


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    rng = np.random.default_rng(0)
    write_video(str(path), [rng.integers(0, 256, (32, 48, 3), np.uint8) for _ in range(6)])
    return path.read_bytes()


@fuzz(st.tuples(st.sampled_from(["truncate", "flip", "noise"]), st.integers(0, 2**32 - 1)), examples=300)
def test_video_bytes(tmp_path_factory, clip, case):
    damage, seed = case
    rng = np.random.default_rng(seed)
    contents = bytearray(clip)
    if damage == "truncate":
        contents = contents[: rng.integers(0, len(contents))]
    elif damage == "flip":
        for index in rng.integers(0, len(contents), rng.integers(1, 16)):
            contents[index] = rng.integers(0, 256)
    else:
        contents = bytearray(rng.integers(0, 256, rng.integers(0, 400), np.uint8).tobytes())
    path = tmp_path_factory.mktemp("videos") / "clip.mp4"
    path.write_bytes(bytes(contents))

    def decode():
        shape = video.video_format(str(path))
        return shape, [frame.shape for frame in video.frames(str(path))]

    decoded = one_line_error(decode, str(path))
    if decoded is not None:
        for shape in decoded[1]:
            assert len(shape) == 3 and shape[2] == 3
