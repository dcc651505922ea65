import Foundation

/// A step failure, with the retry exception type it maps to (nil: never retried).
struct StepFailure: Error, Sendable {
    var message: String
    var exceptionType: String?

    static let retryableTypes = ["Step.SERVICE_FAULT", "Step.THROTTLING", "SageMaker.JOB_INTERNAL_ERROR", "SageMaker.CAPACITY_ERROR",
                                 "SageMaker.RESOURCE_LIMIT", "Emr.RESOURCE_LIMIT"]
}

/// What a runner needs for one attempt of one step.
struct StepJob: Sendable {
    var step: Step
    var arguments: Node
    var context: RuntimeContext
    var sandbox: Sandbox
    var logDirectory: String
    var productRoot: String
    var stateDirectory: String
    var standIn: [String]?
    var fixedOutputs: Node?
    var jobName: String
    var baseEnvironment: [String: String]

    var stdoutPath: String { logDirectory + "/stdout.log" }
    var stderrPath: String { logDirectory + "/stderr.log" }
}

enum StepRunners {
    static func iso(_ date: Date) -> String { Ledger.timestamp(date) }


    static func object(_ pairs: [(String, Node.Value)]) -> Node { Node(.object(pairs.map { member($0.0, $0.1) })) }

    /// The arguments with extra top-level members (response fields) added or replaced.
    static func merge(_ base: Node, _ extra: [(String, Node.Value)]) -> Node {
        var members = base.members ?? []
        for (key, value) in extra {
            if let index = members.firstIndex(where: { $0.key == key }) { members[index].value = Node(value) } else { members.append(member(key, value)) }
        }
        return Node(.object(members))
    }

    static func writeJSON(_ node: Node, to path: String) throws(StepFailure) {
        do { try AtomicFile.write(CanonicalJSON.data(node, sortKeys: true, pretty: true), to: path) } catch {
            throw StepFailure(message: error.errorDescription ?? "cannot write \(path)", exceptionType: nil)
        }
    }

    static func hostPath(_ job: StepJob, _ containerPath: String, what: String) throws(StepFailure) -> String {
        guard let path = job.sandbox.hostPath(containerPath) else {
            throw StepFailure(message: "\(what) '\(containerPath)' is outside /opt/ml, which is all a local sandbox provides", exceptionType: nil)
        }
        return path
    }

