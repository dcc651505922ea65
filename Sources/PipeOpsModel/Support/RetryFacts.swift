package enum RetryFacts {
    package static let exceptionTypes = [
        "Step.SERVICE_FAULT", "Step.THROTTLING", "SageMaker.JOB_INTERNAL_ERROR", "SageMaker.CAPACITY_ERROR",
        "SageMaker.RESOURCE_LIMIT", "Emr.RESOURCE_LIMIT",
    ]
}
