# sdk: v3
"""SDK v3 (sagemaker.mlops.workflow): a JobStep from a CreateJob-backed producer (the SDK's own
capture path, `capture_create_job_request`), a CleanupStep of a training and a processing step's
outputs, and a ModelTrainer whose compute is given as InstancePreferences (no InstanceType)."""
import warnings

from corpus import BUCKET, ROLE, image, session, write
from sagemaker.core.shapes.shapes import InstancePreference
from sagemaker.core.training.configs import Compute, SourceCode
from sagemaker.core.workflow.pipeline_capture import capture_create_job_request
from sagemaker.core.workflow.pipeline_context import runnable_by_pipeline
from sagemaker.core.workflow.parameters import ParameterString
from sagemaker.mlops.workflow.cleanup_step import CleanupStep, S3CleanupSource
from sagemaker.mlops.workflow.lambda_step import LambdaStep
from sagemaker.core.lambda_helper import Lambda
from sagemaker.mlops.workflow.pipeline import Pipeline
from sagemaker.mlops.workflow.retry import SageMakerJobExceptionTypeEnum, SageMakerJobStepRetryPolicy
from sagemaker.mlops.workflow.steps import CacheConfig, JobStep, TrainingStep
from sagemaker.train.model_trainer import ModelTrainer
from sagemaker.train.multi_turn_rl_trainer import JOB_CATEGORY, JOB_CONFIG_SCHEMA_VERSION

warnings.simplefilter("ignore")
s = session()
dataset = ParameterString(name="EvalDataset", default_value="s3://%s/data/eval.jsonl" % BUCKET)


class Evaluation:
    """A CreateJob-backed producer, declared the way the SDK's own ones are (_pipeline_caller_name)."""
    _pipeline_caller_name = "create_job"

    def __init__(self, sagemaker_session):
        self.sagemaker_session = sagemaker_session

    @runnable_by_pipeline
    def run(self, wait=True):
        capture_create_job_request(
            self.sagemaker_session, job_name="corpus-eval", role_arn=ROLE, job_category=JOB_CATEGORY,
            schema_version=JOB_CONFIG_SCHEMA_VERSION,
            job_config={"InputDataConfig": [{"ChannelName": "eval", "DataSource": {"S3Uri": dataset}}],
                        "OutputDataConfig": {"S3OutputPath": "s3://%s/eval" % BUCKET}})


trainer = ModelTrainer(
    training_image=image(), role=ROLE, sagemaker_session=s, base_job_name="corpus-flex",
    compute=Compute(instance_count=1, volume_size_in_gb=30, instance_preferences=[
        InstancePreference(instance_type="ml.g5.xlarge"), InstancePreference(instance_type="ml.g6.xlarge")]),
    source_code=SourceCode(command="python3 train.py"))
train = TrainingStep(name="TrainFlexible", step_args=trainer.train(),
                     cache_config=CacheConfig(enable_caching=True, expire_after="P7D"))
evaluate = JobStep(name="Evaluate", step_args=Evaluation(s).run(), depends_on=[train],
                   retry_policies=[SageMakerJobStepRetryPolicy(
                       exception_types=[SageMakerJobExceptionTypeEnum.RESOURCE_LIMIT], max_attempts=3)])
report = LambdaStep(
    name="Report", lambda_func=Lambda(function_arn="arn:aws:lambda:us-east-1:111111111111:function:report", session=s),
    inputs={"evaluation": evaluate.properties.JobArn, "status": evaluate.properties.JobStatus,
            "document": evaluate.properties.JobConfigDocument})
cleanup = CleanupStep(name="CleanUp", s3_sources=[S3CleanupSource(train)], depends_on=[report])
write("job-cleanup-preferences", Pipeline(name="corpus-job-cleanup", parameters=[dataset],
                                          steps=[train, evaluate, report, cleanup], sagemaker_session=s))
