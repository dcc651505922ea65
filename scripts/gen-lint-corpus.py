#!/usr/bin/env python3
"""Writes Tests/Fixtures/corpus: one definition per defect, plus expected.json.

Each case starts from one clean definition, breaks exactly one thing, and records the rule
and the line where pipeops must report it (found by a needle string in the written file).
The lint corpus test checks that each file yields exactly that finding and nothing else.
"""
import copy, json, os, sys

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "corpus")
ROLE = "arn:aws:iam::111111111111:role/churn-pipeline"

def base():
    return {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [
            {"Name": "InstanceCount", "Type": "Integer", "DefaultValue": 1},
            {"Name": "MseThreshold", "Type": "Float", "DefaultValue": 6.0},
            {"Name": "InputData", "Type": "String", "DefaultValue": "s3://churn-bucket/data/input.csv"},
        ],
        "PipelineExperimentConfig": None,
        "Steps": [
            {"Name": "Prep", "Type": "Processing",
             "Arguments": {
                 "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": {"Get": "Parameters.InstanceCount"}, "VolumeSizeInGB": 30}},
                 "AppSpecification": {"ImageUri": "111111111111.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "ContainerEntrypoint": ["python3", "/opt/ml/processing/code/prep.py"]},
                 "RoleArn": ROLE,
                 "ProcessingInputs": [{"InputName": "raw", "AppManaged": False, "S3Input": {"S3Uri": {"Get": "Parameters.InputData"}, "LocalPath": "/opt/ml/processing/input", "S3DataType": "S3Prefix", "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated", "S3CompressionType": "None"}}],
                 "ProcessingOutputConfig": {"Outputs": [
                     {"OutputName": "train", "AppManaged": False, "S3Output": {"S3Uri": "s3://churn-bucket/prep/train", "LocalPath": "/opt/ml/processing/train", "S3UploadMode": "EndOfJob"}},
                     {"OutputName": "evaluation", "AppManaged": False, "S3Output": {"S3Uri": "s3://churn-bucket/prep/evaluation", "LocalPath": "/opt/ml/processing/evaluation", "S3UploadMode": "EndOfJob"}}]}},
             "CacheConfig": {"Enabled": True, "ExpireAfter": "P30D"},
             "RetryPolicies": [{"ExceptionType": ["Step.SERVICE_FAULT", "Step.THROTTLING"], "IntervalSeconds": 10, "BackoffRate": 2.0, "MaxAttempts": 3}],
             "PropertyFiles": [{"PropertyFileName": "EvalReport", "OutputName": "evaluation", "FilePath": "evaluation.json"}]},
            {"Name": "Train", "Type": "Training",
             "Arguments": {
                 "AlgorithmSpecification": {"TrainingImage": "111111111111.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "TrainingInputMode": "File"},
                 "RoleArn": ROLE,
                 "OutputDataConfig": {"S3OutputPath": "s3://churn-bucket/model"},
                 "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30},
                 "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
                 "HyperParameters": {"max_depth": "5"},
                 "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"}, "S3DataDistributionType": "FullyReplicated"}}}]},
             "CacheConfig": {"Enabled": True, "ExpireAfter": "PT12H"}},
            {"Name": "Check", "Type": "Condition",
             "Arguments": {
                 "Conditions": [{"Type": "LessThanOrEqualTo",
                                 "LeftValue": {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Prep.PropertyFiles.EvalReport"}, "Path": "regression_metrics.mse.value"}},
                                 "RightValue": {"Get": "Parameters.MseThreshold"}}],
                 "IfSteps": [{"Name": "Register", "Type": "RegisterModel", "Arguments": {
                     "ModelPackageGroupName": "churn",
                     "ModelApprovalStatus": "PendingManualApproval",
                     "InferenceSpecification": {"Containers": [{"Image": "111111111111.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "ModelDataUrl": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}}],
                                                "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]}}}],
                 "ElseSteps": [{"Name": "TooWeak", "Type": "Fail", "Arguments": {"ErrorMessage": {"Std:Join": {"On": " ", "Values": ["mse above", {"Get": "Parameters.MseThreshold"}]}}}}]}},
        ],
    }

def step(d, name):
    def walk(steps):
        for s in steps:
            if s["Name"] == name: return s
            if s["Type"] == "Condition":
                r = walk(s["Arguments"].get("IfSteps", []) + s["Arguments"].get("ElseSteps", []))
                if r: return r
    return walk(d["Steps"])

CASES = []
def case(name, rule, needle, occurrence=1, sample=None, offset=0):
    def register(fn):
        CASES.append((name, rule, needle, occurrence, fn, sample, offset))
        return fn
    return register

@case("clean", None, None)
def _(d): pass

@case("image-latest-tag", "image-digest", '"TrainingImage"')
def _(d): step(d, "Train")["Arguments"]["AlgorithmSpecification"]["TrainingImage"] = "111111111111.dkr.ecr.us-east-1.amazonaws.com/churn:latest"

@case("unknown-step-type", "unknown-step-type", '"CreateModel"')
def _(d): step(d, "Register")["Type"] = "CreateModel"

@case("missing-arguments", "required-key", '"Name": "TooWeak"', sample=None)
def _(d): del step(d, "TooWeak")["Arguments"]

@case("metadata-not-an-object", "key-type", '"Metadata": []')
def _(d): d["Metadata"] = []

@case("join-without-values", "expression", '"Std:Join": {')
def _(d): step(d, "TooWeak")["Arguments"]["ErrorMessage"] = {"Std:Join": {"On": " "}}

@case("jsonget-both-sources", "expression", '"Std:JsonGet": {')
def _(d): step(d, "Check")["Arguments"]["Conditions"][0]["LeftValue"]["Std:JsonGet"]["S3Uri"] = "s3://churn-bucket/x.json"

@case("condition-unknown-type", "condition", '"GreaterThen"')
def _(d): step(d, "Check")["Arguments"]["Conditions"][0]["Type"] = "GreaterThen"

@case("duplicate-step-in-branch", "duplicate-step-name", '"Name": "Prep"', occurrence=2)
def _(d):
    step(d, "Check")["Arguments"]["ElseSteps"].insert(0, {"Name": "Prep", "Type": "Fail", "Arguments": {"ErrorMessage": "again"}})

@case("step-name-with-space", "name-format", '"Name": "Train model"')
def _(d):
    step(d, "Train")["Name"] = "Train model"
    step(d, "Register")["Arguments"]["InferenceSpecification"]["Containers"][0]["ModelDataUrl"]["Get"] = "Steps.Train model.ModelArtifacts.S3ModelArtifacts"

@case("parameter-name-with-dot", "name-format", '"Name": "Input.Data"')
def _(d):
    d["Parameters"][2]["Name"] = "Input.Data"
    step(d, "Prep")["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"]["Get"] = "Parameters.Input.Data"

@case("depends-on-unknown-step", "unknown-step", '"Preprocess"')
def _(d): step(d, "Train")["DependsOn"] = ["Preprocess"]

@case("get-unknown-step", "unknown-step", "Steps.Training.ModelArtifacts")
def _(d): step(d, "Register")["Arguments"]["InferenceSpecification"]["Containers"][0]["ModelDataUrl"]["Get"] = "Steps.Training.ModelArtifacts.S3ModelArtifacts"

@case("undeclared-parameter", "undeclared-parameter", '"Parameters.MseTreshold"')
def _(d): step(d, "Check")["Arguments"]["Conditions"][0]["RightValue"]["Get"] = "Parameters.MseTreshold"

@case("undeclared-property-file", "undeclared-property-file", "Steps.Prep.PropertyFiles.Evaluation")
def _(d): step(d, "Check")["Arguments"]["Conditions"][0]["LeftValue"]["Std:JsonGet"]["PropertyFile"]["Get"] = "Steps.Prep.PropertyFiles.Evaluation"

@case("jsonget-on-training", "json-get-step-type", "Steps.Train.PropertyFiles.EvalReport")
def _(d): step(d, "Check")["Arguments"]["Conditions"][0]["LeftValue"]["Std:JsonGet"]["PropertyFile"]["Get"] = "Steps.Train.PropertyFiles.EvalReport"

@case("property-file-wrong-output", "property-file-output", '"OutputName": "metrics"')
def _(d): step(d, "Prep")["PropertyFiles"][0]["OutputName"] = "metrics"

@case("undeclared-output", "unknown-output-name", "Outputs['training']")
def _(d): step(d, "Train")["Arguments"]["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"]["Get"] = "Steps.Prep.ProcessingOutputConfig.Outputs['training'].S3Output.S3Uri"

@case("property-path-typo", "property-path", "ModelArtifacts.S3ModelArtifact\"")
def _(d): step(d, "Register")["Arguments"]["InferenceSpecification"]["Containers"][0]["ModelDataUrl"]["Get"] = "Steps.Train.ModelArtifacts.S3ModelArtifact"

@case("reference-to-fail-step", "fail-step-reference", '"TooWeak"', occurrence=2)
def _(d): d["Steps"].append({"Name": "Notify", "Type": "Lambda", "FunctionArn": "arn:aws:lambda:us-east-1:111111111111:function:notify", "DependsOn": ["TooWeak"], "Arguments": {}})

@case("unknown-execution-variable", "execution-variable", '"Execution.ExecutionId"')
def _(d): step(d, "TooWeak")["Arguments"]["ErrorMessage"]["Std:Join"]["Values"].append({"Get": "Execution.ExecutionId"})

@case("cycle-through-data", "cycle", '"Name": "Prep"')
def _(d): step(d, "Prep")["Arguments"]["Environment"] = {"MODEL": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}}

@case("step-in-both-branches", "branch-conflict", '"Name": "Register"', occurrence=2)
def _(d):
    step(d, "Check")["Arguments"]["ElseSteps"].append(copy.deepcopy(step(d, "Register")))

@case("needs-both-branches", "unreachable-step", '"Name": "Report"')
def _(d):
    d["Steps"].append({"Name": "Report", "Type": "Lambda", "FunctionArn": "arn:aws:lambda:us-east-1:111111111111:function:report",
                       "DependsOn": ["Register", "Notify"], "Arguments": {}})
    step(d, "Check")["Arguments"]["ElseSteps"].insert(0, {"Name": "Notify", "Type": "Lambda", "FunctionArn": "arn:aws:lambda:us-east-1:111111111111:function:notify", "Arguments": {}})

@case("jsonget-path-syntax", "json-path-syntax", '"regression_metrics..mse"')
def _(d): step(d, "Check")["Arguments"]["Conditions"][0]["LeftValue"]["Std:JsonGet"]["Path"] = "regression_metrics..mse"

@case("jsonget-path-not-in-sample", "json-path-sample", '"regression_metrics.rmse.value"', sample="EvalReport=evaluation-sample.json")
def _(d): step(d, "Check")["Arguments"]["Conditions"][0]["LeftValue"]["Std:JsonGet"]["Path"] = "regression_metrics.rmse.value"

@case("cache-without-expiry", "cache-without-expiry", '"CacheConfig": {', occurrence=2)
def _(d): del step(d, "Train")["CacheConfig"]["ExpireAfter"]

@case("cache-bad-duration", "cache-expire-after", '"12 hours"')
def _(d): step(d, "Train")["CacheConfig"]["ExpireAfter"] = "12 hours"

@case("retry-unknown-exception", "retry-exception-type", '"SageMaker.JOB_CAPACITY_ERROR"')
def _(d): step(d, "Prep")["RetryPolicies"][0]["ExceptionType"].append("SageMaker.JOB_CAPACITY_ERROR")

@case("retry-attempts-and-expiry", "retry-attempts-and-expiry", '"RetryPolicies": [', offset=1)
def _(d): step(d, "Prep")["RetryPolicies"][0]["ExpireAfterMin"] = 60

@case("retry-too-many-attempts", "retry-bounds", '"MaxAttempts": 25')
def _(d): step(d, "Prep")["RetryPolicies"][0]["MaxAttempts"] = 25

@case("parameter-default-wrong-type", "parameter-type", '"DefaultValue": "1"')
def _(d): d["Parameters"][0]["DefaultValue"] = "1"

@case("parameter-default-not-in-enum", "parameter-enum", '"DefaultValue": "s3://churn-bucket/data/input.csv"')
def _(d): d["Parameters"][2]["EnumValues"] = ["s3://churn-bucket/data/a.csv", "s3://churn-bucket/data/b.csv"]

@case("parameter-without-default", "parameter-required", '"Name": "InputData"')
def _(d): del d["Parameters"][2]["DefaultValue"]

@case("unused-parameter", "unused-parameter", '"Name": "Region"')
def _(d): d["Parameters"].append({"Name": "Region", "Type": "String", "DefaultValue": "us-east-1"})

@case("duplicate-parameter", "duplicate-parameter", '"Name": "InstanceCount"', occurrence=2)
def _(d): d["Parameters"].append({"Name": "InstanceCount", "Type": "Integer", "DefaultValue": 2})

@case("wrong-version", "version", '"2021-01-01"')
def _(d): d["Version"] = "2021-01-01"

@case("arguments-list-from-get", "arguments-shape", '"ProcessingInputs": {')
def _(d): step(d, "Prep")["Arguments"]["ProcessingInputs"] = {"Get": "Parameters.InputData"}

@case("misspelt-depends-on", "unknown-key", '"DependOn"')
def _(d): step(d, "Train")["DependOn"] = ["Prep"]

def line_of(text, needle, occurrence):
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    return text.count("\n", 0, start) + 1

def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    with open(os.path.join(OUT, "evaluation-sample.json"), "w") as f:
        json.dump({"regression_metrics": {"mse": {"value": 4.2, "standard_deviation": 1.1}}}, f, indent=2)
        f.write("\n")
    expected = {}
    for name, rule, needle, occurrence, fn, sample, offset in CASES:
        d = base()
        fn(d)
        text = json.dumps(d, indent=2) + "\n"
        path = name + ".json"
        with open(os.path.join(OUT, path), "w") as f:
            f.write(text)
        entry = {"rule": rule, "line": line_of(text, needle, occurrence) + offset if needle else None}
        if sample: entry["sample"] = sample
        expected[path] = entry
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2, sort_keys=True)
        f.write("\n")
    print("%d cases" % len(CASES))

main()
