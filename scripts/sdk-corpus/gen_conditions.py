# sdk: v2
"""Condition steps with every condition type (Equals, GreaterThan…, In, Not, Or), a nested
Condition step in a branch, Fail steps with Join messages, execution variables."""
from corpus import BUCKET, ROLE, image, session, write
from sagemaker.processing import ProcessingOutput, ScriptProcessor
from sagemaker.workflow.condition_step import ConditionStep
from sagemaker.workflow.conditions import (ConditionEquals, ConditionGreaterThan, ConditionGreaterThanOrEqualTo, ConditionIn,
                                           ConditionLessThan, ConditionLessThanOrEqualTo, ConditionNot, ConditionOr)
from sagemaker.workflow.execution_variables import ExecutionVariables
from sagemaker.workflow.fail_step import FailStep
from sagemaker.workflow.functions import Join, JsonGet
from sagemaker.workflow.parameters import ParameterBoolean, ParameterFloat, ParameterInteger, ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.properties import PropertyFile
from sagemaker.workflow.steps import ProcessingStep

s = session()
threshold = ParameterFloat(name="AccuracyThreshold", default_value=0.8)
max_errors = ParameterInteger(name="MaxErrors", default_value=10)
region = ParameterString(name="Region", default_value="us-east-1", enum_values=["us-east-1", "eu-west-1"])
strict = ParameterBoolean(name="Strict", default_value=True)

proc = ScriptProcessor(image_uri=image(), command=["python3"], instance_type="ml.m5.xlarge", instance_count=1, role=ROLE,
                       sagemaker_session=s)
report = PropertyFile(name="Report", output_name="report", path="report.json")
evaluate = ProcessingStep(name="Evaluate", property_files=[report], step_args=proc.run(
    code="s3://%s/code/evaluate.py" % BUCKET,
    outputs=[ProcessingOutput(output_name="report", source="/opt/ml/processing/report",
                              destination=Join(on="/", values=["s3:/", BUCKET, ExecutionVariables.PIPELINE_EXECUTION_ID, "report"]))]))
accuracy = JsonGet(step_name=evaluate.name, property_file=report, json_path="metrics.accuracy.value")
errors = JsonGet(step_name=evaluate.name, property_file=report, json_path="errors")

publish = ProcessingStep(name="Publish", step_args=proc.run(code="s3://%s/code/publish.py" % BUCKET))
too_many = FailStep(name="TooManyErrors", error_message=Join(on=" ", values=["errors above", max_errors]))
inner = ConditionStep(name="CheckErrors", conditions=[ConditionLessThanOrEqualTo(left=errors, right=max_errors)],
                      if_steps=[publish], else_steps=[too_many])
low = FailStep(name="AccuracyTooLow", error_message=Join(on="", values=["accuracy below ", threshold, " in ",
                                                                        ExecutionVariables.PIPELINE_EXECUTION_ARN]))
gate = ConditionStep(
    name="QualityGate",
    conditions=[ConditionGreaterThanOrEqualTo(left=accuracy, right=threshold),
                ConditionGreaterThan(left=accuracy, right=0.0),
                ConditionLessThan(left=errors, right=1000),
                ConditionNot(expression=ConditionIn(value=region, in_values=["cn-north-1", "us-gov-west-1"])),
                ConditionOr(conditions=[ConditionEquals(left=strict, right=True),
                                        ConditionEquals(left=evaluate.properties.ProcessingJobStatus, right="Completed")])],
    if_steps=[inner], else_steps=[low])
write("conditions-every-type-nested", Pipeline(name="corpus-conditions", parameters=[threshold, max_errors, region, strict],
                                               steps=[evaluate, gate], sagemaker_session=s))
