#!/usr/bin/env python3
"""The comparison for `pipeops compile`: the SageMaker SDK's own Pipeline.definition(), in the
same interpreter, with nothing around it but what building offline needs.

usage: sdk_definition.py PRODUCT_DIR KWARGS_JSON
Imports PRODUCT_DIR/pipeline/definition.py and prints nothing. AWS calls the SDK makes while
building (the caller's account, the default bucket's existence) get minimal answers in-process;
bench.py runs it with dummy credentials, an empty SDK config and a proxy that refuses
connections, as pipeops runs its compile.
"""
import datetime
import json
import sys

import botocore.client


def answer(self, operation, params):
    if operation == "GetCallerIdentity":
        return {"Account": "111111111111", "Arn": "arn:aws:iam::111111111111:user/bench", "UserId": "bench"}
    if operation == "ListBuckets":
        return {"Buckets": [{"Name": params.get("Bucket", "bench"), "CreationDate": datetime.datetime(2026, 1, 1)}]}
    return {}


botocore.client.BaseClient._make_api_call = answer
sys.path.insert(0, sys.argv[1] + "/pipeline")
import definition  # noqa: E402

definition.get_pipeline(**json.loads(sys.argv[2])).definition()
