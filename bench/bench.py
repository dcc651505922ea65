#!/usr/bin/env python3
"""pipeops benchmarks: every figure beside its comparison, both measured in this run.

usage: python3 bench/bench.py --bin PATH [--artifact PATH] [--runs N] [--quick] [--only SECTION ...]
With --artifact (the installed release tarball, what users run) every row measures it; --bin
alone measures a `swift build` binary, whose start-up loads the Swift runtime's shared libraries.
Prints one line per measurement (pipeops, the comparison, their ratio, the target and whether it
is met), writes bench/results.json and bench/results.md (the README's table). bench/run.sh builds
the release binary and the artifact, and makes the SDK venv, first.

Sections: startup, product, scaling, python, engine. Ratios are pipeops / comparison: 0.5x means
pipeops took half the comparison's time. Medians of --runs runs (at least 5), the two sides
interleaved so that a machine's load changes both.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXAMPLES = os.path.join(ROOT, "Tests", "Fixtures", "examples")
SDK_V2 = os.path.join(os.environ.get("PIPEOPS_SDK_V2", os.path.expanduser("~/.cache/pipeops/venvs/sdk-v2")), "bin", "python")


def timed(argv, cwd=None, env=None, check=False):
    """Wall time, peak RSS (KiB, from wait4's rusage) and stderr of one run."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    if check and process.returncode not in (0, 1):
        raise SystemExit("%s failed (exit %d): %s" % (" ".join(argv), process.returncode, stderr[-800:]))
    return elapsed, usage.ru_maxrss, stderr


def side_by_side(first, second, runs):
    """Medians (time, peak KiB) of two commands run alternately, so load hits both alike."""
    a, b = [], []
    for _ in range(runs):
        a.append(first())
        b.append(second())
    return ((statistics.median(x[0] for x in a), max(x[1] for x in a)),
            (statistics.median(x[0] for x in b), max(x[1] for x in b)))


def command(argv, **kwargs):
    return lambda: timed(argv, **kwargs)[:2]


class Table:
    def __init__(self):
        self.rows = []

    def row(self, name, value, unit, comparison=None, comparison_value=None, target=None, met=None, extra=None, note=None):
        entry = {"name": name, "value": value, "unit": unit}
        ratio = None
        if comparison is not None:
            ratio = value / comparison_value if comparison_value else None
            entry.update(comparison=comparison, comparisonValue=comparison_value, ratio=ratio)
        if target:
            entry["target"] = target
        if met is not None:
            entry["met"] = bool(met)
        if note:
            entry["note"] = note
        if extra:
            entry.update(extra)
        self.rows.append(entry)
        text = "%-46s %9s" % (name, show(value, unit))
        if comparison is not None:
            text += "  vs %-40s %9s  %6s" % (comparison, show(comparison_value, unit), ratio_text(ratio, "x") or "-")
        if target:
            text += "   target %s: %s" % (target, "met" if met else "MISSED")
        print(text + (("   (" + note + ")") if note else ""), flush=True)

    def markdown(self):
        lines = ["| measurement | pipeops | comparison (same run) | ratio | target | |", "|---|---:|---|---:|---|---|"]
        for r in self.rows:
            comparison = "%s: %s" % (r["comparison"], show(r["comparisonValue"], r["unit"])) if "comparison" in r else ""
            ratio = ratio_text(r.get("ratio"), "×")
            verdict = "" if "met" not in r else ("met" if r["met"] else "missed")
            name = r["name"] + ((" — " + r["note"]) if r.get("note") else "")
            lines.append("| %s | %s | %s | %s | %s | %s |" % (name, show(r["value"], r["unit"]), comparison, ratio, r.get("target", ""), verdict))
        return "\n".join(lines) + "\n"


def ratio_text(ratio, sign):
    """Two significant digits below 0.1 (0.0034x), two decimals above."""
    if ratio is None:
        return ""
    return ("%.2g" % ratio if ratio < 0.1 else "%.2f" % ratio) + sign


def show(value, unit):
    if value is None:
        return "-"
    if unit == "s":
        return "%.1f ms" % (value * 1000) if value < 1 else "%.2f s" % value
    if unit == "MiB":
        return "%.1f MiB" % value
    if unit == "ms":
        return "%.2f ms" % value
    return "%.3f" % value


def python_loader(files, interpreter):
    """A Python process that parses each file as a user's script would: json.load, or
    yaml.safe_load (libyaml's loader when present) for YAML."""
    code = ("import json,sys\n"
            "paths=sys.argv[1:]\n"
            "if any(p.endswith(('.yaml','.yml')) for p in paths):\n"
            "    import yaml\n"
            "    Loader=getattr(yaml,'CSafeLoader',yaml.SafeLoader)\n"
            "for p in paths:\n"
            "    with open(p) as f:\n"
            "        json.load(f) if p.endswith('.json') else yaml.load(f, Loader=Loader)\n")
    return [interpreter, "-c", code] + files


def startup(table, args, runs):
    print("== start-up")
    runs = max(runs, 30)
    (pipeops, _), (git, _) = side_by_side(command([args.bin, "--version"]), command(["git", "--version"]), runs)
    table.row("pipeops --version", pipeops, "s", "git --version", git, target="<= 3x", met=pipeops <= 3 * git)
    if os.access(SDK_V2, os.X_OK):
        (pipeops, _), (sdk, _) = side_by_side(command([args.bin, "--version"]),
                                              command([SDK_V2, "-c", "import sagemaker.workflow.pipeline"]), 5)
        table.row("pipeops --version", pipeops, "s", "import sagemaker.workflow.pipeline", sdk)


def product_files(product):
    """The files `pipeops lint` reads in a scaffolded product."""
    files = [os.path.join(product, "pipeops.yaml"), os.path.join(product, "pipeline", "definition.yaml")]
    files += sorted(os.path.join(product, "environments", n) for n in os.listdir(os.path.join(product, "environments")))
    files.append(os.path.join(product, "tests", "fixtures", "evaluation.json"))
    return files


def scaffold(args, work, *options):
    """A product made by `pipeops init` in `work`; its folder."""
    folder = os.path.join(work, "product")
    subprocess.run([args.bin, "init", folder, "--name", "bench-product"] + list(options), check=True, capture_output=True)
    return folder


def product(table, args, runs):
    print("== lint of a scaffolded product, and of the SDK's abalone definition")
    work = tempfile.mkdtemp(prefix="pipeops-bench-")
    try:
        folder = scaffold(args, work)
        files = product_files(folder)
        interpreter = SDK_V2 if os.access(SDK_V2, os.X_OK) else sys.executable
        have_yaml = subprocess.run([interpreter, "-c", "import yaml"], capture_output=True).returncode == 0
        if have_yaml:
            (lint, _), (load, _) = side_by_side(command([args.bin, "lint", "--format", "json"], cwd=folder),
                                                command(python_loader(files, interpreter)), runs)
            table.row("lint of a scaffolded product (%d files)" % len(files), lint, "s",
                      "Python json.load/yaml.safe_load of them", load, target="<= 0.1x", met=lint <= 0.1 * load)
        else:
            print("   no PyYAML in %s: the product row is not measured" % interpreter)
        abalone = os.path.join(EXAMPLES, "abalone.sdk.json")
        (lint, _), (load, _) = side_by_side(command([args.bin, "lint", abalone, "--format", "json"]),
                                            command(python_loader([abalone], sys.executable)), runs)
        table.row("lint abalone.sdk.json (15 KB)", lint, "s", "python3 json.load", load, target="<= 0.1x", met=lint <= 0.1 * load)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def scaling(table, args, runs):
    print("== lint of generated definitions (a chain of Processing steps, each reading the last)")
    work = os.path.join(HERE, ".work")
    os.makedirs(work, exist_ok=True)
    (_, baseline), _ = side_by_side(command([args.bin, "--version"]), command(["true"]), 3)
    # Compact JSON as the SDK writes it, and the same 10,000 steps indented by 4 (the 32 MB
    # file of the figures, as json.dump(..., indent=4) writes it).
    shapes = [(1000, 0)] if args.quick else [(1000, 0), (10000, 0), (10000, 4), (50000, 0)]
    for size, indent in shapes:
        path = os.path.join(work, "chain-%d%s.json" % (size, "-indent%d" % indent if indent else ""))
        if not os.path.exists(path):
            subprocess.run([sys.executable, os.path.join(HERE, "gen_definition.py"), "chain", str(size), path] + ([str(indent)] if indent else []),
                           check=True)
        mib = os.path.getsize(path) / 1048576
        label = "%d steps%s" % (size, ", indented" if indent else "")
        count = runs if size <= 10000 else max(3, runs // 2)
        (lint, peak), (load, python_peak) = side_by_side(command([args.bin, "lint", path, "--format", "json"]),
                                                         command(python_loader([path], sys.executable)), count)
        table.row("lint %s (%.1f MiB)" % (label, mib), lint, "s", "python3 json.load", load,
                  target="<= 1.5x" if size == 10000 else None, met=(lint <= 1.5 * load) if size == 10000 else None,
                  extra={"steps": size, "indent": indent, "fileMiB": mib, "peakMiB": peak / 1024, "pythonPeakMiB": python_peak / 1024})
        growth = (peak - baseline) / 1024
        table.row("  peak memory, %s" % label, peak / 1024, "MiB", "python3 json.load's peak", python_peak / 1024,
                  target="<= 3x the file (%.1f MiB)" % (3 * mib) if size == 10000 else None,
                  met=(peak / 1024 <= 3 * mib) if size == 10000 else None,
                  note="%.1fx the file; %.1f MiB above --version's %.1f MiB" % (peak / 1024 / mib, growth, baseline / 1024))


BUILDER = '''"""A SageMaker SDK v2 pipeline as teams write them, with code already in S3 (no uploads), so
that the SDK's own definition() can run offline beside pipeops compile."""
import boto3
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor
from sagemaker.workflow.condition_step import ConditionStep
from sagemaker.workflow.conditions import ConditionGreaterThanOrEqualTo
from sagemaker.workflow.fail_step import FailStep
from sagemaker.workflow.functions import JsonGet
from sagemaker.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.pipeline_context import PipelineSession
from sagemaker.workflow.properties import PropertyFile
from sagemaker.workflow.steps import CacheConfig, ProcessingStep, TrainingStep


def get_pipeline(name="bench-py", region="us-east-1", role="arn:aws:iam::111111111111:role/bench", bucket="bench-artifacts"):
    session = PipelineSession(boto_session=boto3.Session(region_name=region), default_bucket=bucket)
    image = "111111111111.dkr.ecr.%s.amazonaws.com/%s:latest" % (region, name)
    instance = ParameterString("ProcessingInstanceType", default_value="ml.m5.large")
    count = ParameterInteger("TrainingInstanceCount", default_value=1)
    threshold = ParameterFloat("AccuracyThreshold", default_value=0.6)
    data = ParameterString("InputData", default_value="s3://%s/data/" % bucket)
    cache = CacheConfig(enable_caching=True, expire_after="P30D")
    processor = ScriptProcessor(image_uri=image, command=["python3"], instance_type=instance, instance_count=1,
                                role=role, sagemaker_session=session)
    preprocess = ProcessingStep("Preprocess", step_args=processor.run(
        code="s3://%s/code/preprocess.py" % bucket, inputs=[ProcessingInput(source=data, destination="/opt/ml/processing/input")],
        outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train")]), cache_config=cache)
    estimator = Estimator(image_uri=image, role=role, instance_type="ml.m5.large", instance_count=count,
                          entry_point="train.py", source_dir="s3://%s/code/train.tar.gz" % bucket, sagemaker_session=session)
    train = TrainingStep("Train", step_args=estimator.fit(inputs={"train": TrainingInput(
        preprocess.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri)}), cache_config=cache)
    report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep("Evaluate", step_args=processor.run(
        code="s3://%s/code/evaluate.py" % bucket, inputs=[ProcessingInput(
            source=train.properties.ModelArtifacts.S3ModelArtifacts, destination="/opt/ml/processing/model")],
        outputs=[ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")]),
        property_files=[report], cache_config=cache)
    gate = ConditionStep("QualityGate", conditions=[ConditionGreaterThanOrEqualTo(
        left=JsonGet(step_name=evaluate.name, property_file=report, json_path="accuracy"), right=threshold)],
        if_steps=[], else_steps=[FailStep("TooInaccurate", error_message="accuracy below the threshold")])
    return Pipeline(name=name, parameters=[instance, count, threshold, data], steps=[preprocess, train, evaluate, gate],
                    sagemaker_session=session)
'''


def python_definitions(table, args, runs):
    if not os.access(SDK_V2, os.X_OK):
        print("== no SDK venv at %s (scripts/install-deps.sh makes it): Python definitions not measured" % SDK_V2)
        return
    print("== a Python definition (SageMaker SDK v2, %s)" % SDK_V2)
    work = tempfile.mkdtemp(prefix="pipeops-bench-py-")
    try:
        folder = scaffold(args, work, "--template", "python")
        with open(os.path.join(folder, "pipeline", "definition.py"), "w") as handle:
            handle.write(BUILDER)
        manifest = os.path.join(folder, "pipeops.yaml")
        with open(manifest) as handle:
            text = handle.read()
        kwargs = {"name": "bench-py", "region": "us-east-1", "role": "arn:aws:iam::111111111111:role/bench", "bucket": "bench-py-artifacts"}
        text = re.sub(r"(\n  kwargs:[^\n]*)(\n    [^\n]*)+", "\n  kwargs:" + "".join("\n    %s: %s" % kv for kv in kwargs.items()), text)
        with open(manifest, "w") as handle:
            handle.write(text)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["PIPEOPS_PYTHON"] = SDK_V2
        cache = os.path.join(folder, ".pipeops")
        sdk = [SDK_V2, os.path.join(HERE, "sdk_definition.py"), folder, json.dumps(kwargs)]
        empty = os.path.join(work, "sdk-config.yaml")
        open(empty, "w").close()
        sdk_env = dict(env, AWS_EC2_METADATA_DISABLED="true", AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_CONFIG_FILE="/dev/null",
                       AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
                       HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9",
                       SAGEMAKER_USER_CONFIG_OVERRIDE=empty, SAGEMAKER_ADMIN_CONFIG_OVERRIDE=empty)
        check = subprocess.run(sdk, cwd=folder, env=sdk_env, capture_output=True, text=True)
        if check.returncode != 0:
            raise SystemExit("the SDK's definition() failed on its own: %s" % check.stderr[-800:])

        def first_compile():
            shutil.rmtree(cache, ignore_errors=True)
            return timed([args.bin, "compile"], cwd=folder, env=env, check=True)[:2]
        count = max(3, runs // 2) if not args.quick else 2
        (compile_time, _), (definition_time, _) = side_by_side(first_compile, command(sdk, cwd=folder, env=sdk_env), count)
        table.row("first compile of a Python definition", compile_time, "s", "the SDK's definition() in the same interpreter",
                  definition_time, target="<= 1.1x", met=compile_time <= 1.1 * definition_time)

        first_compile()
        cached = statistics.median(timed([args.bin, "lint", "--format", "json"], cwd=folder, env=env)[0] for _ in range(runs))
        table.row("lint of a Python product, sources unchanged", cached, "s", "its first compile", compile_time,
                  target="<= 0.1x", met=cached <= 0.1 * compile_time)

        # A CI job: a fresh checkout at another path, the compile cache restored (as the workflows'
        # cache step does), then lint. Python must not start: its interpreter is made unusable.
        def ci_lint():
            clone = os.path.join(work, "ci-%d" % time.monotonic_ns())
            start = time.perf_counter()
            shutil.copytree(folder, clone, ignore=shutil.ignore_patterns(".pipeops"))
            shutil.copytree(os.path.join(cache, "compiled"), os.path.join(clone, ".pipeops", "compiled"))
            if os.path.isdir(os.path.join(cache, "s3")):
                shutil.copytree(os.path.join(cache, "s3"), os.path.join(clone, ".pipeops", "s3"))
            elapsed, peak, stderr = timed([args.bin, "lint", "--format", "json"], cwd=clone, env=env)
            total = time.perf_counter() - start
            shutil.rmtree(clone, ignore_errors=True)
            if "compiling" in stderr:
                raise SystemExit("the CI lint compiled again: %s" % stderr[-400:])
            return total, peak
        samples = [ci_lint() for _ in range(runs)]
        ci = statistics.median(s[0] for s in samples)
        table.row("CI lint of a Python product (checkout + cache restore + lint)", ci, "s", "first compile", compile_time,
                  target="<= 1 s, no Python", met=ci <= 1.0, note="no compile: checked on stderr")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def noop_definition(count, sleep=None):
    steps = []
    for i in range(count):
        command_line = ["/bin/sleep", str(sleep)] if sleep else ["/bin/true"]
        steps.append({"Name": "Step%d" % i, "Type": "Processing", "Arguments": {
            "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30}},
            "AppSpecification": {"ImageUri": "img", "ContainerEntrypoint": command_line},
            "RoleArn": "arn:aws:iam::111111111111:role/bench"}})
    return {"Version": "2020-12-01", "Parameters": [], "Steps": steps}


def engine(table, args, runs):
    print("== local engine")
    work = tempfile.mkdtemp(prefix="pipeops-bench-")
    try:
        folder = scaffold(args, work)
        steps = 50 if args.quick else 200
        noop = os.path.join(folder, "noop.json")
        with open(noop, "w") as handle:
            json.dump(noop_definition(steps), handle)

        def spawns():
            start = time.perf_counter()
            for _ in range(steps):
                subprocess.run(["/bin/true"])
            return time.perf_counter() - start, 0
        (run, _), (bare, _) = side_by_side(
            command([args.bin, "run", "--definition", noop, "--parallelism", "1", "--no-cache", "--format", "json"], cwd=folder),
            spawns, max(3, runs // 2))
        table.row("engine, per step (%d no-op steps)" % steps, run / steps * 1000, "ms", "a bare spawn from Python", bare / steps * 1000,
                  target="<= 5 ms beyond the spawn", met=(run - bare) / steps <= 0.005)

        if not args.quick:
            sleepy = os.path.join(folder, "sleepy.json")
            with open(sleepy, "w") as handle:
                json.dump(noop_definition(16, sleep=0.5), handle)
            for parallelism in [1, 4]:
                elapsed = statistics.median(timed([args.bin, "run", "--definition", sleepy, "--parallelism", str(parallelism),
                                                   "--no-cache", "--format", "json"], cwd=folder)[0] for _ in range(3))
                ideal = 16 * 0.5 / parallelism
                table.row("16 x 0.5 s steps, parallelism %d" % parallelism, elapsed, "s", "the ideal", ideal,
                          target="<= 1.2x", met=elapsed <= 1.2 * ideal)

        # The scaffold's own pipeline: the first run does the work, a rerun with nothing changed
        # takes every step from the cache.
        subprocess.run(["git", "init", "-q", folder], check=True)
        subprocess.run(["git", "-C", folder, "add", "-A"], check=True)
        subprocess.run(["git", "-C", folder, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm", "bench"], check=True)
        firsts, reruns = [], []
        for _ in range(max(3, runs // 2)):
            shutil.rmtree(os.path.join(folder, ".pipeops"), ignore_errors=True)
            firsts.append(timed([args.bin, "run", "--env", "dev", "--format", "json"], cwd=folder, check=True)[0])
            reruns.append(timed([args.bin, "run", "--env", "dev", "--format", "json"], cwd=folder, check=True)[0])
        first, rerun = statistics.median(firsts), statistics.median(reruns)
        table.row("fully cached rerun of the scaffold's pipeline", rerun, "s", "its first run", first, target="<= 0.1x",
                  met=rerun <= 0.1 * first)
    finally:
        shutil.rmtree(work, ignore_errors=True)


SECTIONS = {"startup": startup, "product": product, "scaling": scaling, "python": python_definitions, "engine": engine}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--artifact", help="the release artifact's installed pipeops (scripts/release.sh + install.sh)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer runs, to try the script")
    parser.add_argument("--only", nargs="+", choices=sorted(SECTIONS), help="run only these sections")
    args = parser.parse_args()
    args.bin = os.path.abspath(args.bin)
    args.artifact = os.path.abspath(args.artifact) if args.artifact else None
    # What users run is the release artifact (static runtime): every row measures it when given.
    args.bin = args.artifact or args.bin
    runs = 3 if args.quick else max(5, args.runs)
    table = Table()
    for name, section in SECTIONS.items():
        if not args.only or name in args.only:
            section(table, args, runs)
    targets = [r for r in table.rows if "met" in r]
    print("targets met: %d of %d" % (sum(r["met"] for r in targets), len(targets)))
    results = {"generatedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "runs": runs, "cpus": os.cpu_count(),
               "results": table.rows}
    with open(os.path.join(HERE, "results.json"), "w") as handle:
        json.dump(results, handle, indent=2)
    with open(os.path.join(HERE, "results.md"), "w") as handle:
        handle.write(table.markdown())
    print("wrote bench/results.json and bench/results.md")


if __name__ == "__main__":
    main()
