# sdk: v3
"""SDK v3 (sagemaker.mlops.workflow): ForEach fan-out over a literal list and over a JSON-list
parameter, with CurrentItem references, a MaxBy selector, IterationOutputs and Selected
references downstream; StepDependency triggers (Failed, Any, Stopped) and the top-level
MlflowConfig; Processing steps from sagemaker.core.processing."""
from corpus import BUCKET, ROLE, image, session, write
from sagemaker.core.lambda_helper import Lambda
from sagemaker.core.processing import ScriptProcessor
from sagemaker.core.shapes.shapes import ProcessingOutput, ProcessingS3Output
from sagemaker.core.workflow.functions import Join
from sagemaker.core.workflow.parameters import ParameterInteger, ParameterString
from sagemaker.mlops.workflow.fail_step import FailStep
from sagemaker.mlops.workflow.for_each_step import CurrentItem, ForEachSelector, ForEachStep, IterationOutput
from sagemaker.mlops.workflow.lambda_step import LambdaOutput, LambdaOutputTypeEnum, LambdaStep
from sagemaker.mlops.workflow.pipeline import Pipeline
from sagemaker.mlops.workflow.step_dependency import StepDependency, TriggerCondition
from sagemaker.mlops.workflow.steps import CacheConfig, ProcessingStep

s = session()
regions = ParameterString(name="Regions", default_value='["us-east-1", "eu-west-1"]')
count = ParameterInteger(name="InstanceCount", default_value=1)
item = CurrentItem()

score = LambdaStep(
    name="ScoreRegion",
    lambda_func=Lambda(function_arn="arn:aws:lambda:us-east-1:111111111111:function:score", session=s),
    inputs={"region": item.region, "weight": item["weight"]},
    outputs=[LambdaOutput(output_name="Score", output_type=LambdaOutputTypeEnum.Float),
             LambdaOutput(output_name="ModelUri", output_type=LambdaOutputTypeEnum.String)])
fan_out = ForEachStep(
    name="PerRegion",
    iterable_items=['{"region": "us-east-1", "weight": 1}', '{"region": "eu-west-1", "weight": 2}'],
    max_concurrency=2,
    for_each_body=[score],
    selector=ForEachSelector(pick="MaxBy", field=IterationOutput(score).OutputParameters["Score"]))

proc = ScriptProcessor(image_uri=image(), command=["python3"], instance_type="ml.m5.xlarge", instance_count=count,
                       role=ROLE, sagemaker_session=s)
prep = ProcessingStep(name="PrepRegion", step_args=proc.run(
    code="s3://%s/code/prep.py" % BUCKET, arguments=["--region", item],
    outputs=[ProcessingOutput(output_name="out", s3_output=ProcessingS3Output(
        s3_uri=Join(on="/", values=["s3:/", BUCKET, "prep", item]), local_path="/opt/ml/processing/out",
        s3_upload_mode="EndOfJob"))]),
    cache_config=CacheConfig(enable_caching=True, expire_after="P1D"))
per_param = ForEachStep(name="PrepEachRegion", iterable_items=regions, max_concurrency=1, for_each_body=[prep],
                        depends_on=[fan_out])

publish = LambdaStep(
    name="PublishBest",
    lambda_func=Lambda(function_arn="arn:aws:lambda:us-east-1:111111111111:function:publish", session=s),
    inputs={"best": fan_out.properties.Selected.OutputParameters["ModelUri"],
            "first": fan_out.properties.IterationOutputs[0].ScoreRegion.OutputParameters["Score"],
            "items": fan_out.properties.InputItemCount},
    depends_on=[per_param])
write("foreach-selector", Pipeline(name="corpus-foreach", parameters=[regions, count],
                                   steps=[fan_out, per_param, publish], sagemaker_session=s))

train = ProcessingStep(name="TrainJob", step_args=proc.run(code="s3://%s/code/train.py" % BUCKET))
notify = LambdaStep(
    name="NotifyOnFailure",
    lambda_func=Lambda(function_arn="arn:aws:lambda:us-east-1:111111111111:function:notify", session=s),
    inputs={"status": train.properties.ProcessingJobStatus},
    depends_on=[StepDependency(train, TriggerCondition.FAILED)])
cleanup = LambdaStep(
    name="Cleanup",
    lambda_func=Lambda(function_arn="arn:aws:lambda:us-east-1:111111111111:function:cleanup", session=s),
    inputs={}, depends_on=[StepDependency("TrainJob", TriggerCondition.ANY), StepDependency(notify, TriggerCondition.STOPPED)])
report = ProcessingStep(name="Report", step_args=proc.run(code="s3://%s/code/report.py" % BUCKET),
                        depends_on=[StepDependency(train, TriggerCondition.COMPLETED)])
stop = FailStep(name="Stop", error_message="training failed", depends_on=[notify])
write("step-dependency-triggers", Pipeline(name="corpus-triggers", parameters=[count],
                                           steps=[train, notify, cleanup, report, stop], sagemaker_session=s))
