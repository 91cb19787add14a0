"""A stand-in for TF Serving in tests: a SavedModel's signatures behind its gRPC and REST APIs.

It answers as TF Serving does (its documented `Predict` and `:predict` conventions): gRPC
`PredictResponse`s, REST `{"predictions": ...}` with `_bytes` outputs as `{"b64": ...}`; a
TensorFlow error is gRPC status INVALID_ARGUMENT, or HTTP 400 with `{"error": message}`,
carrying TensorFlow's whole multi-line message. `delay` seconds pass before each answer.
"""

import base64
import concurrent.futures
import contextlib
import http.server
import json
import threading
import time

import grpc
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc


class _Predictions(prediction_service_pb2_grpc.PredictionServiceServicer):
    def __init__(self, signatures, delay):
        self.signatures, self.delay = signatures, delay

    def Predict(self, request, context):
        time.sleep(self.delay)
        signature = self.signatures[request.model_spec.signature_name or "serving_default"]
        inputs = {name: tf.constant(tf.make_ndarray(proto)) for name, proto in request.inputs.items()}
        try:
            outputs = signature(**inputs)
        except tf.errors.InvalidArgumentError as error:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, error.message)
        response = predict_pb2.PredictResponse()
        for name, value in outputs.items():
            response.outputs[name].CopyFrom(tf.make_tensor_proto(value.numpy()))
        return response


def _rest_handler(signatures, delay):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            time.sleep(delay)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            contents = [base64.b64decode(instance["b64"]) for instance in body["instances"]]
            try:
                outputs = signatures[body["signature_name"]](image_bytes=tf.constant(contents, tf.string))
                predictions = [
                    {"b64": base64.b64encode(one).decode()} for one in outputs["image_bytes"].numpy()
                ]
                self._answer(200, {"predictions": predictions})
            except tf.errors.InvalidArgumentError as error:
                self._answer(400, {"error": error.message})

        def _answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError):  # the client gave up (its timeout)
                self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


@contextlib.contextmanager
def serve(export_dir, delay=0.0):
    """Serves the SavedModel at `export_dir`; yields (gRPC port, REST port) on localhost."""
    signatures = tf.saved_model.load(export_dir).signatures
    server = grpc.server(concurrent.futures.ThreadPoolExecutor(4))
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(
        _Predictions(signatures, delay), server
    )
    grpc_port = server.add_insecure_port("localhost:0")
    server.start()
    rest = http.server.ThreadingHTTPServer(("localhost", 0), _rest_handler(signatures, delay))
    threading.Thread(target=rest.serve_forever, daemon=True).start()
    try:
        yield grpc_port, rest.server_address[1]
    finally:
        rest.shutdown()
        server.stop(None)