    /// Runs argv in the sandbox; a non-zero exit becomes a failure whose exception type comes
    /// from /opt/ml/output/failure when it starts with one (e.g. "Step.THROTTLING: ...").
    static func execute(_ argv: [String], job: StepJob, environment extra: [String: String], stdin: Data? = nil, timeout: TimeInterval? = nil) throws(StepFailure) -> ProcessRunner.Outcome {
        var environment = job.baseEnvironment
        for (key, value) in extra { environment[key] = job.sandbox.rewrite(value) }
        let outcome: ProcessRunner.Outcome
        do {
            outcome = try ProcessRunner.shared.run(job.sandbox.wrap(argv), environment: environment, directory: job.productRoot,
                                                   stdoutPath: job.stdoutPath, stderrPath: job.stderrPath, stdin: stdin, timeout: timeout)
        } catch {
            throw StepFailure(message: error.errorDescription ?? "cannot start the step", exceptionType: nil)
        }
        if outcome.timedOut {
            throw StepFailure(message: "the step ran past its MaxRuntimeInSeconds (\(Int(timeout ?? 0)) s) and was stopped", exceptionType: nil)
        }
        if outcome.exitCode != 0 {
            let failureFile = job.sandbox.root + "/output/failure"
            let reported = (try? String(contentsOfFile: failureFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            let type = reported.flatMap { text in StepFailure.retryableTypes.first { text.hasPrefix($0) } } ?? "SageMaker.JOB_INTERNAL_ERROR"
            var message = outcome.signalled ? "the process was killed by signal \(outcome.exitCode)" : "the process exited with code \(outcome.exitCode)"
            if let reported, !reported.isEmpty { message += ": \(reported.prefix(1000))" } else if let last = lastLine(of: job.stderrPath) { message += "; last error line: \(last)" }
            throw StepFailure(message: message, exceptionType: type)
        }
        return outcome
    }

    static func lastLine(of path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { String($0.prefix(300)) }
    }

    static func stage(_ uri: String, into containerPath: String, job: StepJob, what: String) throws(StepFailure) {
        let target = try hostPath(job, containerPath, what: what)
        do { try job.context.s3.download(uri, to: target) } catch {
            throw StepFailure(message: "\(what): \(error.errorDescription ?? "cannot stage \(uri)")", exceptionType: nil)
        }
    }

    static func upload(_ containerPath: String, to uri: String, job: StepJob) throws(StepFailure) {
        let source = try hostPath(job, containerPath, what: "output LocalPath")
        do { try job.context.s3.upload(source, to: uri) } catch {
            throw StepFailure(message: error.errorDescription ?? "cannot upload to \(uri)", exceptionType: nil)
        }
    }

    // MARK: Processing

    static func processing(_ job: StepJob) throws(StepFailure) -> Node {
        let args = job.arguments
        let started = Date()
        for input in args["ProcessingInputs"]?.elements ?? [] {
            guard let s3 = input["S3Input"] else {
                throw StepFailure(message: "processing input '\(input["InputName"]?.string ?? "?")' is not an S3Input; only S3 inputs run locally", exceptionType: nil)
            }
            guard let uri = s3["S3Uri"]?.string, let local = s3["LocalPath"]?.string else {
                throw StepFailure(message: "processing input '\(input["InputName"]?.string ?? "?")' needs S3Uri and LocalPath", exceptionType: nil)
            }
            try stage(uri, into: local, job: job, what: "input '\(input["InputName"]?.string ?? "?")'")
        }
        let outputs = args["ProcessingOutputConfig"]?["Outputs"]?.elements ?? []
        for output in outputs {
            guard let local = output["S3Output"]?["LocalPath"]?.string else { continue }
            do { try FileManager.default.createDirectory(atPath: try hostPath(job, local, what: "output LocalPath"), withIntermediateDirectories: true) } catch let error as StepFailure { throw error } catch {}
        }
        try writeJSON(object([("current_host", .string("algo-1")), ("hosts", .array([Node(.string("algo-1"))]))]), to: job.sandbox.root + "/config/resourceconfig.json")
        try writeJSON(merge(args, [("ProcessingJobName", .string(job.jobName))]), to: job.sandbox.root + "/config/processingjobconfig.json")
        let app = args["AppSpecification"]
        let argv: [String]
        if let standIn = job.standIn { argv = standIn } else {
            let entry = app?["ContainerEntrypoint"]?.elements?.compactMap { Evaluator.text($0) } ?? []
            let extra = app?["ContainerArguments"]?.elements?.compactMap { Evaluator.text($0) } ?? []
            guard !entry.isEmpty else {
                throw StepFailure(message: "no ContainerEntrypoint: the image's own entry point cannot run locally; configure local.steps.\(job.step.name).command", exceptionType: nil)
            }
            argv = entry + extra
        }
        var environment: [String: String] = [:]
        for member in args["Environment"]?.members ?? [] { environment[member.key] = Evaluator.text(member.value) }
        let timeout = args["StoppingCondition"]?["MaxRuntimeInSeconds"]?.double
        var failure: StepFailure?
        do { _ = try execute(argv, job: job, environment: environment, timeout: timeout) } catch { failure = error }
        // Outputs are uploaded even when the job fails, as SageMaker does.
        for output in outputs {
            guard let local = output["S3Output"]?["LocalPath"]?.string, let uri = output["S3Output"]?["S3Uri"]?.string else { continue }
            do { try upload(local, to: uri, job: job) } catch { if failure == nil { failure = error } }
        }
        if let failure { throw failure }
        return merge(args, [
            ("ProcessingJobName", .string(job.jobName)),
            ("ProcessingJobArn", .string("arn:aws:sagemaker:local:000000000000:processing-job/\(job.jobName)")),
            ("ProcessingJobStatus", .string("Completed")),
            ("ProcessingStartTime", .string(iso(started))),
            ("ProcessingEndTime", .string(iso(Date()))),
        ])
    }

    // MARK: Training

    static func training(_ job: StepJob) throws(StepFailure) -> Node {
        let args = job.arguments
        let started = Date()
        var channels: [String] = []
        var inputConfig: [Node.Member] = []
        for channel in args["InputDataConfig"]?.elements ?? [] {
            guard let name = channel["ChannelName"]?.string else { continue }
            guard let uri = channel["DataSource"]?["S3DataSource"]?["S3Uri"]?.string ?? channel["DataSource"]?["FileDataSource"]?["FileUri"]?.string else {
                throw StepFailure(message: "channel '\(name)' has no S3DataSource.S3Uri", exceptionType: nil)
            }
            try stage(uri, into: "/opt/ml/input/data/\(name)", job: job, what: "channel '\(name)'")
            channels.append(name)
            inputConfig.append(member(name, .object([
                member("ContentType", channel["ContentType"].map { $0.value } ?? .null),
                member("TrainingInputMode", .string(args["AlgorithmSpecification"]?["TrainingInputMode"]?.string ?? "File")),
                member("S3DistributionType", .string(channel["DataSource"]?["S3DataSource"]?["S3DataDistributionType"]?.string ?? "FullyReplicated")),
            ])))
        }
        var hyperparameters: [String: String] = [:]
        for member in args["HyperParameters"]?.members ?? [] { hyperparameters[member.key] = Evaluator.text(member.value) }
        try writeJSON(Node(.object(hyperparameters.keys.sorted().map { member($0, .string(hyperparameters[$0]!)) })), to: job.sandbox.root + "/input/config/hyperparameters.json")
        try writeJSON(Node(.object(inputConfig)), to: job.sandbox.root + "/input/config/inputdataconfig.json")
        try writeJSON(object([("current_host", .string("algo-1")), ("hosts", .array([Node(.string("algo-1"))])), ("network_interface_name", .string("eth0"))]),
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
                try stage(submit, into: "/opt/ml/code", job: job, what: "sagemaker_submit_directory")
                let code = job.sandbox.root + "/code"
                for archive in ((try? FileManager.default.contentsOfDirectory(atPath: code)) ?? []) where archive.hasSuffix(".tar.gz") {
                    let tar = ProcessRunner.succeeds(["/usr/bin/tar", "-xzf", code + "/" + archive, "-C", code])
                    if !tar { throw StepFailure(message: "cannot unpack \(archive) from sagemaker_submit_directory", exceptionType: nil) }
                }
            }
            argv = ["python3", "/opt/ml/code/\(program)"]
            for key in hyperparameters.keys.sorted() where !key.hasPrefix("sagemaker_") {
                argv += ["--\(key)", unquote(hyperparameters[key]!)]
            }
        } else {
            throw StepFailure(message: "no ContainerEntrypoint or sagemaker_program: the image's 'train' entry point cannot run locally; configure local.steps.\(job.step.name).command", exceptionType: nil)
        }
        var environment: [String: String] = [
            "SM_MODEL_DIR": "/opt/ml/model", "SM_OUTPUT_DIR": "/opt/ml/output", "SM_OUTPUT_DATA_DIR": "/opt/ml/output/data",
            "SM_INPUT_DIR": "/opt/ml/input", "SM_INPUT_CONFIG_DIR": "/opt/ml/input/config", "SM_CHANNELS": CanonicalJSON.string(Node(.array(channels.map { Node(.string($0)) }))),
            "SM_HPS": CanonicalJSON.string(Node(.object(hyperparameters.keys.sorted().filter { !$0.hasPrefix("sagemaker_") }.map { member($0, .string(unquote(hyperparameters[$0]!))) }))),
            "SM_CURRENT_HOST": "algo-1", "SM_HOSTS": "[\"algo-1\"]", "SM_NUM_GPUS": "0", "SM_NUM_CPUS": String(ProcessInfo.processInfo.activeProcessorCount),
            "SM_USER_ENTRY_POINT": program ?? "", "SM_MODULE_DIR": "/opt/ml/code", "TRAINING_JOB_NAME": job.jobName,
        ]
        for channel in channels { environment["SM_CHANNEL_\(channel.uppercased())"] = "/opt/ml/input/data/\(channel)" }
        for (key, value) in hyperparameters where !key.hasPrefix("sagemaker_") { environment["SM_HP_\(key.uppercased())"] = unquote(value) }
        for member in args["Environment"]?.members ?? [] { environment[member.key] = Evaluator.text(member.value) }
        _ = try execute(argv, job: job, environment: environment, timeout: args["StoppingCondition"]?["MaxRuntimeInSeconds"]?.double)

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
                  let value = lastMatch(pattern, in: [job.stdoutPath, job.stderrPath]) else { continue }
            metrics.append(object([("MetricName", .string(name)), ("Value", .number(value)), ("Timestamp", .string(iso(Date())))]))
        }
        return merge(args, [
            ("TrainingJobName", .string(job.jobName)),
            ("TrainingJobArn", .string("arn:aws:sagemaker:local:000000000000:training-job/\(job.jobName)")),
            ("TrainingJobStatus", .string("Completed")),
            ("SecondaryStatus", .string("Completed")),
            ("ModelArtifacts", .object([member("S3ModelArtifacts", .string(modelURI))])),
            ("FinalMetricDataList", .array(metrics)),
            ("TrainingStartTime", .string(iso(started))),
            ("TrainingEndTime", .string(iso(Date()))),
        ])
    }

