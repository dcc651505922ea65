#!/usr/bin/env bash
# The main job: installs what is missing, builds pipeops (release), then walks a pipeline
# product through its life: scaffold, lint, local runs (cached the second time), a version tag,
# promotion gates, rendered requests, and an upsert + smoke execution on the SageMaker API
# (a local moto_server standing in for AWS), ending with lint catching real mistakes.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
bash scripts/install-deps.sh
. scripts/env.sh

echo "==> swift build -c release" >&2
swift build -c release --product pipeops 2>&1 | tail -n 1 >&2
bin="$(swift build -c release --show-bin-path)/pipeops"
pipeops() { "$bin" "$@"; }
work=$(mktemp -d)
moto_pid=""
cleanup() { [ -n "$moto_pid" ] && kill -9 "$moto_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }; else step() { printf '\n== %s\n' "$*"; }; fi

step "pipeops $(pipeops --version): scaffold a pipeline product"
cd "$work"
pipeops init churn-model --name churn-model --account 123456789012 --region us-east-1 | tail -n 5
cd churn-model
git init -q -b main && git config user.name "Demo" && git config user.email demo@example.com
git add -A && git commit -qm "churn-model: scaffolded by pipeops init"

step "lint: definition, manifest and every environment file"
pipeops lint

step "run the whole pipeline locally (dev parameters; steps are real processes in /opt/ml sandboxes)"
pipeops run --env dev

step "run again: every cacheable step comes from the cache"
pipeops run --env dev
pipeops executions list | head -n 3

step "a stricter quality gate takes the other branch and fails with the Fail step's message"
pipeops run --env dev --param AccuracyThreshold=0.99 || echo "(exit $? — as intended)"

step "edit one step script: only that step and what depends on it run again (code is content-addressed)"
echo "# tuned" >> pipeline/steps/train.py
pipeops run --env dev
git commit -qam "tune training"

step "pin the image staging and prod run (the deploy workflow prints the digest it pushed)"
digest="sha256:$(printf 'churn-model image' | sha256sum | cut -c1-64)"
for environment in staging prod; do
    printf 'images:\n  "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-model": %s\n' "$digest" >> "environments/$environment.yaml"
done
git commit -qam "pin the step image"

step "release: tag the commit, then promote through dev and staging"
pipeops tag minor -m "first release"
pipeops version
pipeops promote --to dev
pipeops run --env staging --format json > /dev/null && echo "staging smoke run recorded"
pipeops promote --to staging

step "prod differs from staging only in values: the structure and code hashes prove it"
pipeops diff staging prod || true

step "prod accepts only SageMaker evidence from staging (requireEvidence: sagemaker): a local run is not enough"
pipeops promote --to prod --dry-run || echo "(exit $? — as intended)"

step "upsert (code published first) and a smoke execution on the SageMaker API (moto_server on 127.0.0.1 stands in for AWS)"
port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto_pid=$!
disown "$moto_pid" 2>/dev/null || true
python3 - "$port" <<'PY'
import socket, sys, time
for _ in range(300):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5).close(); break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit(1)
import botocore.session
s3 = botocore.session.get_session().create_client("s3", region_name="us-east-1", endpoint_url="http://127.0.0.1:%s" % sys.argv[1],
    aws_access_key_id="x", aws_secret_access_key="y")
s3.create_bucket(Bucket="churn-model-artifacts")  # infra/pipeline.yaml creates it on AWS
PY
export AWS_ACCESS_KEY_ID=AKIADEMODEMODEMODEMO AWS_SECRET_ACCESS_KEY=demo-secret-never-printed AWS_REGION=us-east-1
pipeops upsert --env dev --endpoint-url "http://127.0.0.1:$port"
pipeops upsert --env staging --endpoint-url "http://127.0.0.1:$port"
pipeops upsert --env staging --endpoint-url "http://127.0.0.1:$port"
pipeops start --env staging --endpoint-url "http://127.0.0.1:$port" --wait --poll-interval 1
AWS_ENDPOINT_URL_STS="http://127.0.0.1:$port" pipeops doctor --aws   # which credentials, which account; never a secret

