# sdk: v2
"""Processing steps: ScriptProcessor, framework processors with code=/source_dir, property
files, caching, retry policies, PipelineDefinitionConfig custom prefixes, no experiment config."""
import os

from corpus import BUCKET, ROLE, code_dir, image, session, write
from sagemaker.processing import FrameworkProcessor, ProcessingInput, ProcessingOutput, ScriptProcessor
from sagemaker.sklearn.estimator import SKLearn
from sagemaker.sklearn.processing import SKLearnProcessor
from sagemaker.workflow.parameters import ParameterInteger, ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.pipeline_definition_config import PipelineDefinitionConfig
from sagemaker.workflow.properties import PropertyFile
from sagemaker.workflow.retry import SageMakerJobExceptionTypeEnum, SageMakerJobStepRetryPolicy, StepExceptionTypeEnum, StepRetryPolicy
from sagemaker.workflow.steps import CacheConfig, ProcessingStep

s = session()
code = code_dir()
instance_type = ParameterString(name="ProcessingInstanceType", default_value="ml.m5.xlarge")
instance_count = ParameterInteger(name="ProcessingInstanceCount", default_value=1)
input_data = ParameterString(name="InputData", default_value="s3://%s/data/raw.csv" % BUCKET)

script = ScriptProcessor(image_uri=image(), command=["python3"], instance_type=instance_type,
                         instance_count=instance_count, role=ROLE, sagemaker_session=s)
prep = ProcessingStep(
    name="Preprocess",
    step_args=script.run(code=os.path.join(code, "preprocess.py"),
                         inputs=[ProcessingInput(source=input_data, destination="/opt/ml/processing/input")],
                         outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train"),
                                  ProcessingOutput(output_name="test", source="/opt/ml/processing/test")],
                         arguments=["--split", "0.2"]),
    cache_config=CacheConfig(enable_caching=True, expire_after="P30D"),
    retry_policies=[StepRetryPolicy(exception_types=[StepExceptionTypeEnum.SERVICE_FAULT, StepExceptionTypeEnum.THROTTLING],
                                    max_attempts=3, backoff_rate=2.0, interval_seconds=1),
                    SageMakerJobStepRetryPolicy(exception_types=[SageMakerJobExceptionTypeEnum.CAPACITY_ERROR],
                                                expire_after_mins=60)],
)
report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
sk = SKLearnProcessor(framework_version="1.2-1", instance_type="ml.m5.xlarge", instance_count=1, role=ROLE, sagemaker_session=s)
evaluate = ProcessingStep(
    name="Evaluate",
    step_args=sk.run(code=os.path.join(code, "evaluate.py"),
                     inputs=[ProcessingInput(source=prep.properties.ProcessingOutputConfig.Outputs["test"].S3Output.S3Uri,
                                             destination="/opt/ml/processing/test")],
                     outputs=[ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")]),
    property_files=[report],
)
write("processing-script-and-sklearn", Pipeline(name="corpus-processing", parameters=[instance_type, instance_count, input_data],
                                                steps=[prep, evaluate], sagemaker_session=s))

# A framework processor with source_dir (the SDK tars the folder and adds a runproc.sh entry point).
fw = FrameworkProcessor(estimator_cls=SKLearn, framework_version="1.2-1", instance_type="ml.m5.xlarge", instance_count=1,
                        role=ROLE, sagemaker_session=s)
fw_step = ProcessingStep(
    name="FrameworkPrep",
    step_args=fw.run(code="preprocess.py", source_dir=code,
                     outputs=[ProcessingOutput(output_name="out", source="/opt/ml/processing/out")]),
    depends_on=["Preprocess"],
)
# Custom job-name prefixes keep ProcessingJobName in the arguments.
write("processing-framework-custom-prefix", Pipeline(
    name="corpus-processing-fw", parameters=[instance_type, instance_count, input_data], steps=[prep, fw_step],
    sagemaker_session=s, pipeline_definition_config=PipelineDefinitionConfig(use_custom_job_prefix=True),
    pipeline_experiment_config=None))
