import ArgumentParser
import Foundation
import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsModel
import PipeOpsReporting

extension PipeOps {
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "doctor",
            abstract: "Show what pipeops found here: its helper, isolation, libgit2, Python and moto (and, with --aws, AWS access).",
            discussion: """
                Read-only and offline (--aws is online: it resolves credentials and calls STS \
                GetCallerIdentity). Use it when `pipeops run` rewrites /opt/ml instead of \
                mounting it, when a .py definition will not compile, or in CI to record the \
                environment a job ran in.

                Examples:
                  pipeops doctor
                  pipeops doctor --format json
                  pipeops doctor --aws --profile release
                """
        )

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @Flag(
            help:
                "Also check AWS access (online): which provider supplies credentials, the account (STS GetCallerIdentity), region and endpoints. Never prints a secret."
        )
        var aws = false

        @OptionGroup var awsOptions: AWSOptions

        func run() throws {
            if aws { return try checkAWS() }
            let report = DoctorReport.gather()
            switch format {
            case .text:
                for check in report.checks {
                    let mark: String
                    switch check.status {
                    case .ok: mark = TerminalStyle.paint("✔", .success, enabled: Terminal.colorAllowed)
                    case .note: mark = TerminalStyle.paint("!", .notice, enabled: Terminal.colorAllowed)
                    case .missing: mark = TerminalStyle.paint("·", .dim, enabled: Terminal.colorAllowed)
                    }
                    Terminal.output("\(mark) \(check.name.padding(toLength: 15, withPad: " ", startingAt: 0)) \(check.detail)\n")
                }
            case .json:
                let checks = report.checks.map { check in
                    Node(object: [
                        ("name", Node(.string(check.name))), ("status", Node(.string(check.status.rawValue))),
                        ("detail", Node(.string(check.detail))),
                    ])
                }
                Terminal.output(CanonicalJSON.string(Node(object: [("checks", Node(.array(checks)))]), pretty: true) + "\n")
            }
        }
    }
}

extension PipeOps.Doctor {
    func checkAWS() throws {
        let lines = try DoctorAWSUseCase.run(awsOptions.settings)
        switch format {
        case .text:
            for (name, value) in lines { Terminal.output("\(name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(value)\n") }
        case .json:
            Terminal.output(
                CanonicalJSON.string(Node(object: lines.map { ($0.0, Node(.string($0.1))) }), sortKeys: false, pretty: true) + "\n")
        }
    }
}
