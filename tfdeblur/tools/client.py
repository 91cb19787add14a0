r"""A client of TF Serving: `tfdeblur client photo.jpg -o sharp.png [--rest]`.

Sends the encoded file to the `deblur_bytes` signature of a model served from
an export (see `export/README.md`), over gRPC (port 8500; needs
`pip install "tfdeblur[serving]"` for `tensorflow-serving-api`) or REST (port
8501, nothing to install), and writes the PNG it gets back. A refusal, a server that is not
there or one that does not answer within `--timeout` is one `error:` line naming the file.
"""

import base64
import contextlib
import json
import re
import urllib.error
import urllib.request

from absl import flags

from tfdeblur import atomic
from tfdeblur.errors import InputError

SIGNATURE = "deblur_bytes"

POSITIONAL = True
FLAGS = flags.FLAGS


def define_flags():
    flags.DEFINE_string("output", None, "Where to write the restored PNG.", short_name="o", required=True)
    flags.DEFINE_string("model", "demo", "The model's name in TF Serving's models.config.")
    flags.DEFINE_string("host", "localhost", "The TF Serving host.")
    flags.DEFINE_bool("rest", False, "Use the REST API (port 8501) instead of gRPC (port 8500).")
    flags.DEFINE_integer("port", None, "Port (default: 8500 for gRPC, 8501 for REST).")
    flags.DEFINE_float("timeout", 300.0, "Seconds to wait for the server's answer.", lower_bound=0.001)


def server_error(text):
    """The line of a TF Serving error that says what was wrong (the graph's own message, e.g.
    `image_bytes[0]: 20000x20000 pixels, over the limit of ...`), without TensorFlow's lines
    saying where it was raised."""
    where = ("Graph execution error", "Detected at node", "<stack traces", "[[", "{{")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    line = next((line for line in lines if not line.startswith(where)), lines[0] if lines else "(no message)")
    asserted = re.fullmatch(r"assertion failed: \[(.*)\]", line)
    return asserted.group(1) if asserted else line


def rest_body(encoded_images):
    """The JSON body of a REST predict request: one `{"b64": ...}` instance per encoded image."""
    instances = [{"b64": base64.b64encode(contents).decode("ascii")} for contents in encoded_images]
    return {"signature_name": SIGNATURE, "instances": instances}


def rest_outputs(response):
    """The PNG bytes of a REST predict response (outputs named `*_bytes` come back base64)."""
    return [base64.b64decode(prediction["b64"]) for prediction in response["predictions"]]


def _grpc_modules():
    """(grpc, predict_pb2, prediction_service_pb2_grpc): tensorflow-serving-api is optional."""
    try:
        import grpc
        from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc
    except ImportError:
        raise InputError(
            'gRPC needs tensorflow-serving-api: pip install "tfdeblur[serving]", or use --rest'
        ) from None
    return grpc, predict_pb2, prediction_service_pb2_grpc


def predict_request(model, encoded_images):
    """A gRPC `PredictRequest` of the encoded images to `model`'s `deblur_bytes` signature."""
    import tensorflow as tf  # gRPC's tensor protos; the REST client needs none

    _, predict_pb2, _ = _grpc_modules()
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model
    request.model_spec.signature_name = SIGNATURE
    request.inputs["image_bytes"].CopyFrom(tf.make_tensor_proto(list(encoded_images), dtype=tf.string))
    return request


def deblur_grpc(encoded_images, model, address, timeout):
    import tensorflow as tf

    grpc, _, prediction_service_pb2_grpc = _grpc_modules()
    request = predict_request(model, encoded_images)
    with grpc.insecure_channel(address) as channel:
        try:
            response = prediction_service_pb2_grpc.PredictionServiceStub(channel).Predict(request, timeout)
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise InputError(f"TF Serving at {address} (gRPC): {_no_answer(timeout)}") from None
            said = server_error(error.details() or "")
            raise InputError(f"TF Serving at {address} (gRPC): {error.code().name}: {said}") from None
    return list(tf.make_ndarray(response.outputs["image_bytes"]))


def deblur_rest(encoded_images, model, address, timeout):
    request = urllib.request.Request(
        f"http://{address}/v1/models/{model}:predict",
        data=json.dumps(rest_body(encoded_images)).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return rest_outputs(json.load(response))
    except urllib.error.HTTPError as error:  # TF Serving explains itself in the body: {"error": ...}
        body = error.read().decode(errors="replace")
        with contextlib.suppress(ValueError, KeyError, TypeError):  # else the body as it is
            body = json.loads(body)["error"]
        raise InputError(f"TF Serving at {address} (REST): {error.code}: {server_error(body)}") from None
    except TimeoutError:
        raise InputError(f"TF Serving at {address} (REST): {_no_answer(timeout)}") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise InputError(f"TF Serving at {address} (REST): {_no_answer(timeout)}") from None
        raise InputError(f"TF Serving at {address} (REST): {error.reason}") from None


def _no_answer(timeout):
    return f"no answer within {timeout:g} s (--timeout)"


def main(argv):
    if len(argv) != 2:
        raise InputError("give one image file")
    try:
        with open(argv[1], "rb") as file:
            contents = file.read()
    except OSError as error:
        raise InputError(f"{argv[1]}: {error.strerror}") from None
    port = FLAGS.port or (8501 if FLAGS.rest else 8500)
    deblur = deblur_rest if FLAGS.rest else deblur_grpc
    try:
        (restored,) = deblur([contents], FLAGS.model, f"{FLAGS.host}:{port}", FLAGS.timeout)
    except InputError as error:
        raise InputError(f"{argv[1]}: {error}") from None
    atomic.write_bytes(FLAGS.output, restored)
    print(f"Wrote {FLAGS.output}")
