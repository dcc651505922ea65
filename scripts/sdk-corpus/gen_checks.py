# sdk: v2
"""QualityCheck (data and model quality) and ClarifyCheck (data bias, model bias, model
explainability) steps, and the MonitorBatchTransformStep the SDK emits for a monitored
batch transform. The SDK writes booleans and nulls in the check steps' top-level keys."""
from corpus import BUCKET, ROLE, image, session, write
from sagemaker.clarify import BiasConfig, DataConfig, ModelConfig, ModelPredictedLabelConfig, SHAPConfig
from sagemaker.inputs import CreateModelInput
from sagemaker.model import Model
from sagemaker.model_monitor import DatasetFormat
from sagemaker.transformer import Transformer
from sagemaker.workflow.check_job_config import CheckJobConfig
from sagemaker.workflow.clarify_check_step import (ClarifyCheckStep, DataBiasCheckConfig, ModelBiasCheckConfig,
                                                   ModelExplainabilityCheckConfig)
from sagemaker.workflow.monitor_batch_transform_step import MonitorBatchTransformStep
from sagemaker.workflow.parameters import ParameterBoolean, ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.quality_check_step import DataQualityCheckConfig, ModelQualityCheckConfig, QualityCheckStep
from sagemaker.workflow.steps import CacheConfig, CreateModelStep

s = session()
skip = ParameterBoolean(name="SkipChecks", default_value=False)
group = ParameterString(name="ModelPackageGroup", default_value="churn-models")
check_job = CheckJobConfig(role=ROLE, instance_count=1, instance_type="ml.c5.xlarge", sagemaker_session=s)
cache = CacheConfig(enable_caching=True, expire_after="P1D")
data = "s3://%s/data/train.csv" % BUCKET

data_quality = QualityCheckStep(
    name="DataQuality", skip_check=skip, register_new_baseline=False, fail_on_violation=True,
    quality_check_config=DataQualityCheckConfig(baseline_dataset=data, dataset_format=DatasetFormat.csv(header=False),
                                                output_s3_uri="s3://%s/checks/data-quality" % BUCKET),
    check_job_config=check_job, model_package_group_name=group, cache_config=cache)
model_quality = QualityCheckStep(
    name="ModelQuality", skip_check=False, register_new_baseline=True,
    supplied_baseline_statistics="s3://%s/baselines/statistics.json" % BUCKET,
    supplied_baseline_constraints="s3://%s/baselines/constraints.json" % BUCKET,
    quality_check_config=ModelQualityCheckConfig(baseline_dataset=data, dataset_format=DatasetFormat.csv(header=False),
                                                 output_s3_uri="s3://%s/checks/model-quality" % BUCKET,
                                                 problem_type="BinaryClassification", inference_attribute="_c0",
                                                 ground_truth_attribute="_c1"),
    check_job_config=check_job)

model = Model(image_uri=image(), model_data="s3://%s/models/model.tar.gz" % BUCKET, role=ROLE, sagemaker_session=s)
create = CreateModelStep(name="CreateModel", model=model, inputs=CreateModelInput(instance_type="ml.m5.xlarge"))
clarify_data = DataConfig(s3_data_input_path=data, s3_output_path="s3://%s/checks/clarify" % BUCKET, label=0,
                          dataset_type="text/csv")
bias = BiasConfig(label_values_or_threshold=[1], facet_name=[3], facet_values_or_threshold=[[0.5]])
model_config = ModelConfig(model_name=create.properties.ModelName, instance_count=1, instance_type="ml.m5.xlarge")
data_bias = ClarifyCheckStep(name="DataBias", skip_check=False, register_new_baseline=False,
                             clarify_check_config=DataBiasCheckConfig(data_config=clarify_data, data_bias_config=bias),
                             check_job_config=check_job, model_package_group_name=group)
model_bias = ClarifyCheckStep(name="ModelBias", skip_check=skip, register_new_baseline=False,
                              clarify_check_config=ModelBiasCheckConfig(
                                  data_config=clarify_data, data_bias_config=bias, model_config=model_config,
                                  model_predicted_label_config=ModelPredictedLabelConfig(probability_threshold=0.5)),
                              check_job_config=check_job,
                              supplied_baseline_constraints="s3://%s/baselines/bias.json" % BUCKET)
explain = ClarifyCheckStep(name="Explainability", skip_check=False, register_new_baseline=True,
                           clarify_check_config=ModelExplainabilityCheckConfig(
                               data_config=clarify_data, model_config=model_config,
                               explainability_config=SHAPConfig(baseline=[[0.1, 0.2, 0.3]], num_samples=10, agg_method="mean_abs")),
                           check_job_config=check_job)
write("quality-and-clarify-checks", Pipeline(name="corpus-checks", parameters=[skip, group],
                                             steps=[data_quality, model_quality, create, data_bias, model_bias, explain],
                                             sagemaker_session=s))

scoring_model = CreateModelStep(name="ScoringModel", model=model, inputs=CreateModelInput(instance_type="ml.m5.xlarge"))
transformer = Transformer(model_name=scoring_model.properties.ModelName, instance_type="ml.m5.xlarge", instance_count=1,
                          output_path="s3://%s/batch" % BUCKET, sagemaker_session=s)
monitored = MonitorBatchTransformStep(
    name="MonitoredScore",
    transform_step_args=transformer.transform(data="s3://%s/data/batch" % BUCKET, content_type="text/csv"),
    monitor_configuration=DataQualityCheckConfig(baseline_dataset="s3://%s/data/batch" % BUCKET,
                                                 dataset_format=DatasetFormat.csv(header=False),
                                                 output_s3_uri="s3://%s/checks/batch" % BUCKET),
    check_job_configuration=check_job, monitor_before_transform=True, fail_on_violation=False,
    supplied_baseline_statistics="s3://%s/baselines/statistics.json" % BUCKET,
    supplied_baseline_constraints="s3://%s/baselines/constraints.json" % BUCKET)
write("monitor-batch-transform", Pipeline(name="corpus-monitor", steps=[scoring_model, monitored], sagemaker_session=s))
