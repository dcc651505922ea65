import ArgumentParser
import Foundation
import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsModel
import PipeOpsReporting

extension PipeOps {
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract: "Print the upsert-ready CreatePipeline request of one environment.",
            discussion: """
                The definition gets the environment's values as parameter defaults (so a bare start \
                runs that configuration), code URIs under the code: prefixes of pipeops.yaml made \
                content-addressed (s3://bucket/code/<sha256>/train.py), images pinned by the \
                environment's images: map, plus pipeline name, role, tags (the environment's and the \
                pipeops:* stamp: git commit, version, structure, definition and code hashes) and \
                parallelism. Output is canonical JSON: the same inputs always give the same bytes, \
                on any machine.
                """
        )

        @OptionGroup var selection: PipelineOption

        @Option(name: .long, help: "Environment name from pipeops.yaml.")
        var env: String

        @Option(name: .shortAndLong, help: "Write to FILE (atomically) instead of stdout.")
        var output: String?

        @Option(
            name: .customLong("image"),
            help: ArgumentHelp("Pin an image (over the environment's images: map).", valueName: "REPOSITORY@sha256:DIGEST"))
        var images: [String] = []

        func validate() throws {
            do { _ = try ImagePins.parse(images) } catch { throw ValidationError(error.errorDescription ?? "\(error)") }
        }

        func run() throws {
            let rendered = try RenderUseCase.run(environment: env, images: images, workspace: selection.workspace)
            if rendered.unstamped {
                Terminal.standardError("pipeops: warning: not in a git repository (or no commits): the request carries no git stamp")
            }
            if let output {
                try AtomicFile.write(Data(rendered.json.utf8), to: output)
                Terminal.standardError("wrote \(output) (structure sha256 \(rendered.structureSha256.prefix(12)))")
            } else {
                Terminal.output(rendered.json)
            }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "Show what differs between two environments, or between two revisions of the product.",
            discussion: """
                Two environments (diff staging prod): parameters, tags, settings, code files and \
                images, and whether the structure and code hashes are identical.

                Two revisions (diff v0.1.0 v0.2.0, or diff v0.1.0..v0.2.0; tags, branches or \
                commits, read through libgit2 without a checkout): steps added, removed and \
                changed (with field paths), parameters, environment files and pipeops.yaml, \
                which changes invalidate cached results, and whether the structure hash changed.

                An argument that names an environment is an environment; any other is a \
                revision. A name that is both is an error: pass --revisions to mean revisions. \
                Exit codes: 0 identical, 1 anything differs, 2 errors.
                """
        )

        @OptionGroup var selection: PipelineOption

        @Argument(help: "First environment or revision (or REV_A..REV_B).")
        var left: String

        @Argument(help: "Second environment or revision.")
        var right: String?

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @Flag(
            help:
                "Compare what the first environment last ran or was promoted with (its latest record) to what the second would get now."
        )
        var recorded = false

        @Flag(help: "Treat both arguments as git revisions even when they name environments.")
        var revisions = false

        func run() throws {
            var (a, b) = (left, right ?? "")
            if right == nil {
                guard let range = left.range(of: "..") else {
                    throw ValidationError("name two environments or two revisions (or one REV_A..REV_B)")
                }
                (a, b) = (String(left[..<range.lowerBound]), String(left[range.upperBound...]))
                if a.isEmpty || b.isEmpty { throw ValidationError("REV_A..REV_B needs both revisions") }
            }
            let diff = try DiffUseCase.run(
                a, b, bothNamed: right != nil, recorded: recorded, revisions: revisions, workspace: selection.workspace)
            switch format {
            case .text: Terminal.output(diff.text)
            case .json: Terminal.output(CanonicalJSON.string(diff.json, sortKeys: false, pretty: true) + "\n")
            }
            if !diff.identical { throw ExitCode(1) }
        }
    }

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "promote",
            abstract: "Promote HEAD (or any release, with --rev) to an environment after checking its gates, and record it.",
            discussion: """
                Gates, in order: lint (no errors), images (after the first environment, every \
                image pinned by digest), clean-tree, release-tag (HEAD on a release tag; \
                release.requireTag: false turns it off), previous-environment (the environment \
                before, or --from, has a record of the same structure hash, the same code files \
                and the same pinned images; with requireEvidence: sagemaker on the target, only a \
                SageMaker execution recorded by `start --wait` counts). Every gate prints a \
                pass/fail line; any failure exits 1, records nothing and names what differs.
                Records are git notes in refs/notes/pipeops: push them with \
                `git push origin refs/notes/pipeops`; read them with `git notes --ref=pipeops show`.
                """
        )

        @OptionGroup var selection: PipelineOption

        @Option(name: .long, help: "Environment to promote to.")
        var to: String?

        @Option(name: .long, help: "Environment that must have run this structure (default: the one before --to).")
        var from: String?

        @Flag(help: "Check the gates and render, but record nothing.")
        var dryRun = false

        @Option(
            help: ArgumentHelp(
                "Promote this release (tag or commit) instead of HEAD: its definition, environment files and code come from git, and every gate applies to it. Rolls back as well as forward.",
                valueName: "REV"))
        var rev: String?

        @Flag(help: "Show, per environment, what was last promoted or smoke-run there.")
        var status = false

        @Flag(
            help:
                "After the gates pass, publish the code and upsert the environment's pipeline on SageMaker, then record the promotion (a failed upsert records nothing; run the same promote again to finish it)."
        )
        var upsert = false

        @OptionGroup var aws: AWSOptions

        func validate() throws {
            if status && to != nil { throw ValidationError("--status shows every environment; do not combine it with --to") }
            if !status && to == nil { throw ValidationError("name the environment to promote to with --to ENV (or use --status)") }
        }

        func run() throws {
            if status {
                for status in try PromoteUseCase.status(workspace: selection.workspace) {
                    let name = status.environment.padding(toLength: 10, withPad: " ", startingAt: 0)
                    guard let record = status.latest else {
                        Terminal.output(
                            "\(name) nothing recorded\(status.requiredEvidence == .sagemaker ? " · accepts only SageMaker evidence from the environment before" : "")\n"
                        )
                        continue
                    }
                    Terminal.output(
                        "\(name) \(record.version) (commit \(record.commit.prefix(7))) structure \(record.structureSha256.prefix(12)) code \((record.codeSha256 ?? "unrecorded").prefix(12)) · \(record.kind.rawValue) at \(record.recordedAt)\(record.by.map { " by \($0)" } ?? "")\n"
                    )
                    var evidence: [String] = []
                    if let run = status.latestSageMaker {
                        evidence.append("SageMaker execution \(run.execution ?? "?") (\(run.version), \(run.recordedAt))")
                    }
                    if let run = status.latestRun, run.kind.rawValue == "smoke" {
                        evidence.append("local run \(run.execution ?? "?") (\(run.version), \(run.recordedAt))")
                    }
                    let required =
                        status.requiredEvidence == .sagemaker ? " · accepts only SageMaker evidence from the environment before" : ""
                    Terminal.output(
                        "           evidence: \(evidence.isEmpty ? "no run recorded" : evidence.joined(separator: "; "))\(required)\n")
                    if let previous = status.previous {
                        Terminal.output(
                            "           before: \(previous.version) (commit \(previous.commit.prefix(7)), \(previous.recordedAt)) · roll back: pipeops promote --to \(status.environment) --rev \(previous.version)\n"
                        )
                    }
                }
                return
            }
            guard let to else { return }
            var options = PromoteUseCase.Options(to: to)
            options.from = from
            options.dryRun = dryRun
            options.rev = rev
            options.upsert = upsert
            options.aws = aws.settings
            options.workspace = selection.workspace
            let progress = Progress(label: "publishing code")
            let outcome = try PromoteUseCase.run(options) { index, total, key in progress.update("\(index)/\(total) \(key)") }
            let colored = Terminal.colorAllowed
            for gate in outcome.gates {
                let mark =
                    gate.passed
                    ? TerminalStyle.paint("✔", .success, enabled: colored) : TerminalStyle.paint("✘", .failure, enabled: colored)
                Terminal.output("\(mark) \(gate.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(gate.detail)\n")
            }
            guard outcome.passed else {
                Terminal.standardError(
                    "pipeops: promotion to \(to) refused: \(outcome.gates.filter { !$0.passed }.map(\.name).joined(separator: ", ")) failed"
                )
                throw ExitCode(1)
            }
            if dryRun {
                Terminal.output("dry run: all gates pass; nothing recorded\n")
                return
            }
            printPublished(outcome.published, progress: progress)
            if let upserted = outcome.upserted { Terminal.output("\(upserted.created ? "created" : "updated") \(upserted.pipelineArn)\n") }
            for (key, upserted) in outcome.upsertedPipelines {
                Terminal.output("\(key): \(upserted.created ? "created" : "updated") \(upserted.pipelineArn)\n")
            }
            if let record = outcome.record {
                for (key, part) in (record.pipelines ?? [:]).sorted(by: { $0.key < $1.key }) {
                    Terminal.output("  \(key): structure \(part.structureSha256.prefix(12)) code \(part.codeSha256.prefix(12))\n")
                }
                let what = record.pipelines.map { "\($0.count) pipelines, one record" } ?? "structure \(record.structureSha256.prefix(12))"
                Terminal.output(
                    "promoted \(record.version) to \(to) (\(what)); recorded in \(PromoteUseCase.notesRef) on \(record.commit.prefix(7))\n"
                )
            }
        }
    }
}
