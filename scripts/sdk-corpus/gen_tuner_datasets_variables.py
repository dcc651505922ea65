# sdk: v2
"""HyperparameterTuner.create with two estimators and a warm start from a parent tuning job,
processing inputs from DatasetDefinitions (Athena and Redshift), and every ExecutionVariable in
one step's arguments and environment."""
from corpus import BUCKET, ROLE, image, session, write
from sagemaker.dataset_definition.inputs import AthenaDatasetDefinition, DatasetDefinition, RedshiftDatasetDefinition
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.processing import ProcessingInput, ScriptProcessor
from sagemaker.tuner import ContinuousParameter, HyperparameterTuner, IntegerParameter, WarmStartConfig, WarmStartTypes
from sagemaker.workflow.execution_variables import ExecutionVariables
from sagemaker.workflow.functions import Join
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.steps import ProcessingStep, TuningStep

s = session()

variables = [ExecutionVariables.START_DATETIME, ExecutionVariables.CURRENT_DATETIME, ExecutionVariables.PIPELINE_NAME,
             ExecutionVariables.PIPELINE_ARN, ExecutionVariables.PIPELINE_EXECUTION_ID,
             ExecutionVariables.PIPELINE_EXECUTION_ARN, ExecutionVariables.TRAINING_JOB_NAME,
             ExecutionVariables.PROCESSING_JOB_NAME]
processor = ScriptProcessor(image_uri=image(), command=["python3"], instance_type="ml.m5.xlarge", instance_count=1, role=ROLE,
                            sagemaker_session=s, env={"RUN": Join(on="|", values=variables)})
athena = DatasetDefinition(
    local_path="/opt/ml/processing/athena", data_distribution_type="FullyReplicated", input_mode="File",
    athena_dataset_definition=AthenaDatasetDefinition(
        catalog="AwsDataCatalog", database="churn", query_string="SELECT * FROM events", work_group="primary",
        output_s3_uri="s3://%s/athena/" % BUCKET, output_format="PARQUET"))
redshift = DatasetDefinition(
    local_path="/opt/ml/processing/redshift", data_distribution_type="FullyReplicated", input_mode="File",
    redshift_dataset_definition=RedshiftDatasetDefinition(
        cluster_id="churn-warehouse", database="dev", db_user="analyst", query_string="SELECT 1",
        cluster_role_arn=ROLE, output_s3_uri="s3://%s/redshift/" % BUCKET, output_format="CSV"))
prep = ProcessingStep(name="Extract", step_args=processor.run(
    code="s3://%s/code/extract.py" % BUCKET,
    inputs=[ProcessingInput(input_name="athena", dataset_definition=athena),
            ProcessingInput(input_name="redshift", dataset_definition=redshift)],
    arguments=["--execution", ExecutionVariables.PIPELINE_EXECUTION_ID, "--started", ExecutionVariables.START_DATETIME]))

linear = Estimator(image_uri=image(), instance_type="ml.m5.xlarge", instance_count=1, role=ROLE, sagemaker_session=s,
                   output_path="s3://%s/models" % BUCKET)
boosted = Estimator(image_uri=image(), instance_type="ml.m5.2xlarge", instance_count=1, role=ROLE, sagemaker_session=s,
                    output_path="s3://%s/models" % BUCKET)
tuner = HyperparameterTuner.create(
    estimator_dict={"linear": linear, "boosted": boosted},
    objective_metric_name_dict={"linear": "validation:auc", "boosted": "validation:auc"},
    hyperparameter_ranges_dict={"linear": {"eta": ContinuousParameter(0.01, 0.5)},
                                "boosted": {"max_depth": IntegerParameter(2, 8)}},
    metric_definitions_dict={"linear": [{"Name": "validation:auc", "Regex": "auc:([0-9.]+)"}],
                             "boosted": [{"Name": "validation:auc", "Regex": "auc:([0-9.]+)"}]},
    max_jobs=6, max_parallel_jobs=2,
    warm_start_config=WarmStartConfig(WarmStartTypes.TRANSFER_LEARNING, parents={"churn-tuning-2026-11-01"}))
tune = TuningStep(name="TuneBoth", step_args=tuner.fit(
    inputs={"linear": {"train": TrainingInput("s3://%s/data/train" % BUCKET)},
            "boosted": {"train": TrainingInput("s3://%s/data/train" % BUCKET)}}, include_cls_metadata={}),
    depends_on=[prep])
write("tuner-datasets-variables", Pipeline(name="corpus-tuner-datasets", steps=[prep, tune], sagemaker_session=s))
