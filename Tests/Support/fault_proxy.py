#!/usr/bin/env python3
"""A fault-injecting HTTP proxy on 127.0.0.1 between pipeops and a moto_server, for the tests.

    fault_proxy.py --upstream http://127.0.0.1:PORT --port-file F --log F (--plan JSON | --seed N --rate R)

A plan is a JSON list of rules: {"target": "SageMaker.AddTags" | "S3:PUT" | "*", "fault": NAME,
"times": 1, "skip": 0}; each rule hits the first `times` matching requests after `skip` of them.
With --seed, each request meets a fault with probability --rate, drawn from --faults, the same
way on every run with the same seed. Every request is logged as one JSON line (its number,
target, fault, whether it reached moto), so tests can count what really arrived.

Faults:
  reset          close the connection (RST) before anything reaches moto
  reset-after    forward to moto, then close without answering (the answer is lost)
  503            answer 503 ServiceUnavailable without forwarding
  500-after      forward, then answer 500 (moto did the work)
  throttle       answer 400 ThrottlingException without forwarding
  garbage-after  forward, then answer 200 with a body that is not JSON
  truncate-after forward, then send half the body under a Content-Length for all of it
  stall          read the request, then send nothing for --stall seconds
  signature      answer 400 InvalidSignatureException with the canonical request in the
                 message (x-amz-security-token included), as AWS does
  request-timeout answer S3's 400 RequestTimeout (XML) without forwarding

Stand-ins: --answers FILE maps JSON 1.1 targets moto lacks (SageMaker.ListPipelineExecutionSteps
answers HTTP 500 there) to the answer to give; each such request is first checked against
botocore's input shape for the operation (botocore's own ParamValidator), and a request botocore
would not send is answered 400 ValidationException and logged with "invalid".
"""
import argparse
import http.client
import http.server
import json
import random
import socket
import struct
import sys
import threading
import time
import urllib.parse

