# sdk: v2
"""AutoML (ensembling) with the best model registered, a NotebookJob step and @step
function steps whose results flow into each other (S3-form JsonGet with explicit DependsOn)."""
import json
import os
import tempfile

from corpus import BUCKET, ROLE, session, write
from sagemaker.automl.automl import AutoML, AutoMLInput
from sagemaker.workflow.automl_step import AutoMLStep
from sagemaker.workflow.function_step import step
from sagemaker.workflow.model_step import ModelStep
from sagemaker.workflow.notebook_job_step import NotebookJobStep
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.steps import CacheConfig

s = session()
automl = AutoML(role=ROLE, target_attribute_name="churn", sagemaker_session=s, mode="ENSEMBLING",
                max_candidates=2, output_path="s3://%s/automl" % BUCKET)
auto = AutoMLStep(name="AutoML", step_args=automl.fit(inputs=AutoMLInput(
    inputs="s3://%s/data/train.csv" % BUCKET, target_attribute_name="churn")),
    cache_config=CacheConfig(enable_caching=True, expire_after="P1D"))
best = auto.get_best_auto_ml_model(ROLE, sagemaker_session=s)
register = ModelStep(name="RegisterBest", step_args=best.register(
    content_types=["text/csv"], response_types=["text/csv"], inference_instances=["ml.m5.xlarge"],
    transform_instances=["ml.m5.xlarge"], model_package_group_name="automl-models"))
write("automl-register-best", Pipeline(name="corpus-automl", steps=[auto, register], sagemaker_session=s))

folder = tempfile.mkdtemp()
notebook = os.path.join(folder, "report.ipynb")
with open(notebook, "w") as f:
    json.dump({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, f)
nb = NotebookJobStep(name="WeeklyReport", input_notebook=notebook, image_uri="111111111111.dkr.ecr.us-east-1.amazonaws.com/notebook:1.0",
                     kernel_name="python3", role=ROLE, s3_root_uri="s3://%s/notebooks" % BUCKET,
                     parameters={"week": "2026-47"}, instance_type="ml.m5.large")
write("notebook-job", Pipeline(name="corpus-notebook", steps=[nb], sagemaker_session=s))

fn_image = "111111111111.dkr.ecr.us-east-1.amazonaws.com/py311:1.0"


@step(name="load", image_uri=fn_image, instance_type="ml.m5.large", role=ROLE, keep_alive_period_in_seconds=0)
def load(n):
    return list(range(n))


@step(name="total", image_uri=fn_image, instance_type="ml.m5.large", role=ROLE)
def total(values):
    return {"sum": sum(values), "count": len(values)}


result = total(load(10))
write("function-steps", Pipeline(name="corpus-functions", steps=[result], sagemaker_session=s))
