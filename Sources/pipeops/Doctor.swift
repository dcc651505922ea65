import ArgumentParser
import Foundation
import PipeOpsKit

extension PipeOps {
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what pipeops found here: its helper, isolation, libgit2, Python and moto.",
            discussion: """
                Read-only and offline. Use it when `pipeops run` rewrites /opt/ml instead of \
                mounting it, when a .py definition will not compile, or in CI to record the \
                environment a job ran in.

                Examples:
                  pipeops doctor
                  pipeops doctor --format json
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @Option(help: "Output format: text or json.")
        var format: Format = .text

        func run() throws {
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
