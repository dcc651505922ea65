"""A pipeline written with the SageMaker Python SDK v3 (sagemaker.mlops.workflow): a gate on a parameter."""
from sagemaker.core.workflow.conditions import ConditionGreaterThanOrEqualTo
from sagemaker.core.workflow.functions import Join
from sagemaker.core.workflow.parameters import ParameterFloat
from sagemaker.core.workflow.pipeline_context import PipelineSession
from sagemaker.mlops.workflow.condition_step import ConditionStep
from sagemaker.mlops.workflow.fail_step import FailStep
from sagemaker.mlops.workflow.pipeline import Pipeline


def get_pipeline(name="v3-gate", region="us-east-1"):
    import boto3
    session = PipelineSession(boto_session=boto3.Session(region_name=region), default_bucket="v3-bucket")
    score = ParameterFloat(name="Score", default_value=0.9)
    too_low = FailStep(name="TooLow", error_message=Join(on=" ", values=["score", score, "is below 0.5"]))
    gate = ConditionStep(name="Gate", conditions=[ConditionGreaterThanOrEqualTo(left=score, right=0.5)],
                         if_steps=[], else_steps=[too_low])
    return Pipeline(name=name, parameters=[score], steps=[gate], sagemaker_session=session)
