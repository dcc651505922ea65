import Foundation
import PipeOpsAWS
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

/// `pipeops init`: renders a product template into a folder.
public enum Scaffolder {
    public struct Template: Sendable {
        public var name: String
        public var description: String
        public var files: [(path: String, contents: Data)]
    }

    public struct Request: Sendable {
        public var directory: String
        public var name: String
        public var template: String
        public var bucket: String?
        public var account: String?
        public var region: String?
        /// The CI the product's files are for (GitHub's are the template's own `.github/`).
        public var ci: CIFlavour = .github

        public init(
            directory: String, name: String, template: String = "default", bucket: String? = nil, account: String? = nil,
            region: String? = nil
        ) {
            self.directory = directory
            self.name = name
            self.template = template
            self.bucket = bucket
            self.account = account
            self.region = region
        }
    }

    public struct PlannedFile: Sendable {
        public var relativePath: String
        public var absolutePath: String
        public var contents: Data
        public var exists: Bool
    }

    public struct Plan: Sendable {
        public var directory: String
        public var files: [PlannedFile]
        public var values: [String: String]
        public var conflicts: [PlannedFile] { files.filter(\.exists) }
    }

    public static var templates: [Template] {
        EmbeddedTemplates.all.map { entry in
            Template(
                name: entry.name, description: entry.description,
                files: entry.files.map { ($0.path, Data(base64Encoded: $0.base64) ?? Data()) })
        }
    }

    /// Checks the request and works out every file; writes nothing.
    public static func plan(_ request: Request) throws(PipeOpsError) -> Plan {
        if let problem = PipelineName.problem(with: request.name) {
            throw .invalidArgument("invalid --name: \(problem) (SageMaker pipeline names match ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$)")
        }
        guard let template = templates.first(where: { $0.name == request.template }) else {
            throw .invalidArgument("unknown template '\(request.template)'; 'pipeops init --list-templates' lists them")
        }
        let account = request.account ?? "111111111111"
        guard account.count == 12, account.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalidArgument("--account must be a 12-digit AWS account id, not '\(account)'")
        }
        let region = request.region ?? "us-east-1"
        guard region.range(of: "^[a-z]{2}(-[a-z]+)+-[0-9]$", options: .regularExpression) != nil else {
            throw .invalidArgument("--region must be an AWS region such as us-east-1, not '\(region)'")
        }
        let bucket = request.bucket ?? String((request.name.lowercased() + "-artifacts").prefix(63))
        guard bucket.range(of: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", options: .regularExpression) != nil else {
            throw .invalidArgument(
                "--bucket must be a valid S3 bucket name (3-63 lowercase letters, digits, dots and hyphens), not '\(bucket)'")
        }
        let values = [
            "name": request.name, "bucket": bucket, "account": account, "region": region, "pipeopsVersion": PipeOpsVersion.current,
            "role": "arn:aws:iam::\(account):role/\(request.name)-pipeline",
            // A template that pins its SDK in requirements-dev.txt (a Python definition) gets a
            // venv made from it in every CI job.
            "pythonRequirements": template.files.contains { $0.path == "requirements-dev.txt" } ? "requirements-dev.txt" : "",
        ]
        let root = URL(fileURLWithPath: request.directory).standardizedFileURL
        let realRoot = root.resolvingSymlinksInPath().path
        var files: [PlannedFile] = []
        var sources = template.files
        if request.ci != .github {
            sources = sources.filter { !$0.path.hasPrefix(".github/") } + request.ci.files
        }
        for (relative, contents) in sources {
            guard !relative.hasPrefix("/"), !relative.split(separator: "/").contains("..") else {
                throw .message("template file '\(relative)' would escape the target folder; refusing")
            }
            let target = root.appendingPathComponent(relative)
            // Refuse to write through a symbolic link that leads out of the target folder.
            let realParent = target.deletingLastPathComponent().resolvingSymlinksInPath().path
            guard realParent == realRoot || realParent.hasPrefix(realRoot + "/") else {
                throw .message("\(relative) would be written to \(realParent), outside \(request.directory) (a symbolic link?); refusing")
            }
            let rendered = render(contents, values)
            files.append(
                PlannedFile(
                    relativePath: relative, absolutePath: target.path, contents: rendered,
                    exists: FileManager.default.fileExists(atPath: target.path)))
        }
        return Plan(directory: root.path, files: files, values: values)
    }

    /// Writes the plan. Without `force`, an existing file is a conflict and nothing is written.
    public static func write(_ plan: Plan, force: Bool) throws(PipeOpsError) {
        let conflicts = plan.conflicts
        if !conflicts.isEmpty && !force {
            throw .message(
                "\(conflicts.count) file\(conflicts.count == 1 ? "" : "s") already exist\(conflicts.count == 1 ? "s" : ""): \(conflicts.prefix(8).map(\.relativePath).joined(separator: ", "))\(conflicts.count > 8 ? ", …" : ""); nothing was written (use --force to overwrite)"
            )
        }
        // All or nothing: folders and files this call creates are removed again when a write
        // fails (a full disk, a read-only place), so a failed init leaves no half product.
        let fm = FileManager.default
        var newFolders: [String] = []
        var seen: Set<String> = []
        for file in plan.files {
            var folder = URL(fileURLWithPath: file.absolutePath).deletingLastPathComponent().path
            while !fm.fileExists(atPath: folder) && seen.insert(folder).inserted {
                newFolders.append(folder)
                folder = URL(fileURLWithPath: folder).deletingLastPathComponent().path
            }
        }
        var created: [String] = []
        do {
            for file in plan.files {
                try AtomicFile.write(file.contents, to: file.absolutePath)
                if !file.exists { created.append(file.absolutePath) }
            }
        } catch {
            for path in created.reversed() { unlink(path) }
            for folder in newFolders.sorted(by: { $0.count > $1.count }) { rmdir(folder) }
            throw error
        }
    }

    static func render(_ data: Data, _ values: [String: String]) -> Data {
        guard var text = String(data: data, encoding: .utf8), text.contains("{{") else { return data }
        for (key, value) in values { text = text.replacingOccurrences(of: "{{\(key)}}", with: value) }
        return Data(text.utf8)
    }
}

/// The CIs pipeops writes files for: `init --ci` and `adopt --ci`.
public enum CIFlavour: String, CaseIterable, Sendable {
    case github, gitlab, codebuild

    /// The flavour's own files (templates/ci/<flavour>), placeholders not yet filled in.
    var files: [(path: String, contents: Data)] {
        (EmbeddedTemplates.ci.first { $0.flavour == rawValue }?.files ?? []).map { ($0.path, Data(base64Encoded: $0.base64) ?? Data()) }
    }

    /// What the flavour's files do, for the report of the command that wrote them.
    public var summary: String {
        switch self {
        case .github:
            return "GitHub Actions: lint on every push and pull request; upsert and smoke-run dev, then staging, from main; promote by hand"
        case .gitlab:
            return
                "GitLab CI: lint (Code Quality report), deploy dev then staging from the default branch, a manual prod promotion on release tags"
        case .codebuild:
            return
                "CodeBuild buildspecs and infra/cicd.yaml (CodePipeline: lint with a JUnit report, dev, staging, a manual approval, prod)"
        }
    }
}
