extension StepKind {
    /// Every step type pipeops knows, with its facts (AWS Pipelines step reference, the API model,
    /// the SDK's step classes). One entry per type; nothing else in pipeops switches over the type.
    public static let catalog: [StepKind] = [
        with(.autoML, "AutoML") {
            $0.supportsCaching = true
            $0.supportsRetry = true
            $0.arguments = ("CreateAutoMLJobRequest", ["AutoMLJobName", "ModelDeployConfig", "GenerateCandidateDefinitionsOnly"])
            $0.properties = .shape("DescribeAutoMLJobResponse")
            $0.propertyExtras = { _ in
                ["BestCandidateProperties": .fixed(["ModelInsightsJsonReportPath": .scalar, "ExplainabilityJsonReportPath": .scalar])]
            }
            $0.cacheKeyAttributes = ["AutoMLJobConfig", "AutoMLJobObjective", "InputDataConfig", "ProblemType"]
            $0.failedStatusField = "AutoMLJobStatus"
        },
        with(.callback, "Callback") {
            $0.supportsCaching = true
            $0.properties = .outputParameters
            $0.stepKeys = ["SqsQueueUrl": .string, "OutputParameters": .array]
            $0.requiredKeys = ["SqsQueueUrl"]
            $0.localRun = .outputs
        },
        with(.clarifyCheck, "ClarifyCheck") {
            $0.supportsCaching = true
            $0.properties = .fixed({ ["CalculatedBaselineConstraints": .scalar, "BaselineUsedForDriftCheckConstraints": .scalar] })
            $0.stepKeys = checkStepKeys.merging(["ModelName": .stringExpressionOrNull]) { $1 }
            $0.requiredKeys = ["CheckType"]
        },
        // The SDK gives a CleanupStep no properties; what it cleaned is in the execution's step metadata.
        with(.cleanup, "Cleanup") { $0.properties = .fixed({ [:] }) },
        with(.condition, "Condition") {
            $0.properties = .fixed({ ["Outcome": .scalar] })
            $0.argumentKeys = ["Conditions": .array, "IfSteps": .array, "ElseSteps": .array]
            $0.localRun = .emulated
        },
        with(.emr, "EMR") {
            $0.supportsCaching = true
            $0.supportsRetry = true
            $0.properties = .shape("emr.Step")
            $0.cacheKeyAttributes = ["ClusterId", "StepConfig"]
        },
        with(.emrServerless, "EMRServerless") {
            $0.supportsCaching = true
            $0.supportsRetry = true
            $0.properties = .shape("emrs.GetJobRunResponse")
        },
        with(.endpoint, "Endpoint") {
            $0.supportsCaching = true
            $0.properties = .shape("DescribeEndpointOutput")
        },
        with(.endpointConfig, "EndpointConfig") {
            $0.supportsCaching = true
            $0.supportsRetry = true
            $0.properties = .shape("DescribeEndpointConfigOutput")
        },
        with(.fail, "Fail") {
            $0.argumentKeys = ["ErrorMessage": .stringOrExpression]
            $0.localRun = .emulated
        },
        // Everything a ForEach step needs is in its Arguments (SDK v3 for_each_step.py).
        with(.forEach, "ForEach") {
            $0.removedKeys = ["CacheConfig", "RetryPolicies"]
            $0.argumentKeys = [
                "IterableItems": .arrayOrExpression, "MaxConcurrency": .integerOrExpression, "Selector": .object, "ForEachBody": .array,
            ]
            $0.localRun = .emulated
        },
        with(.inferenceComponent, "InferenceComponent") { $0.properties = .shape("DescribeInferenceComponentOutput") },
        with(.job, "Job") {
            $0.supportsCaching = true
            $0.supportsRetry = true
            $0.arguments = ("CreateJobRequest", ["JobName", "Tags"])
            $0.properties = .shape("DescribeJobResponse")
            // A JSON string the service parses when the reference is resolved: a path may descend
            // into it (SDK v3 JobStep: properties.JobConfigDocument.OutputModelPackageArn).
            $0.propertyExtras = { _ in ["JobConfigDocument": .opaque] }
        },
        with(.lambda, "Lambda") {
            $0.supportsCaching = true
            $0.properties = .outputParameters
            $0.stepKeys = ["FunctionArn": .string, "OutputParameters": .array]
            $0.requiredKeys = ["FunctionArn"]
            $0.localRun = .outputs
        },
        with(.lineage, "Lineage") {
            $0.properties = .fixed({
                [
                    "ActionArns": .keyed(.scalar, keys: nil, what: "ActionArns"),
                    "ArtifactArns": .keyed(.scalar, keys: nil, what: "ArtifactArns"),
                    "ContextArns": .keyed(.scalar, keys: nil, what: "ContextArns"),
                    "Associations": .opaque,
                ]
            })
        },
        with(.model, "Model") {
            $0.supportsRetry = true
            $0.arguments = ("CreateModelInput", ["ModelName"])
            $0.properties = .shape("DescribeModelOutput")
            $0.localRun = .emulated
        },
        with(.processing, "Processing") {
            $0.supportsCaching = true
            $0.supportsRetry = true
            $0.arguments = ("CreateProcessingJobRequest", ["ProcessingJobName"])
            $0.properties = .shape("DescribeProcessingJobResponse")
            $0.cacheKeyAttributes = ["AppSpecification", "Environment", "ProcessingInputs"]
            $0.failedStatusField = "ProcessingJobStatus"
            $0.stepKeys = ["PropertyFiles": .array]
            $0.jobNameVariable = "ProcessingJobName"
            $0.localRun = .emulated
        },
        with(.qualityCheck, "QualityCheck") {
            $0.supportsCaching = true
            $0.properties = .fixed({
                [
                    "CalculatedBaselineConstraints": .scalar, "CalculatedBaselineStatistics": .scalar,
                    "BaselineUsedForDriftCheckStatistics": .scalar, "BaselineUsedForDriftCheckConstraints": .scalar,
                ]
            })
            $0.stepKeys = checkStepKeys.merging(["SuppliedBaselineStatistics": .stringExpressionOrNull]) { $1 }
            $0.requiredKeys = ["CheckType"]
        },
        with(.registerModel, "RegisterModel") {
            $0.supportsRetry = true
            $0.arguments = ("CreateModelPackageInput", ["ModelPackageName", "CertifyForMarketplace", "Description"])
            $0.properties = .shape("DescribeModelPackageOutput")
            $0.localRun = .emulated
        },
        with(.training, "Training") {
            $0.supportsCaching = true
            $0.supportsRetry = true
            $0.arguments = ("CreateTrainingJobRequest", ["TrainingJobName"])
            $0.properties = .shape("DescribeTrainingJobResponse")
            $0.cacheKeyAttributes = [
                "AlgorithmSpecification", "CheckpointConfig", "DebugHookConfig", "DebugRuleConfigurations", "Environment",
                "HyperParameters",
                "InputDataConfig",
            ]
            $0.failedStatusField = "TrainingJobStatus"
            $0.jobNameVariable = "TrainingJobName"
            $0.localRun = .emulated
        },
        with(.transform, "Transform") {
            $0.supportsCaching = true
            $0.supportsRetry = true
            $0.arguments = ("CreateTransformJobRequest", ["TransformJobName"])
            $0.properties = .shape("DescribeTransformJobResponse")
            $0.cacheKeyAttributes = ["DataProcessing", "Environment", "ModelName", "TransformInput"]
            $0.failedStatusField = "TransformJobStatus"
        },
        with(.tuning, "Tuning") {
            $0.supportsCaching = true
            $0.supportsRetry = true
            $0.arguments = ("CreateHyperParameterTuningJobRequest", ["HyperParameterTuningJobName"])
            $0.properties = .shape("DescribeHyperParameterTuningJobResponse")
            $0.propertyExtras = { shapes in
                guard case .structure(let members, _)? = shapes["ListTrainingJobsForHyperParameterTuningJobResponse"],
                    let list = members["TrainingJobSummaries"]
                else { return [:] }
                return ["TrainingJobSummaries": .shape(list)]
            }
            $0.cacheKeyAttributes = ["HyperParameterTuningJobConfig", "TrainingJobDefinition", "TrainingJobDefinitions"]
            $0.failedStatusField = "HyperParameterTuningJobStatus"
        },
    ]

    /// The SDK writes booleans for the flags and null for options left unset
    /// (quality_check_step.py / clarify_check_step.py `to_request`).
    static let checkStepKeys: [String: KeyKind] = [
        "CheckType": .string, "SkipCheck": .boolOrExpression, "FailOnViolation": .boolOrExpression,
        "RegisterNewBaseline": .boolOrExpression, "ModelPackageGroupName": .stringExpressionOrNull,
        "SuppliedBaselineConstraints": .stringExpressionOrNull,
    ]

    static func with(_ type: StepType, _ name: String, _ set: (inout StepKind) -> Void) -> StepKind {
        var kind = StepKind(type, name)
        set(&kind)
        return kind
    }
}
