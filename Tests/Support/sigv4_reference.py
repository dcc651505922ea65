#!/usr/bin/env python3
"""Signs a table of requests with botocore's SigV4Auth, the reference pipeops is checked against.

stdin: JSON list of {method, url, headers: [[name, value]], body (UTF-8 text), timestamp
(YYYYMMDDTHHMMSSZ), region, service, accessKey, secretKey, token (or null)}.
stdout: JSON list of {canonicalRequest, stringToSign, authorization}.
"""
import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(case):
    request = AWSRequest(method=case["method"], url=case["url"], data=case["body"].encode("utf-8"))
    for name, value in case["headers"]:
        request.headers.add_header(name, value) if hasattr(request.headers, "add_header") else request.headers.__setitem__(name, value)
    credentials = Credentials(case["accessKey"], case["secretKey"], case.get("token"))
    auth = SigV4Auth(credentials, case["service"], case["region"])
    # The same steps as SigV4Auth.add_auth, with a fixed timestamp instead of the clock.
    request.context["timestamp"] = case["timestamp"]
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    string_to_sign = auth.string_to_sign(request, canonical)
    signature = auth.signature(string_to_sign, request)
    auth._inject_signature_to_request(request, signature)
    return {"canonicalRequest": canonical, "stringToSign": string_to_sign, "authorization": request.headers["Authorization"]}


json.dump([sign(case) for case in json.load(sys.stdin)], sys.stdout)