    /// SDK-written hyperparameters are JSON-encoded strings ("\"train.py\"").
    static func unquote(_ text: String) -> String {
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\""), let data = text.data(using: .utf8),
           let decoded = try? JSONDecoder().decode(String.self, from: data) { return decoded }
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
                if let range = Range(match.range(at: 1), in: text), let value = Double(text[range]) { found = value }
            }
        }
        return found
    }

    // MARK: Transform, Model, RegisterModel

    static func transform(_ job: StepJob) throws(StepFailure) -> Node {
        guard let standIn = job.standIn else {
            throw StepFailure(message: "Transform needs a serving container; configure local.steps.\(job.step.name).command", exceptionType: nil)
        }
        let args = job.arguments
        guard let input = args["TransformInput"]?["DataSource"]?["S3DataSource"]?["S3Uri"]?.string,
              let output = args["TransformOutput"]?["S3OutputPath"]?.string else {
            throw StepFailure(message: "Transform needs TransformInput.DataSource.S3DataSource.S3Uri and TransformOutput.S3OutputPath", exceptionType: nil)
        }
        try stage(input, into: "/opt/ml/transform/input", job: job, what: "transform input")
        try? FileManager.default.createDirectory(atPath: job.sandbox.root + "/transform/output", withIntermediateDirectories: true)
        let modelName = args["ModelName"].map { Evaluator.text($0) } ?? ""
        var environment = ["TRANSFORM_INPUT_DIR": "/opt/ml/transform/input", "TRANSFORM_OUTPUT_DIR": "/opt/ml/transform/output", "MODEL_NAME": modelName]
        if let model = ModelRegistry(stateDirectory: job.stateDirectory).model(named: modelName),
           let data = model["PrimaryContainer"]?["ModelDataUrl"]?.string {
            environment["MODEL_DATA_URL"] = data
            if let archive = try? job.context.s3.read(data) {
                let local = job.logDirectory + "/model.tar.gz"
                _ = FileManager.default.createFile(atPath: local, contents: archive)
                _ = ProcessRunner.succeeds(["/usr/bin/tar", "-xzf", local, "-C", job.sandbox.root + "/model"])
            }
        }
        _ = try execute(standIn, job: job, environment: environment)
        try upload("/opt/ml/transform/output", to: output, job: job)
        return merge(args, [
            ("TransformJobName", .string(job.jobName)),
            ("TransformJobArn", .string("arn:aws:sagemaker:local:000000000000:transform-job/\(job.jobName)")),
            ("TransformJobStatus", .string("Completed")),
        ])
    }

    static func model(_ job: StepJob) throws(StepFailure) -> Node {
        let name = job.jobName
        let properties = merge(job.arguments, [
            ("ModelName", .string(name)),
            ("ModelArn", .string("arn:aws:sagemaker:local:000000000000:model/\(name)")),
            ("CreationTime", .string(iso(Date()))),
        ])
        do { try ModelRegistry(stateDirectory: job.stateDirectory).saveModel(properties, named: name) } catch {
            throw StepFailure(message: error.errorDescription ?? "cannot record the model", exceptionType: nil)
        }
        return properties
    }

    static func registerModel(_ job: StepJob) throws(StepFailure) -> Node {
        let group = job.arguments["ModelPackageGroupName"].map { Evaluator.text($0) } ?? job.step.name
        do {
            return try ModelRegistry(stateDirectory: job.stateDirectory).register(job.arguments, group: group, execution: job.context.executionId, step: job.step.name)
        } catch {
            throw StepFailure(message: error.errorDescription ?? "cannot register the model", exceptionType: nil)
        }
    }

    // MARK: Lambda, Callback and other stand-ins

    /// Lambda and Callback: the stand-in reads the step's inputs as JSON on stdin (and in
    /// PIPEOPS_INPUTS) and prints a JSON object of OutputParameters; or fixed outputs come from the manifest.
    static func outputParameters(_ job: StepJob) throws(StepFailure) -> Node {
        var produced: Node
        if let fixed = job.fixedOutputs {
            produced = fixed
        } else if let standIn = job.standIn {
            let inputs = CanonicalJSON.string(job.arguments)
            _ = try execute(standIn, job: job, environment: ["PIPEOPS_INPUTS": inputs], stdin: Data(inputs.utf8))
            let text = (try? String(contentsOfFile: job.stdoutPath, encoding: .utf8)) ?? ""
            guard let document = try? DocumentLoader.parse(data: Data(text.utf8), path: "stdout", syntax: .json), document.root.members != nil else {
                throw StepFailure(message: "the stand-in for \(job.step.type?.rawValue ?? "") step '\(job.step.name)' must print a JSON object of output parameters on stdout", exceptionType: nil)
            }
            produced = document.root
        } else {
            throw StepFailure(message: "no stand-in for \(job.step.type?.rawValue ?? "") step '\(job.step.name)'; configure local.steps.\(job.step.name).command or .outputs", exceptionType: nil)
        }
        var outputs: [Node.Member] = []
        for declaration in job.step.node["OutputParameters"]?.elements ?? [] {
            guard let name = declaration["OutputName"]?.string else { continue }
            guard let value = produced[name] else {
                let given = (produced.members ?? []).map(\.key)
                throw StepFailure(message: "output parameter '\(name)' was not produced (got: \(given.isEmpty ? "none" : given.joined(separator: ", ")))", exceptionType: nil)
            }
            let type = declaration["OutputType"]?.string ?? "String"
            guard let coerced = coerce(value, to: type) else {
                throw StepFailure(message: "output parameter '\(name)' is \(value.brief), not a \(type)", exceptionType: nil)
            }
            outputs.append(member(name, coerced.value))
        }
        return Node(.object([member("OutputParameters", .object(outputs))]))
    }

    static func coerce(_ value: Node, to type: String) -> Node? {
        switch (type, value.value) {
        case ("String", .string): return value
        case ("String", _): return Node(.string(Evaluator.text(value)))
        case ("Integer", .integer): return value
        case ("Integer", .string(let s)): return Int(s).map { Node(.integer($0)) }
        case ("Float", .integer), ("Float", .number): return value
        case ("Float", .string(let s)): return Double(s).map { Node(.number($0)) }
        case ("Boolean", .bool): return value
        case ("Boolean", .string(let s)): return ["true": true, "false": false][s.lowercased()].map { Node(.bool($0)) }
        default: return nil
        }
    }

    /// Any other step type: its stand-in runs in the sandbox; a JSON object on stdout becomes its properties.
    static func generic(_ job: StepJob) throws(StepFailure) -> Node {
        guard let standIn = job.standIn else {
            throw StepFailure(message: "\(job.step.type?.rawValue ?? "this") steps do not run locally; configure local.steps.\(job.step.name).command", exceptionType: nil)
        }
        _ = try execute(standIn, job: job, environment: ["PIPEOPS_INPUTS": CanonicalJSON.string(job.arguments)], stdin: Data(CanonicalJSON.string(job.arguments).utf8))
        let text = (try? String(contentsOfFile: job.stdoutPath, encoding: .utf8)) ?? ""
        if let document = try? DocumentLoader.parse(data: Data(text.utf8), path: "stdout", syntax: .json), document.root.members != nil {
            return document.root
        }
        return job.arguments
    }
}

