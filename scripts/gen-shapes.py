#!/usr/bin/env python3
"""The SageMaker API model pipeops checks definitions against, made from botocore's service models.

For every shape reachable from the request and response shapes that pipeline steps mirror it
keeps the kind (structure members, list member, map value, scalar type, small enums, required
members), min/max (entry counts of lists and maps, string lengths, number ranges) and the
string patterns that mean something for a definition; and the step types the service lists in
its pipeline step metadata (PipelineExecutionStepMetadata). pipeops uses it to check step
Arguments, `Get` property paths and step types without shipping botocore.

    python3 scripts/gen-shapes.py --json          # the model as JSON (for `lint --api-model FILE`)
    python3 scripts/gen-shapes.py --swift         # Sources/PipeOpsModel/Definition/ServiceShapes.generated.swift
    python3 scripts/gen-shapes.py --out FILE      # the JSON model into FILE (what pipeops runs)

`scripts/update-api-model.sh` runs it with the botocore pinned in scripts/api-model.txt (never the
system Python's) and writes the Swift file. pipeops also runs this same file (embedded in the binary)
with the interpreter of a Python definition whose botocore is newer than the embedded model.
"""
import gzip, json, os, re, sys

import botocore

DATA = os.path.join(os.path.dirname(botocore.__file__), "data")


def load(service):
    d = os.path.join(DATA, service)
    version = sorted(os.listdir(d))[-1]
    path = os.path.join(d, version, "service-2.json")
    if os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz") as f:
            return json.load(f)
    with open(path) as f:
        return json.load(f)


SERVICES = {"sagemaker": "", "emr": "emr.", "emr-serverless": "emrs."}
ROOTS = {
    "sagemaker": [
        "CreateProcessingJobRequest", "DescribeProcessingJobResponse",
        "CreateTrainingJobRequest", "DescribeTrainingJobResponse",
        "CreateTransformJobRequest", "DescribeTransformJobResponse",
        "CreateHyperParameterTuningJobRequest", "DescribeHyperParameterTuningJobResponse",
        "ListTrainingJobsForHyperParameterTuningJobResponse",
        "CreateModelInput", "DescribeModelOutput",
        "CreateModelPackageInput", "DescribeModelPackageOutput",
        "CreateAutoMLJobRequest", "DescribeAutoMLJobResponse",
        "CreateEndpointConfigInput", "DescribeEndpointConfigOutput",
        "CreateEndpointInput", "DescribeEndpointOutput",
        "CreateInferenceComponentInput", "DescribeInferenceComponentOutput",
        "CreateJobRequest", "DescribeJobResponse",
        "PipelineExecutionStepMetadata",
    ],
    "emr": ["Step"],
    "emr-serverless": ["GetJobRunResponse"],
}
# Step metadata members whose name is not the step's Type in a definition.
METADATA_TYPES = {"TrainingJob": "Training", "ProcessingJob": "Processing", "TransformJob": "Transform",
                  "TuningJob": "Tuning", "AutoMLJob": "AutoML"}
MAX_ENUM = 60
# Patterns that accept any text, or whose meaning depends on engines other than a full match
# (surrogate ranges): nothing to check.
TRIVIAL = {".*", ".+", "[\\S\\s]*", "[\\S\\s]+", "[\\s\\S]*", "[\\s\\S]+", "(?!\\s*$).+", "[\\S]+", "^.*$"}


def meaningful(pattern):
    return pattern not in TRIVIAL and "\\uD800" not in pattern and "\\uDBFF" not in pattern


