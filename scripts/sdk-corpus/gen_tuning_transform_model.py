# sdk: v2
"""Tuning, ModelStep (create), legacy CreateModelStep, Transform and the model registry
(ModelStep register and the legacy RegisterModel step collection with metrics and baselines)."""
from corpus import BUCKET, ROLE, code_dir, image, session, write
from sagemaker.drift_check_baselines import DriftCheckBaselines
from sagemaker.estimator import Estimator
from sagemaker.inputs import CreateModelInput, TrainingInput, TransformInput
from sagemaker.model import Model
from sagemaker.model_metrics import MetricsSource, ModelMetrics
from sagemaker.transformer import Transformer
from sagemaker.tuner import ContinuousParameter, HyperparameterTuner, IntegerParameter
from sagemaker.workflow.model_step import ModelStep
from sagemaker.workflow.parameters import ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.step_collections import RegisterModel
from sagemaker.workflow.steps import CacheConfig, CreateModelStep, TrainingStep, TransformStep, TuningStep

s = session()
approval = ParameterString(name="ModelApprovalStatus", default_value="PendingManualApproval")
group = ParameterString(name="ModelPackageGroup", default_value="churn-models")

xgb = Estimator(image_uri=image(), instance_type="ml.m5.xlarge", instance_count=1, role=ROLE, sagemaker_session=s,
                output_path="s3://%s/models" % BUCKET)
xgb.set_hyperparameters(objective="binary:logistic", num_round=50)
tuner = HyperparameterTuner(xgb, objective_metric_name="validation:auc", max_jobs=4, max_parallel_jobs=2,
                            hyperparameter_ranges={"eta": ContinuousParameter(0.01, 0.5), "max_depth": IntegerParameter(2, 8)},
                            metric_definitions=[{"Name": "validation:auc", "Regex": "auc:([0-9.]+)"}])
tune = TuningStep(name="Tune", step_args=tuner.fit({"train": TrainingInput("s3://%s/data/train" % BUCKET),
                                                   "validation": TrainingInput("s3://%s/data/validation" % BUCKET)}),
                  cache_config=CacheConfig(enable_caching=True, expire_after="P7D"))
best = Model(image_uri=image(), model_data=tune.get_top_model_s3_uri(top_k=0, s3_bucket=BUCKET, prefix="models"),
             role=ROLE, sagemaker_session=s)
create = ModelStep(name="BestModel", step_args=best.create(instance_type="ml.m5.xlarge"))
transformer = Transformer(model_name=create.properties.ModelName, instance_type="ml.m5.xlarge", instance_count=1,
                          output_path="s3://%s/batch" % BUCKET, sagemaker_session=s)
transform = TransformStep(name="BatchScore", step_args=transformer.transform(
    data="s3://%s/data/batch" % BUCKET, content_type="text/csv", split_type="Line"))
metrics = ModelMetrics(model_statistics=MetricsSource(s3_uri="s3://%s/eval/statistics.json" % BUCKET,
                                                      content_type="application/json"))
baselines = DriftCheckBaselines(model_statistics=MetricsSource(s3_uri="s3://%s/eval/baseline.json" % BUCKET,
                                                               content_type="application/json"))
register = ModelStep(name="Register", step_args=best.register(
    content_types=["text/csv"], response_types=["text/csv"], inference_instances=["ml.m5.xlarge"],
    transform_instances=["ml.m5.xlarge"], model_package_group_name=group, approval_status=approval,
    model_metrics=metrics, drift_check_baselines=baselines, customer_metadata_properties={"team": "ml"}))
write("tuning-model-transform-register", Pipeline(name="corpus-tuning", parameters=[approval, group],
                                                  steps=[tune, create, transform, register], sagemaker_session=s))

# The legacy step classes: CreateModelStep and the RegisterModel step collection (with repack).
train = TrainingStep(name="Train", estimator=xgb, inputs={"train": TrainingInput("s3://%s/data/train" % BUCKET)})
legacy_model = Model(image_uri=image(), model_data=train.properties.ModelArtifacts.S3ModelArtifacts, role=ROLE,
                     sagemaker_session=s)
legacy_create = CreateModelStep(name="LegacyCreate", model=legacy_model,
                                inputs=CreateModelInput(instance_type="ml.m5.xlarge"))
legacy_register = RegisterModel(name="LegacyRegister", estimator=xgb, model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
                                content_types=["text/csv"], response_types=["text/csv"], inference_instances=["ml.m5.xlarge"],
                                transform_instances=["ml.m5.xlarge"], model_package_group_name=group,
                                approval_status=approval, entry_point="train.py", source_dir=code_dir(), depends_on=[legacy_create])
write("legacy-create-and-register", Pipeline(name="corpus-legacy", parameters=[approval, group],
                                             steps=[train, legacy_create, legacy_register], sagemaker_session=s))
