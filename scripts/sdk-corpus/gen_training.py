# sdk: v2
"""Training steps: a generic Estimator with metric definitions, script mode with source_dir,
hyperparameters from JsonGet, data dependencies, depends_on by name and by step object."""
import os

from corpus import BUCKET, ROLE, code_dir, image, session, write
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.processing import ProcessingOutput, ScriptProcessor
from sagemaker.sklearn.estimator import SKLearn
from sagemaker.workflow.functions import Join, JsonGet
from sagemaker.workflow.parameters import ParameterFloat, ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.properties import PropertyFile
from sagemaker.workflow.steps import CacheConfig, ProcessingStep, TrainingStep

s = session()
code = code_dir()
train_type = ParameterString(name="TrainingInstanceType", default_value="ml.m5.xlarge")
eta = ParameterFloat(name="Eta", default_value=0.2)

proc = ScriptProcessor(image_uri=image(), command=["python3"], instance_type="ml.m5.xlarge", instance_count=1, role=ROLE,
                       sagemaker_session=s)
hp_file = PropertyFile(name="Hyperparameters", output_name="hp", path="hp.json")
prep = ProcessingStep(name="Prep", property_files=[hp_file], step_args=proc.run(
    code=os.path.join(code, "preprocess.py"),
    outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train"),
             ProcessingOutput(output_name="hp", source="/opt/ml/processing/hp")]))

xgb = Estimator(image_uri=image(), instance_type=train_type, instance_count=1, role=ROLE, sagemaker_session=s,
                output_path="s3://%s/models" % BUCKET,
                metric_definitions=[{"Name": "validation:auc", "Regex": "validation-auc:([0-9.]+)"}])
xgb.set_hyperparameters(objective="binary:logistic", num_round=50, eta=eta,
                        max_depth=JsonGet(step_name=prep.name, property_file=hp_file, json_path="max_depth"))
train = TrainingStep(name="Train", step_args=xgb.fit({"train": TrainingInput(
    s3_data=prep.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri, content_type="text/csv")}),
    cache_config=CacheConfig(enable_caching=True, expire_after="PT12H"))

script = SKLearn(entry_point="train.py", source_dir=code, framework_version="1.2-1", instance_type="ml.m5.xlarge",
                 role=ROLE, sagemaker_session=s, hyperparameters={"alpha": 0.1},
                 environment={"MODE": "full"})
train_script = TrainingStep(name="TrainScriptMode", step_args=script.fit({"train": TrainingInput(
    s3_data=Join(on="/", values=["s3:/", BUCKET, "data", train_type]))}), depends_on=[prep])

write("training-estimators", Pipeline(name="corpus-training", parameters=[train_type, eta], steps=[prep, train, train_script],
                                      sagemaker_session=s))
