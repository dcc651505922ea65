#!/usr/bin/env python3
"""Generates large SageMaker pipeline definitions for benchmarks.

usage: gen_definition.py SHAPE STEPS OUT.json [INDENT]
  SHAPE chain: each Processing step reads the previous step's output through a Get;
        fan:   one source step, every other step reads it and the last one DependsOn all.
"""
import json, sys

ROLE = "arn:aws:iam::111111111111:role/bench"

def processing(i, input_expr):
    return {
        "Name": f"Step{i}", "Type": "Processing",
        "Arguments": {
            "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": {"Get": "Parameters.InstanceCount"}, "VolumeSizeInGB": 30}},
            "AppSpecification": {"ImageUri": "111111111111.dkr.ecr.us-east-1.amazonaws.com/bench:1", "ContainerEntrypoint": ["python3", "/opt/ml/processing/code/step.py"]},
            "RoleArn": ROLE,
            "ProcessingInputs": [{"InputName": "in", "AppManaged": False, "S3Input": {"S3Uri": input_expr, "LocalPath": "/opt/ml/processing/input", "S3DataType": "S3Prefix", "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated", "S3CompressionType": "None"}}],
            "ProcessingOutputConfig": {"Outputs": [{"OutputName": "out", "AppManaged": False, "S3Output": {"S3Uri": {"Std:Join": {"On": "/", "Values": ["s3://bench", {"Get": "Execution.PipelineExecutionId"}, f"Step{i}"]}}, "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
        },
        "CacheConfig": {"Enabled": True, "ExpireAfter": "P30D"},
        "RetryPolicies": [{"ExceptionType": ["Step.THROTTLING"], "IntervalSeconds": 1, "BackoffRate": 2.0, "MaxAttempts": 3}],
    }

def main():
    shape, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    indent = int(sys.argv[4]) if len(sys.argv) > 4 else None
    steps = []
    source = {"Get": "Parameters.InputData"}
    for i in range(count):
        if shape == "chain":
            expr = source if i == 0 else {"Get": f"Steps.Step{i-1}.ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri"}
        else:
            expr = source if i == 0 else {"Get": "Steps.Step0.ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri"}
        steps.append(processing(i, expr))
    if shape == "fan" and count > 2:
        steps[-1]["DependsOn"] = [f"Step{i}" for i in range(1, count - 1)]
    definition = {
        "Version": "2020-12-01", "Metadata": {},
        "Parameters": [{"Name": "InstanceCount", "Type": "Integer", "DefaultValue": 1},
                       {"Name": "InputData", "Type": "String", "DefaultValue": "s3://bench/input"}],
        "PipelineExperimentConfig": {"ExperimentName": {"Get": "Execution.PipelineName"}, "TrialName": {"Get": "Execution.PipelineExecutionId"}},
        "Steps": steps,
    }
    with open(out, "w") as f:
        json.dump(definition, f, indent=indent)

main()