FAULTS = ["reset", "reset-after", "503", "500-after", "throttle", "garbage-after", "truncate-after"]


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.count = 0
        self.plan = json.loads(args.plan) if args.plan else []
        for rule in self.plan:
            rule.setdefault("times", 1)
            rule.setdefault("skip", 0)
            rule["seen"] = 0
        self.random = random.Random(args.seed) if args.seed is not None else None
        self.log = open(args.log, "a", buffering=1) if args.log else None
        self.answers = json.load(open(args.answers)) if args.answers else {}

    def choose(self, target):
        with self.lock:
            self.count += 1
            number = self.count
            if self.random is not None:
                fault = self.random.choice(self.args.faults.split(",")) if self.random.random() < self.args.rate else None
                return number, fault
            for rule in self.plan:
                if rule["target"] in ("*", target) and rule["times"] > 0:
                    rule["seen"] += 1
                    if rule["seen"] > rule["skip"]:
                        rule["times"] -= 1
                        return number, rule["fault"]
            return number, None

    def record(self, entry):
        if self.log:
            with self.lock:
                self.log.write(json.dumps(entry) + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def target(self):
        amz = self.headers.get("X-Amz-Target")
        if amz:
            return amz
        return "S3:" + self.command

    def reset(self):
        # SO_LINGER 0: the close sends RST, as a broken network does.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def forward(self, body):
        upstream = urllib.parse.urlparse(STATE.args.upstream)
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "expect")}
        connection.request(self.command, self.path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        result = (response.status, response.getheaders(), data)
        connection.close()
        return result

    def answer(self, status, body, content_type="application/x-amz-json-1.1", headers=()):
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                self.send_header(name, value)
        if not any(name.lower() == "content-type" for name, _ in headers):
            self.send_header("Content-Type", content_type)
        # A HEAD answer has no body but the object's length (as the upstream said it).
        upstream_length = next((value for name, value in headers if name.lower() == "content-length"), None)
        self.send_header("Content-Length", upstream_length if self.command == "HEAD" and upstream_length else str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        target = self.target()
        number, fault = STATE.choose(target)
        entry = {"n": number, "target": target, "fault": fault, "forwarded": False}
        # JSON 1.1 request bodies (SageMaker calls), so a test can check what was really sent.
        if "json" in (self.headers.get("Content-Type") or ""):
            entry["body"] = body.decode("utf-8", "replace")
        try:
            if fault is None and target in STATE.answers:
                problem = validate(target, body)
                if problem:
                    entry["invalid"] = problem
                    self.answer(400, json.dumps({"__type": "ValidationException", "message": problem}).encode())
                else:
                    self.answer(200, json.dumps(STATE.answers[target]).encode())
            elif fault == "reset":
                self.reset()
            elif fault == "503":
                self.answer(503, b'{"__type":"ServiceUnavailable","message":"Service Unavailable"}')
            elif fault == "throttle":
                self.answer(400, b'{"__type":"ThrottlingException","message":"Rate exceeded"}')
            elif fault == "request-timeout":
                self.answer(400, b"<?xml version=\"1.0\"?><Error><Code>RequestTimeout</Code><Message>Your socket connection to the server was not read from or written to within the timeout period.</Message></Error>", "application/xml")
            elif fault == "signature":
                token = self.headers.get("X-Amz-Security-Token", "")
                canonical = "POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:%s\nx-amz-date:%s\nx-amz-security-token:%s\nx-amz-target:%s\n\ncontent-type;host;x-amz-date;x-amz-security-token;x-amz-target\n%s" % (
                    self.headers.get("Host", ""), self.headers.get("X-Amz-Date", ""), token, target, "0" * 64)
                message = ("The request signature we calculated does not match the signature you provided. Check your AWS "
                           "Secret Access Key and signing method. Consult the service documentation for details.\n\nThe "
                           "Canonical String for this request should have been\n'%s'\n\nThe String-to-Sign should have been\n"
                           "'AWS4-HMAC-SHA256\n%s\n...'\n" % (canonical, self.headers.get("X-Amz-Date", "")))
                self.answer(400, json.dumps({"__type": "InvalidSignatureException", "message": message}).encode())
            elif fault == "stall":
                time.sleep(STATE.args.stall)
                self.reset()
            else:
                status, headers, data = self.forward(body)
                entry["forwarded"] = True
                if fault == "reset-after":
                    self.reset()
                elif fault == "500-after":
                    self.answer(500, b'{"__type":"InternalFailure","message":"internal error"}')
                elif fault == "garbage-after":
                    self.answer(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
                elif fault == "truncate-after":
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(data) + 100))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.reset()
                else:
                    self.answer(status, data, headers=headers)
        finally:
            STATE.record(entry)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = handle_any


def validate(target, body):
    """What botocore's ParamValidator says of a JSON 1.1 request body (None: valid)."""
    import botocore.session
    import botocore.validate
    prefix, operation = target.split(".", 1)
    service = {"SageMaker": "sagemaker", "Logs_20140328": "logs"}.get(prefix, prefix.lower())
    model = botocore.session.get_session().get_service_model(service).operation_model(operation)
    try:
        params = json.loads(body or b"{}")
    except ValueError as error:
        return "the body is not JSON: %s" % error
    report = botocore.validate.ParamValidator().validate(params, model.input_shape)
    return report.generate_report() if report.has_errors() else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log")
    parser.add_argument("--plan")
    parser.add_argument("--answers", help="JSON file: target -> the answer a stand-in gives (checked against botocore)")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--rate", type=float, default=0.3)
    parser.add_argument("--faults", default=",".join(FAULTS))
    parser.add_argument("--stall", type=float, default=30)
    parser.add_argument("--lifetime", type=float, default=600, help="stop by itself after this many seconds")
    args = parser.parse_args()
    global STATE
    STATE = State(args)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(args.port_file + ".tmp", "w") as handle:
        handle.write(str(server.server_address[1]))
    import os
    os.replace(args.port_file + ".tmp", args.port_file)
    threading.Timer(args.lifetime, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
