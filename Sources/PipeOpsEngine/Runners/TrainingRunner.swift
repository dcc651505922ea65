import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// Training: channels, hyperparameters.json and SM_* variables; ContainerEntrypoint or script mode;
/// model.tar.gz and output.tar.gz uploaded under S3OutputPath; FinalMetricDataList from MetricDefinitions.
enum TrainingRunner: StepRunner {
    static let sandboxFolders = ["input/config", "input/data", "model", "output/data", "code"]

    static func run(_ job: StepJob) throws(StepFailure) -> Node {
        let args = job.arguments
        let started = Date()
        var channels: [String] = []
        var inputConfig: [Node.Member] = []
        for channel in args["InputDataConfig"]?.elements ?? [] {
            guard let name = channel["ChannelName"]?.string else { continue }
            guard
                let uri = channel["DataSource"]?["S3DataSource"]?["S3Uri"]?.string
                    ?? channel["DataSource"]?["FileDataSource"]?["FileUri"]?.string
            else {
                throw StepFailure(message: "channel '\(name)' has no S3DataSource.S3Uri", exceptionType: nil)
            }
            try StepRunners.stage(uri, into: "/opt/ml/input/data/\(name)", job: job, what: "channel '\(name)'")
            channels.append(name)
            inputConfig.append(
                member(
                    name,
                    .object([
                        member("ContentType", channel["ContentType"].map { $0.value } ?? .null),
                        member("TrainingInputMode", .string(args["AlgorithmSpecification"]?["TrainingInputMode"]?.string ?? "File")),
                        member(
                            "S3DistributionType",
                            .string(channel["DataSource"]?["S3DataSource"]?["S3DataDistributionType"]?.string ?? "FullyReplicated")),
                    ])))
        }
        var hyperparameters: [String: String] = [:]
        for member in args["HyperParameters"]?.members ?? [] { hyperparameters[member.key] = Evaluator.text(member.value) }
        try StepRunners.writeJSON(
            Node(.object(hyperparameters.keys.sorted().map { member($0, .string(hyperparameters[$0]!)) })),
            to: job.sandbox.root + "/input/config/hyperparameters.json")
        try StepRunners.writeJSON(Node(.object(inputConfig)), to: job.sandbox.root + "/input/config/inputdataconfig.json")
        // As SageMaker writes it for a homogeneous cluster of one host (the remote-function
        // runtime of @step reads current_instance_type and the instance groups).
        let instanceType = args["ResourceConfig"]?["InstanceType"].map { Evaluator.text($0) } ?? "local"
        let hosts = Node(.array([Node(.string("algo-1"))]))
        try StepRunners.writeJSON(
            StepRunners.object([
                ("current_host", .string("algo-1")), ("current_instance_type", .string(instanceType)),
                ("current_group_name", .string("homogeneousCluster")), ("hosts", hosts.value),
                (
                    "instance_groups",
                    .array([
                        StepRunners.object([
                            ("instance_group_name", .string("homogeneousCluster")), ("instance_type", .string(instanceType)),
                            ("hosts", hosts.value),
                        ])
                    ])
                ),
                ("network_interface_name", .string("eth0")),
            ]),
            to: job.sandbox.root + "/input/config/resourceconfig.json")

        let algorithm = args["AlgorithmSpecification"]
        var argv: [String]
        let program = hyperparameters["sagemaker_program"].map(unquote)
        if let standIn = job.standIn {
            argv = standIn
        } else if let entry = algorithm?["ContainerEntrypoint"]?.elements?.compactMap({ Evaluator.text($0) }), !entry.isEmpty {
            argv = entry + (algorithm?["ContainerArguments"]?.elements?.compactMap { Evaluator.text($0) } ?? [])
        } else if let program {
            // Script mode: the source directory is unpacked to /opt/ml/code and the entry script
            // gets every non-SageMaker hyperparameter as --name value.
            if let submit = hyperparameters["sagemaker_submit_directory"].map(unquote) {
                try StepRunners.stage(submit, into: "/opt/ml/code", job: job, what: "sagemaker_submit_directory")
                let code = job.sandbox.root + "/code"
                for archive in ((try? FileManager.default.contentsOfDirectory(atPath: code)) ?? []) where archive.hasSuffix(".tar.gz") {
                    let tar = ProcessRunner.succeeds(["/usr/bin/tar", "-xzf", code + "/" + archive, "-C", code])
                    if !tar { throw StepFailure(message: "cannot unpack \(archive) from sagemaker_submit_directory", exceptionType: nil) }
                }
            }
            argv = StepRunners.interpreter(for: job.sandbox.root + "/code/" + program) + ["/opt/ml/code/\(program)"]
            for key in hyperparameters.keys.sorted() where !key.hasPrefix("sagemaker_") {
                argv += ["--\(key)", unquote(hyperparameters[key]!)]
            }
        } else {
            throw StepFailure(
                message:
                    "no ContainerEntrypoint or sagemaker_program: the image's 'train' entry point cannot run locally; configure local.steps.\(job.step.name).command",
                exceptionType: nil)
        }
        var environment: [String: String] = [
            "SM_MODEL_DIR": "/opt/ml/model", "SM_OUTPUT_DIR": "/opt/ml/output", "SM_OUTPUT_DATA_DIR": "/opt/ml/output/data",
            "SM_INPUT_DIR": "/opt/ml/input", "SM_INPUT_CONFIG_DIR": "/opt/ml/input/config",
            "SM_CHANNELS": CanonicalJSON.string(Node(.array(channels.map { Node(.string($0)) }))),
            "SM_HPS": CanonicalJSON.string(
                Node(
                    .object(
                        hyperparameters.keys.sorted().filter { !$0.hasPrefix("sagemaker_") }.map {
                            member($0, .string(unquote(hyperparameters[$0]!)))
                        }))),
            "SM_CURRENT_HOST": "algo-1", "SM_HOSTS": "[\"algo-1\"]", "SM_NUM_GPUS": "0",
            "SM_NUM_CPUS": String(ProcessInfo.processInfo.activeProcessorCount),
            "SM_USER_ENTRY_POINT": program ?? "", "SM_MODULE_DIR": "/opt/ml/code", "TRAINING_JOB_NAME": job.jobName,
        ]
        for channel in channels { environment["SM_CHANNEL_\(channel.uppercased())"] = "/opt/ml/input/data/\(channel)" }
        for (key, value) in hyperparameters where !key.hasPrefix("sagemaker_") { environment["SM_HP_\(key.uppercased())"] = unquote(value) }
        for member in args["Environment"]?.members ?? [] { environment[member.key] = Evaluator.text(member.value) }
        if job.standIn != nil {
            environment["PIPEOPS_CONTAINER_ARGUMENTS"] = StepRunners.argumentsJSON(algorithm?["ContainerArguments"])
        }
        _ = try StepRunners.execute(
            argv, job: job, environment: environment, timeout: args["StoppingCondition"]?["MaxRuntimeInSeconds"]?.double)

        guard let outputPath = args["OutputDataConfig"]?["S3OutputPath"]?.string else {
            throw StepFailure(message: "OutputDataConfig.S3OutputPath is missing", exceptionType: nil)
        }
        let base = (outputPath.hasSuffix("/") ? String(outputPath.dropLast()) : outputPath) + "/\(job.jobName)/output"
        let modelURI = base + "/model.tar.gz"
        try pack(job.sandbox.root + "/model", to: modelURI, job: job)
        try pack(job.sandbox.root + "/output/data", to: base + "/output.tar.gz", job: job)
        var metrics: [Node] = []
        for definition in algorithm?["MetricDefinitions"]?.elements ?? [] {
            guard let name = definition["Name"]?.string, let pattern = definition["Regex"]?.string,
                let value = lastMatch(pattern, in: [job.stdoutPath, job.stderrPath])
            else { continue }
            metrics.append(
                StepRunners.object([
                    ("MetricName", .string(name)), ("Value", .number(value)), ("Timestamp", .string(Timestamp.string(Date()))),
                ]))
        }
        return StepRunners.merge(
            args,
            [
                ("TrainingJobName", .string(job.jobName)),
                ("TrainingJobArn", .string("arn:aws:sagemaker:local:000000000000:training-job/\(job.jobName)")),
                ("TrainingJobStatus", .string("Completed")),
                ("SecondaryStatus", .string("Completed")),
                ("ModelArtifacts", .object([member("S3ModelArtifacts", .string(modelURI))])),
                ("FinalMetricDataList", .array(metrics)),
                ("TrainingStartTime", .string(Timestamp.string(started))),
                ("TrainingEndTime", .string(Timestamp.string(Date()))),
            ])
    }

