"""Shared set-up for the SDK corpus generators (imported by every gen_*.py).

The generators run inside a venv made by regenerate.sh, with AWS_ENDPOINT_URL pointing at a
moto_server on 127.0.0.1, dummy credentials and telemetry off, so no call leaves the machine.
Each generator builds pipelines with the real SDK and hands them to `write`, which stores
`Pipeline.definition()` exactly as the SDK returns it (the bytes CreatePipeline would get).
"""
import json
import os
import sys
import tempfile

ROLE = "arn:aws:iam::111111111111:role/SageMakerPipelineRole"
BUCKET = "pipeops-corpus"
REGION = "us-east-1"
MAJOR = None  # 2 or 3, set by `sdk()`


def sdk():
    """The installed SDK's major version."""
    global MAJOR
    if MAJOR is None:
        from importlib.metadata import version
        MAJOR = int(version("sagemaker").split(".")[0])
    return MAJOR


def session():
    """A PipelineSession on the moto endpoint: job calls are captured as step arguments."""
    import boto3
    boto_session = boto3.Session(region_name=REGION)
    if sdk() >= 3:
        from sagemaker.core.workflow.pipeline_context import PipelineSession
    else:
        from sagemaker.workflow.pipeline_context import PipelineSession
    return PipelineSession(boto_session=boto_session, default_bucket=BUCKET)


def code_dir():
    """A small source folder with step scripts (uploaded by the SDK for code=/source_dir)."""
    folder = os.path.join(tempfile.gettempdir(), "pipeops-corpus-code")
    os.makedirs(folder, exist_ok=True)
    for name, body in {
        "preprocess.py": "print('preprocess')\n",
        "train.py": "print('train')\n",
        "evaluate.py": "import json\nprint(json.dumps({'metrics': {'accuracy': {'value': 0.9}}}))\n",
        "requirements.txt": "",
    }.items():
        with open(os.path.join(folder, name), "w") as f:
            f.write(body)
    return folder


def write(name, pipeline):
    """Writes the pipeline's definition to $CORPUS_OUT/<name>.json atomically."""
    text = pipeline.definition()
    json.loads(text)  # a generator must never store something that is not JSON
    out = os.environ["CORPUS_OUT"]
    path = os.path.join(out, name + ".json")
    fd, tmp = tempfile.mkstemp(dir=out, prefix="." + name)
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.write("\n")
    os.replace(tmp, path)
    print("  wrote %s/%s.json" % (os.path.basename(out), name), file=sys.stderr)


def image(framework="xgboost", version="1.7-1"):
    """A real image URI from the SDK's tables (v2), or the same URI written out (v3 has no image_uris)."""
    if sdk() < 3:
        from sagemaker import image_uris
        return image_uris.retrieve(framework, REGION, version)
    return "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-%s:%s" % (framework, version)
