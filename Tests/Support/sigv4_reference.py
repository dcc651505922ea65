#!/usr/bin/env python3
"""Signs a table of requests with botocore, the reference pipeops is checked against.

stdin: JSON list of cases. A case is either
  {method, url, headers: [[name, value]], body (UTF-8 text), timestamp (YYYYMMDDTHHMMSSZ),
   region, service, accessKey, secretKey, token (or null)}      signed with SigV4Auth, or
  {"s3": true, method, bucket, key, endpoint (or null), headers, body, timestamp, region,
   accessKey, secretKey, token}                                 signed with S3SigV4Auth, the
   URL built as botocore's S3 serializer builds it (key percent-encoded with safe='/~';
   path-style on a custom endpoint, virtual-hosted on AWS).
stdout: JSON list of {url, canonicalRequest, stringToSign, authorization}.
"""
import json
import sys

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode


def s3_url(case):
    key = percent_encode(case["key"], safe="/~")
    if case.get("endpoint"):
        return "%s/%s/%s" % (case["endpoint"].rstrip("/"), case["bucket"], key)
    return "https://%s.s3.%s.amazonaws.com/%s" % (case["bucket"], case["region"], key)


def sign(case):
    is_s3 = case.get("s3", False)
    url = s3_url(case) if is_s3 else case["url"]
    request = AWSRequest(method=case["method"], url=url, data=case["body"].encode("utf-8"))
    for name, value in case["headers"]:
        request.headers.add_header(name, value) if hasattr(request.headers, "add_header") else request.headers.__setitem__(name, value)
    credentials = Credentials(case["accessKey"], case["secretKey"], case.get("token"))
    auth = S3SigV4Auth(credentials, "s3", case["region"]) if is_s3 else SigV4Auth(credentials, case["service"], case["region"])
    # The same steps as add_auth, with a fixed timestamp instead of the clock.
    request.context["timestamp"] = case["timestamp"]
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    string_to_sign = auth.string_to_sign(request, canonical)
    signature = auth.signature(string_to_sign, request)
    auth._inject_signature_to_request(request, signature)
    return {"url": url, "canonicalRequest": canonical, "stringToSign": string_to_sign, "authorization": request.headers["Authorization"]}


json.dump([sign(case) for case in json.load(sys.stdin)], sys.stdout)