    /// SDK-written hyperparameters are JSON-encoded strings ("\"train.py\"").
    static func unquote(_ text: String) -> String {
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\""), let data = text.data(using: .utf8),
            let decoded = try? JSONDecoder().decode(String.self, from: data)
        {
            return decoded
        }
        return text
    }

    static func pack(_ directory: String, to uri: String, job: StepJob) throws(StepFailure) {
        let archive = job.logDirectory + "/" + (uri as NSString).lastPathComponent
        guard ProcessRunner.succeeds(["/usr/bin/tar", "-czf", archive, "-C", directory, "."]) else {
            throw StepFailure(message: "cannot pack \(directory) into \((uri as NSString).lastPathComponent)", exceptionType: nil)
        }
        do {
            try job.context.s3.put(try Data(contentsOf: URL(fileURLWithPath: archive)), at: uri)
            try? FileManager.default.removeItem(atPath: archive)
        } catch let error as PipeOpsError {
            throw StepFailure(message: error.errorDescription ?? "cannot store \(uri)", exceptionType: nil)
        } catch {
            throw StepFailure(message: "cannot store \(uri): \(error.localizedDescription)", exceptionType: nil)
        }
    }

    static func lastMatch(_ pattern: String, in files: [String]) -> Double? {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return nil }
        var found: Double?
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) where match.numberOfRanges > 1 {
                if let range = Range(match.range(at: 1), in: text), let value = Double(text[range]), value.isFinite { found = value }
            }
        }
        return found
    }
}