/// Models and model packages created by local runs, under `<state>/models` and `<state>/registry`.
public struct ModelRegistry: Sendable {
    public let stateDirectory: String

    public init(stateDirectory: String) { self.stateDirectory = stateDirectory }

    func saveModel(_ properties: Node, named name: String) throws(PipeOpsError) {
        try AtomicFile.write(CanonicalJSON.data(properties, pretty: true), to: "\(stateDirectory)/models/\(name).json")
    }

    func model(named name: String) -> Node? {
        guard let data = FileManager.default.contents(atPath: "\(stateDirectory)/models/\(name).json") else { return nil }
        return try? DocumentLoader.parse(data: data, path: name, syntax: .json).root
    }

    /// Registers a new version in the group; returns DescribeModelPackage-like properties.
    func register(_ arguments: Node, group: String, execution: String, step: String) throws(PipeOpsError) -> Node {
        let safeGroup = group.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }
        let folder = "\(stateDirectory)/registry/\(String(safeGroup))"
        let existing = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap { Int($0.replacingOccurrences(of: ".json", with: "")) }
        let version = (existing.max() ?? 0) + 1
        let arn = "arn:aws:sagemaker:local:000000000000:model-package/\(group)/\(version)"
        let properties = StepRunners.merge(arguments, [
            ("ModelPackageArn", .string(arn)),
            ("ModelPackageName", .string(group)),
            ("ModelPackageGroupName", .string(group)),
            ("ModelPackageVersion", .integer(version)),
            ("ModelApprovalStatus", .string(arguments["ModelApprovalStatus"].map { Evaluator.text($0) } ?? "PendingManualApproval")),
            ("ModelPackageStatus", .string("Completed")),
            ("CreationTime", .string(StepRunners.iso(Date()))),
            ("PipelineExecution", .string(execution)),
            ("Step", .string(step)),
        ])
        try AtomicFile.write(CanonicalJSON.data(properties, pretty: true), to: "\(folder)/\(version).json")
        return properties
    }

    /// Every registered version, oldest first.
    public func packages(group: String) -> [Node] {
        let folder = "\(stateDirectory)/registry/\(group)"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap { Int($0.replacingOccurrences(of: ".json", with: "")) }.sorted()
        return files.compactMap { version in
            FileManager.default.contents(atPath: "\(folder)/\(version).json").flatMap { try? DocumentLoader.parse(data: $0, path: "p", syntax: .json).root }
        }
    }
}
