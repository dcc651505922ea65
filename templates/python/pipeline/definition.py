"""{{name}}: the SageMaker pipeline, written with the SageMaker Python SDK (v2).

preprocess -> train -> evaluate -> quality gate on the evaluation report -> register or fail.
pipeops compiles this file (`pipeops compile`, or any command that reads the definition) by
calling get_pipeline(**kwargs) with `pipeline.kwargs` from pipeops.yaml, offline: the scripts
the SDK uploads are captured into .pipeops/s3 (so `pipeops run` runs them) and published by
`pipeops upsert`. Everything that differs between dev, staging and prod is a parameter (see
environments/); the structure is promoted unchanged.
"""
import hashlib
import os

import boto3
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor
from sagemaker.s3 import S3Uploader
from sagemaker.workflow.condition_step import ConditionStep
from sagemaker.workflow.conditions import ConditionGreaterThanOrEqualTo
from sagemaker.workflow.fail_step import FailStep
from sagemaker.workflow.functions import Join, JsonGet
from sagemaker.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.pipeline_context import PipelineSession
from sagemaker.workflow.properties import PropertyFile
from sagemaker.workflow.retry import StepExceptionTypeEnum, StepRetryPolicy
from sagemaker.workflow.step_collections import RegisterModel
from sagemaker.workflow.steps import CacheConfig, ProcessingStep, TrainingStep

STEPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "steps")


def upload(path, bucket, name, session):
    """Uploads one script at a content address, so an edited script is a new URI."""
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    return S3Uploader.upload(path, "s3://%s/%s/code/%s" % (bucket, name, digest), sagemaker_session=session)


def get_pipeline(name="{{name}}", region="{{region}}", account="{{account}}", role="{{role}}", bucket="{{bucket}}"):
    session = PipelineSession(boto_session=boto3.Session(region_name=region), default_bucket=bucket)
    image = "%s.dkr.ecr.%s.amazonaws.com/%s:latest" % (account, region, name)

    processing_instance_type = ParameterString(
        "ProcessingInstanceType", default_value="ml.m5.large", enum_values=["ml.m5.large", "ml.m5.xlarge", "ml.m5.2xlarge"])
    training_instance_type = ParameterString(
        "TrainingInstanceType", default_value="ml.m5.large",
        enum_values=["ml.m5.large", "ml.m5.xlarge", "ml.m5.2xlarge", "ml.c5.2xlarge"])
    training_instance_count = ParameterInteger("TrainingInstanceCount", default_value=1)
    input_data = ParameterString("InputData", default_value="s3://%s/data/sample/" % bucket)
    epochs = ParameterInteger("Epochs", default_value=300)
    accuracy_threshold = ParameterFloat("AccuracyThreshold", default_value=0.7)
    model_approval_status = ParameterString(
        "ModelApprovalStatus", default_value="PendingManualApproval", enum_values=["PendingManualApproval", "Approved"])

    cache = CacheConfig(enable_caching=True, expire_after="P30D")
    service_retries = StepRetryPolicy(
        exception_types=[StepExceptionTypeEnum.SERVICE_FAULT, StepExceptionTypeEnum.THROTTLING],
        interval_seconds=5, backoff_rate=2.0, max_attempts=3)

    processor = ScriptProcessor(
        image_uri=image, command=["python3"], role=role, instance_type=processing_instance_type, instance_count=1,
        volume_size_in_gb=30, sagemaker_session=session)
    preprocess = ProcessingStep(
        name="Preprocess",
        step_args=processor.run(
            code=os.path.join(STEPS, "preprocess.py"),
            inputs=[ProcessingInput(source=input_data, destination="/opt/ml/processing/input")],
            outputs=[
                ProcessingOutput(output_name="train", source="/opt/ml/processing/train"),
                ProcessingOutput(output_name="test", source="/opt/ml/processing/test"),
            ]),
        cache_config=cache, retry_policies=[service_retries])

    estimator = Estimator(
        image_uri=image, role=role, instance_count=training_instance_count, instance_type=training_instance_type,
        volume_size=30, max_run=3600, output_path="s3://%s/models" % bucket, sagemaker_session=session,
        container_entry_point=["python3", "/opt/ml/input/data/code/train.py"],
        hyperparameters={"epochs": epochs, "learning_rate": "0.8"},
        metric_definitions=[{"Name": "train:loss", "Regex": "train_loss=([0-9.]+)"}])
    train = TrainingStep(
        name="Train",
        step_args=estimator.fit({
            "train": TrainingInput(preprocess.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri),
            "code": TrainingInput(upload(os.path.join(STEPS, "train.py"), bucket, name, session)),
        }),
        cache_config=cache, retry_policies=[service_retries])

    report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep(
        name="Evaluate",
        step_args=processor.run(
            code=os.path.join(STEPS, "evaluate.py"),
            inputs=[
                ProcessingInput(source=train.properties.ModelArtifacts.S3ModelArtifacts, destination="/opt/ml/processing/model"),
                ProcessingInput(
                    source=preprocess.properties.ProcessingOutputConfig.Outputs["test"].S3Output.S3Uri,
                    destination="/opt/ml/processing/test"),
            ],
            outputs=[ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")]),
        property_files=[report], cache_config=cache)

    register = RegisterModel(
        name="RegisterModel", estimator=estimator, model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        content_types=["text/csv"], response_types=["text/csv"], inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"], model_package_group_name=name, approval_status=model_approval_status)
    too_low = FailStep(
        name="AccuracyTooLow",
        error_message=Join(on=" ", values=["model accuracy is below the threshold of", accuracy_threshold]))
    gate = ConditionStep(
        name="QualityGate",
        conditions=[ConditionGreaterThanOrEqualTo(
            left=JsonGet(step_name=evaluate.name, property_file=report, json_path="metrics.accuracy.value"),
            right=accuracy_threshold)],
        if_steps=[register], else_steps=[too_low])

    return Pipeline(
        name=name,
        parameters=[processing_instance_type, training_instance_type, training_instance_count, input_data, epochs,
                    accuracy_threshold, model_approval_status],
        steps=[preprocess, train, evaluate, gate],
        sagemaker_session=session)
