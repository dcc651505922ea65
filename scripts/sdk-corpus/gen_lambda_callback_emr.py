# sdk: v2
"""Lambda and Callback steps with output parameters of every type, EMR steps on an existing
cluster and on a cluster the step creates."""
from corpus import BUCKET, ROLE, session, write
from sagemaker.lambda_helper import Lambda
from sagemaker.workflow.callback_step import CallbackOutput, CallbackOutputTypeEnum, CallbackStep
from sagemaker.workflow.emr_step import EMRStep, EMRStepConfig
from sagemaker.workflow.lambda_step import LambdaOutput, LambdaOutputTypeEnum, LambdaStep
from sagemaker.workflow.parameters import ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.steps import CacheConfig

s = session()
dataset = ParameterString(name="Dataset", default_value="s3://%s/data/raw.csv" % BUCKET)
check = LambdaStep(name="ValidateDataset",
                   lambda_func=Lambda(function_arn="arn:aws:lambda:us-east-1:111111111111:function:validate", session=s),
                   inputs={"dataset": dataset, "rows": 100},
                   outputs=[LambdaOutput(output_name="valid", output_type=LambdaOutputTypeEnum.Boolean),
                            LambdaOutput(output_name="rows", output_type=LambdaOutputTypeEnum.Integer),
                            LambdaOutput(output_name="ratio", output_type=LambdaOutputTypeEnum.Float),
                            LambdaOutput(output_name="path", output_type=LambdaOutputTypeEnum.String)],
                   cache_config=CacheConfig(enable_caching=True, expire_after="PT1H"))
approve = CallbackStep(name="ManualApproval", sqs_queue_url="https://sqs.us-east-1.amazonaws.com/111111111111/approvals",
                       inputs={"path": check.properties.Outputs["path"]},
                       outputs=[CallbackOutput(output_name="approved", output_type=CallbackOutputTypeEnum.Boolean),
                                CallbackOutput(output_name="approver")])
config = EMRStepConfig(jar="command-runner.jar", args=["spark-submit", "s3://%s/code/job.py" % BUCKET])
on_cluster = EMRStep(name="SparkOnCluster", display_name="Spark", description="existing cluster",
                     cluster_id="j-1ABCDEFGHIJKL", step_config=config, depends_on=[approve],
                     cache_config=CacheConfig(enable_caching=True, expire_after="P1D"))
new_cluster = EMRStep(name="SparkNewCluster", display_name="Spark2", description="new cluster", cluster_id=None,
                      step_config=config, cluster_config={
                          "ReleaseLabel": "emr-6.15.0", "Applications": [{"Name": "Spark"}],
                          "Instances": {"InstanceGroups": [
                              {"InstanceRole": "MASTER", "InstanceType": "m5.xlarge", "InstanceCount": 1},
                              {"InstanceRole": "CORE", "InstanceType": "m5.xlarge", "InstanceCount": 2}]},
                          "JobFlowRole": "EMR_EC2_DefaultRole", "ServiceRole": "EMR_DefaultRole"},
                      depends_on=[on_cluster])
write("lambda-callback-emr", Pipeline(name="corpus-lambda", parameters=[dataset],
                                      steps=[check, approve, on_cluster, new_cluster], sagemaker_session=s))
