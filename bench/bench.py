#!/usr/bin/env python3
"""pipeops benchmarks, side by side with what users would run instead.

usage: python3 bench/bench.py --bin PATH [--runs N] [--quick]
Prints a table of medians and writes bench/results.json. bench/run.sh builds the release
binary and installs the SageMaker SDK first.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXAMPLES = os.path.join(ROOT, "Tests", "Fixtures", "examples")


def timed(argv, cwd=None, env=None, check=False):
    """Wall time and peak RSS (KiB) of one run, via /usr/bin/time."""
    fd, path = tempfile.mkstemp()
    os.close(fd)
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", path] + argv, cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if check and result.returncode != 0:
        raise SystemExit("%s failed: %s" % (" ".join(argv), result.stderr.decode()[-500:]))
    with open(path) as handle:
        lines = [line for line in handle.read().split("\n") if line.strip().isdigit()]
    os.remove(path)
    return elapsed, int(lines[-1]) if lines else 0


def median(argv, runs, **kwargs):
    samples = [timed(argv, **kwargs) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def row(table, name, value, unit, comparison=None, comparison_value=None, target=None, extra=None):
    entry = {"name": name, "value": value, "unit": unit}
    if comparison is not None:
        entry["comparison"] = comparison
        entry["comparisonValue"] = comparison_value
        entry["ratio"] = (comparison_value / value) if value else None
    if target:
        entry["target"] = target
    if extra:
        entry.update(extra)
    table.append(entry)
    ratio = ("  %7.1fx vs %s (%.3f %s)" % (entry["ratio"], comparison, comparison_value, unit)) if comparison is not None else ""
    print("%-48s %10.3f %-4s%s%s" % (name, value, unit, ratio, ("   target: " + target) if target else ""), flush=True)


def noop_definition(count, sleep=None):
    steps = []
    for i in range(count):
        command = ["/bin/sleep", str(sleep)] if sleep else ["/bin/true"]
        steps.append({"Name": "Step%d" % i, "Type": "Processing", "Arguments": {
            "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30}},
            "AppSpecification": {"ImageUri": "img", "ContainerEntrypoint": command},
            "RoleArn": "arn:aws:iam::111111111111:role/bench"}})
    return {"Version": "2020-12-01", "Parameters": [], "Steps": steps}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--artifact", help="the release artifact's installed pipeops (scripts/release.sh + install.sh), measured beside --bin")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test of the script")
    args = parser.parse_args()
    runs = max(5, args.runs) if not args.quick else 3
    work = os.path.join(HERE, ".work")
    os.makedirs(work, exist_ok=True)
    table = []

    print("== start-up")
    startup, _ = median([args.bin, "--version"], runs)
    sdk_available = subprocess.run([sys.executable, "-c", "import sagemaker.workflow.pipeline"], capture_output=True).returncode == 0
    if sdk_available:
        sdk, _ = median([sys.executable, "-c", "import sagemaker.workflow.pipeline"], runs)
        row(table, "pipeops --version", startup, "s", "import sagemaker.workflow.pipeline", sdk, target=">= 20x faster")
    else:
        row(table, "pipeops --version", startup, "s", extra={"note": "SageMaker SDK not installed"})

    print("== lint of the SDK's abalone definition")
    abalone = os.path.join(EXAMPLES, "abalone.sdk.json")
    lint, _ = median([args.bin, "lint", abalone, "--format", "json"], runs)
    parse, _ = median([sys.executable, "-c", "import json,sys; json.load(open(sys.argv[1]))", abalone], runs)
    row(table, "lint abalone.sdk.json", lint, "s", "python3 json.load", parse)

    if args.artifact:
        print("== the release artifact (static Swift runtime and libgit2) beside swift build -c release")
        startup_runs = max(runs, 20)
        plain, _ = median([args.bin, "--version"], startup_runs)
        static, _ = median([args.artifact, "--version"], startup_runs)
        row(table, "artifact pipeops --version", static, "s", "swift build -c release binary", plain, target="<= 0.010 s")
        plain, _ = median([args.bin, "lint", abalone, "--format", "json"], startup_runs)
        static, _ = median([args.artifact, "lint", abalone, "--format", "json"], startup_runs)
        row(table, "artifact lint abalone.sdk.json (15 KB)", static, "s", "swift build -c release binary", plain, target="<= 0.015 s")

    print("== lint scaling (chain of Processing steps with Get references)")
    sizes = [100, 1000] if args.quick else [100, 1000, 10000, 50000]
    for size in sizes:
        path = os.path.join(work, "chain-%d.json" % size)
        if not os.path.exists(path):
            subprocess.run([sys.executable, os.path.join(HERE, "gen_definition.py"), "chain", str(size), path], check=True)
        lint, memory = median([args.bin, "lint", path, "--format", "json"], runs)
        parse, _ = median([sys.executable, "-c", "import json,sys; json.load(open(sys.argv[1]))", path], runs)
        row(table, "lint %d steps (%.1f MB)" % (size, os.path.getsize(path) / 1e6), lint, "s", "python3 json.load", parse,
            target="< 1 s and within 5x of json.load" if size == 10000 else None,
            extra={"steps": size, "peakMemoryKiB": memory, "perThousandSteps": lint * 1000 / size})
        print("%48s peak memory %.1f MiB, %.1f ms per 1,000 steps" % ("", memory / 1024, lint * 1e6 / size))

    product = tempfile.mkdtemp(prefix="pipeops-bench-")
    try:
        subprocess.run([args.bin, "init", product, "--name", "bench-product"], check=True, capture_output=True)
        print("== render of every environment of the scaffolded product")
        script = "for e in dev staging prod; do %s render --env $e >/dev/null 2>&1; done" % args.bin
        render, _ = median(["/bin/sh", "-c", script], runs, cwd=product)
        row(table, "render dev+staging+prod", render, "s")

        print("== local engine")
        noop = os.path.join(product, "noop.json")
        with open(noop, "w") as handle:
            json.dump(noop_definition(200), handle)
        def direct():
            start = time.perf_counter()
            for _ in range(200):
                subprocess.run(["/bin/true"])
            return time.perf_counter() - start
        direct_time = statistics.median(direct() for _ in range(runs))
        engine_time, _ = median([args.bin, "run", "--definition", noop, "--parallelism", "1", "--no-cache", "--format", "json"], runs, cwd=product)
        overhead = (engine_time - direct_time) / 200
        row(table, "engine overhead per step (200 no-op steps)", overhead * 1000, "ms", target="< 5 ms beyond process spawn",
            extra={"engineSeconds": engine_time, "directSpawnSeconds": direct_time})

        sleepy = os.path.join(product, "sleepy.json")
        with open(sleepy, "w") as handle:
            json.dump(noop_definition(16, sleep=0.5), handle)
        serial = None
        for parallelism in [1, 4, 16]:
            elapsed, _ = median([args.bin, "run", "--definition", sleepy, "--parallelism", str(parallelism), "--no-cache", "--format", "json"],
                                3 if parallelism == 1 else runs, cwd=product)
            ideal = 16 * 0.5 / parallelism
            serial = serial or elapsed
            row(table, "16 x 0.5 s steps at parallelism %d" % parallelism, elapsed, "s",
                target="within 20%% of ideal %.1f s" % ideal, extra={"ideal": ideal, "efficiency": ideal / elapsed})

        for folder in [".pipeops"]:
            shutil.rmtree(os.path.join(product, folder), ignore_errors=True)
        first, _ = timed([args.bin, "run", "--env", "dev", "--format", "json"], cwd=product, check=True)
        cached, _ = median([args.bin, "run", "--env", "dev", "--format", "json"], runs, cwd=product)
        row(table, "cached rerun of the product (fraction of first)", cached / first, "", target="< 0.05",
            extra={"firstRunSeconds": first, "cachedRunSeconds": cached})
    finally:
        shutil.rmtree(product, ignore_errors=True)

    sdk_python = os.path.join(os.environ.get("PIPEOPS_SDK_V2", os.path.expanduser("~/.cache/pipeops/venvs/sdk-v2")), "bin", "python")
    if os.access(sdk_python, os.X_OK):
        print("== a Python definition (SageMaker SDK v2): the first lint compiles, later ones read the cache")
        product = tempfile.mkdtemp(prefix="pipeops-bench-py-")
        try:
            subprocess.run([args.bin, "init", product, "--name", "bench-product", "--template", "python"], check=True, capture_output=True)
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env["PIPEOPS_PYTHON"] = sdk_python
            first, _ = timed([args.bin, "lint", "--format", "json"], cwd=product, env=env, check=True)
            cached, _ = median([args.bin, "lint", "--format", "json"], runs, cwd=product, env=env)
            row(table, "lint of a Python definition, unchanged sources", cached, "s", "first lint (compiles with the SDK)", first,
                target="< 0.1 s: Python is not started")
        finally:
            shutil.rmtree(product, ignore_errors=True)
    else:
        print("== no SDK venv at %s (scripts/install-deps.sh makes it): Python definitions not measured" % sdk_python)

    results = {"generatedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "runs": runs, "cpus": os.cpu_count(), "results": table}
    with open(os.path.join(HERE, "results.json"), "w") as handle:
        json.dump(results, handle, indent=2)
    print("wrote bench/results.json")


if __name__ == "__main__":
    main()