def model():
    out = {}
    versions = {}
    for service, prefix in SERVICES.items():
        m = load(service)
        versions[service] = m["metadata"].get("apiVersion", "")
        shapes = m["shapes"]
        todo = list(ROOTS[service])
        while todo:
            name = todo.pop()
            key = prefix + name
            if key in out or name not in shapes:
                continue
            s = shapes[name]
            t = s["type"]
            if t == "structure":
                entry = {"k": "s", "m": {mn: prefix + v["shape"] for mn, v in s["members"].items()}}
                if s.get("required"):
                    entry["r"] = s["required"]
                # A prefix the member's documentation requires ("LocalPath ... must begin with
                # <code>/opt/ml/processing/</code>"), which botocore's pattern does not carry.
                documented = {}
                for mn, v in s["members"].items():
                    found = re.search(r"must (?:begin|start) with <code>(/[^<]*)</code>", v.get("documentation", ""))
                    if found:
                        documented[mn] = re.escape(found.group(1)) + ".*"
                if documented:
                    entry["mp"] = documented
                todo += [v["shape"] for v in s["members"].values()]
            elif t == "list":
                entry = {"k": "l", "e": prefix + s["member"]["shape"]}
                todo.append(s["member"]["shape"])
            elif t == "map":
                entry = {"k": "m", "e": prefix + s["value"]["shape"]}
                todo.append(s["value"]["shape"])
            else:
                entry = {"k": t}
                if t == "string" and "enum" in s and len(s["enum"]) <= MAX_ENUM and "InstanceType" not in name:
                    entry["v"] = s["enum"]
                if t == "string" and meaningful(s.get("pattern", ".*")):
                    entry["p"] = s["pattern"]
            if "min" in s:
                entry["n"] = s["min"]
            if "max" in s:
                entry["x"] = s["max"]
            out[key] = entry
    metadata = load("sagemaker")["shapes"]["PipelineExecutionStepMetadata"]["members"]
    step_types = sorted(METADATA_TYPES.get(member, member) for member in metadata)
    return {
        "botocore": botocore.__version__,
        "apiVersions": versions,
        "stepTypes": step_types,
        "shapes": out,
    }


def escaped(text):
    """A field of the table: backslash, tab, newline and carriage return written as \\, \\t, \\n, \\r."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def number(value):
    return "" if value is None else json.dumps(value)


def table(data):
    """The model as the binary reads it at start-up, a line per shape and a field per tab (no tree
    to build first): name, kind, min, max, pattern, then for a structure the member count and
    each member and its shape, the required count and names, the documented-pattern count and
    each member and pattern; for a list or map its element; for a scalar the enum count (- for
    none) and values. The first line is the botocore version, the second the step types."""
    lines = [escaped(data["botocore"]), "\t".join(escaped(t) for t in data["stepTypes"])]
    for name in sorted(data["shapes"]):
        entry = data["shapes"][name]
        fields = [name, entry["k"], number(entry.get("n")), number(entry.get("x")), entry.get("p", "")]
        if entry["k"] == "s":
            members = sorted(entry.get("m", {}).items())
            fields += [str(len(members))] + [part for member in members for part in member]
            required = entry.get("r", [])
            fields += [str(len(required))] + required
            documented = sorted(entry.get("mp", {}).items())
            fields += [str(len(documented))] + [part for member in documented for part in member]
        elif entry["k"] in ("l", "m"):
            fields.append(entry["e"])
        elif "v" in entry:
            fields += [str(len(entry["v"]))] + entry["v"]
        else:
            fields.append("-")
        lines.append("\t".join(escaped(field) for field in fields))
    text = "\n".join(lines)
    assert '"""' not in text and "\\#" not in text, "the table cannot be a raw string literal"
    return text


def swift(payload, data):
    quotes = '"' * 3  # spelled so that this file, embedded below, never closes its own literal
    lines = [
        "// swift-format-ignore-file",
        "// Generated by scripts/gen-shapes.py from botocore %s (%s). Do not edit by hand;"
        % (data["botocore"], ", ".join("%s %s" % kv for kv in sorted(data["apiVersions"].items()))),
        "// run scripts/update-api-model.sh. Shape names and members are facts of the AWS API models.",
        "",
        "package enum ServiceShapesData {",
        "    /// The botocore release the embedded model was made from.",
        "    package static let botocoreVersion = %s" % json.dumps(data["botocore"]),
        "    /// The model (scripts/gen-shapes.py --json), as `lint --api-model FILE` reads one.",
        "    static let json = #" + quotes,
    ]
    for i in range(0, len(payload), 4000):
        lines.append(payload[i:i + 4000] + "\\#")
    lines.append(quotes + "#")
    lines.append("    /// The same model as the table the binary reads (ServiceShapes.init(table:)).")
    lines.append("    static let table = #" + quotes)
    lines.extend(table(data).split("\n"))
    lines.append(quotes + "#")
    lines.append("    /// This generator, run with a Python definition's interpreter when its botocore is newer.")
    lines.append("    package static let generator = ##" + quotes)
    lines.extend(open(__file__).read().rstrip("\n").split("\n"))
    lines.append(quotes + "##")
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    data = model()
    payload = json.dumps(data, separators=(",", ":"), sort_keys=True)
    arguments = sys.argv[1:]
    if "--swift" in arguments:
        sys.stdout.write(swift(payload, data))
    elif "--out" in arguments:
        with open(arguments[arguments.index("--out") + 1], "w") as handle:
            handle.write(payload + "\n")
    else:
        sys.stdout.write(payload + "\n")
