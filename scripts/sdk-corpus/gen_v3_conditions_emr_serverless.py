# sdk: v3
"""SDK v3: Condition steps (every type, nested), Fail, Lambda and Callback, EMR Serverless on an
existing application and on one the step creates, a retry policy and an MLflow config."""
from corpus import BUCKET, ROLE, session, write
from sagemaker.core.lambda_helper import Lambda
from sagemaker.core.workflow.conditions import (ConditionEquals, ConditionGreaterThan, ConditionGreaterThanOrEqualTo,
                                                ConditionIn, ConditionLessThan, ConditionLessThanOrEqualTo, ConditionNot,
                                                ConditionOr)
from sagemaker.core.workflow.functions import Join
from sagemaker.core.workflow.parameters import ParameterBoolean, ParameterFloat, ParameterString
from sagemaker.mlops.workflow.callback_step import CallbackOutput, CallbackStep
from sagemaker.mlops.workflow.condition_step import ConditionStep
from sagemaker.mlops.workflow.emr_serverless_step import EMRServerlessJobConfig, EMRServerlessStep
from sagemaker.mlops.workflow.fail_step import FailStep
from sagemaker.mlops.workflow.lambda_step import LambdaOutput, LambdaOutputTypeEnum, LambdaStep
from sagemaker.mlops.workflow.pipeline import Pipeline
from sagemaker.mlops.workflow.retry import StepExceptionTypeEnum, StepRetryPolicy
from sagemaker.mlops.workflow.steps import CacheConfig

s = session()
threshold = ParameterFloat(name="Threshold", default_value=0.5)
stage = ParameterString(name="Stage", default_value="dev", enum_values=["dev", "prod"])
strict = ParameterBoolean(name="Strict", default_value=False)

measure = LambdaStep(name="Measure",
                     lambda_func=Lambda(function_arn="arn:aws:lambda:us-east-1:111111111111:function:measure", session=s),
                     inputs={"stage": stage},
                     outputs=[LambdaOutput(output_name="score", output_type=LambdaOutputTypeEnum.Float),
                              LambdaOutput(output_name="label", output_type=LambdaOutputTypeEnum.String)])
score = measure.properties.Outputs["score"]
job = EMRServerlessJobConfig(job_driver={"sparkSubmit": {"entryPoint": "s3://%s/code/job.py" % BUCKET}},
                             execution_role_arn=ROLE)
on_app = EMRServerlessStep(name="SparkOnApp", display_name="spark", description="existing application", job_config=job,
                           application_id="00fabcdefghijk12",
                           cache_config=CacheConfig(enable_caching=True, expire_after="P1D"),
                           retry_policies=[StepRetryPolicy(exception_types=[StepExceptionTypeEnum.THROTTLING], max_attempts=3)])
new_app = EMRServerlessStep(name="SparkNewApp", display_name="spark2", description="new application", job_config=job,
                            application_config={"name": "corpus", "releaseLabel": "emr-7.0.0", "type": "SPARK"})
approve = CallbackStep(name="Approve", sqs_queue_url="https://sqs.us-east-1.amazonaws.com/111111111111/q",
                       inputs={"score": score}, outputs=[CallbackOutput(output_name="ok")])
fail = FailStep(name="TooLow", error_message=Join(on=" ", values=["score", score, "below", threshold]))
inner = ConditionStep(name="IsProd", conditions=[ConditionEquals(left=stage, right="prod")],
                      if_steps=[approve], else_steps=[new_app])
gate = ConditionStep(
    name="Gate",
    conditions=[ConditionGreaterThanOrEqualTo(left=score, right=threshold), ConditionGreaterThan(left=score, right=0),
                ConditionLessThan(left=score, right=2), ConditionLessThanOrEqualTo(left=score, right=1.5),
                ConditionNot(expression=ConditionIn(value=measure.properties.Outputs["label"], in_values=["bad", "worse"])),
                ConditionOr(conditions=[ConditionEquals(left=strict, right=False), ConditionEquals(left=stage, right="dev")])],
    if_steps=[inner, on_app], else_steps=[fail])
write("conditions-emr-serverless", Pipeline(name="corpus-v3-conditions", parameters=[threshold, stage, strict],
                                            steps=[measure, gate], sagemaker_session=s))