step "what is deployed, and drift: the staging pipeline edited outside git (boto3, as a Studio edit does), seen, planned and repaired"
pipeops status --env staging --endpoint-url "http://127.0.0.1:$port"
python3 - "$port" <<'PY'
import json, sys
import botocore.session
sm = botocore.session.get_session().create_client("sagemaker", region_name="us-east-1", endpoint_url="http://127.0.0.1:%s" % sys.argv[1],
    aws_access_key_id="x", aws_secret_access_key="y")
described = sm.describe_pipeline(PipelineName="churn-model")
definition = json.loads(described["PipelineDefinition"])
for step in definition["Steps"]:
    if step["Name"] == "Train":
        step["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] = 7200
sm.update_pipeline(PipelineName="churn-model", PipelineDefinition=json.dumps(definition), RoleArn=described["RoleArn"])
print("edited Train's MaxRuntimeInSeconds outside git")
PY
pipeops status --env staging --endpoint-url "http://127.0.0.1:$port" || echo "(exit $? — drift)"
pipeops plan --env staging --endpoint-url "http://127.0.0.1:$port" || echo "(exit $? — upsert would change it back)"
pipeops upsert --env staging --endpoint-url "http://127.0.0.1:$port" >/dev/null
pipeops status --env staging --endpoint-url "http://127.0.0.1:$port"

step "why a run failed: a threshold no model meets fails the quality gate; why names the step, its reason and where it is defined"
failed=$(pipeops run --env dev --param AccuracyThreshold=0.999 --format json | python3 -c "import json, sys; print(json.load(sys.stdin)['id'])" || true)
pipeops why "$failed"
pipeops promote --status
pipeops promote --to prod

step "a code-only change that staging has not run is refused for prod, naming the file"
echo "# stricter" >> pipeline/steps/evaluate.py
git commit -qam "evaluate differently" && pipeops tag patch >/dev/null
pipeops promote --to prod --dry-run || echo "(exit $? — staging must run this code first)"

step "run only what changed since dev's last succeeded run: the evaluation script changed, so Evaluate and what follows it run"
pipeops run --env dev --changed

step "what changed between the two releases, what the next run takes from the cache, and how it is scheduled"
pipeops diff v0.1.0 v0.1.1 || true
pipeops cache explain --env dev Train Evaluate
pipeops graph --waves --env dev

step "lint real SageMaker SDK output, v2 and v3 (no errors; the warnings are true) and a copy with the mistakes that usually reach CreatePipeline"
pipeops lint "$repo"/Tests/Fixtures/examples/*.sdk.json "$repo"/Tests/Fixtures/sdk/v*/*.json | sed "s|$repo/||"
sed -e 's/regression_metrics.mse.value/regression_metrics.mse/' \
    -e 's/"Parameters.MseThreshold"/"Parameters.MseTreshold"/' \
    -e 's/ModelArtifacts.S3ModelArtifacts/ModelArtifacts.S3ModelArtifact/' \
    "$repo/Tests/Fixtures/examples/abalone.sdk.json" > "$work/abalone-broken.json"
pipeops lint "$work/abalone-broken.json" --property-sample EvaluationReport="$repo/Tests/Fixtures/examples/abalone-evaluation.sample.json" \
    || echo "(exit $? — CI stops here, before anything is uploaded)"
pipeops lint "$work/abalone-broken.json" --format sarif > "$work/lint.sarif" || true
python3 "$repo/Tests/Support/validate_sarif.py" "$work/lint.sarif"

step "a pipeline written with the SageMaker Python SDK: compiled offline (no AWS credentials), then linted and run like any other"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION
export PIPEOPS_PYTHON="$PIPEOPS_SDK_V2/bin/python"
cd "$work"
pipeops init churn-py --name churn-py --template python | tail -n 2
cd churn-py
pipeops compile
pipeops compile   # unchanged sources: the cached definition, Python is not started
pipeops lint | tail -n 1
pipeops run --env dev | tail -n 4
cd "$work"

step "done: $(pipeops rules --format json | grep -c '"id"') lint rules (pipeops rules), every command has --help"
