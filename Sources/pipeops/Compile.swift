import ArgumentParser
import Foundation
import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsModel
import PipeOpsReporting

extension PipeOps {
    struct Compile: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compile",
            abstract: "Compile a Python definition (SageMaker SDK) to the JSON every command reads.",
            discussion: """
                pipeline.definition in pipeops.yaml may name a .py file defining \
                get_pipeline(**kwargs) that returns an SDK Pipeline (v2 sagemaker.workflow or v3 \
                sagemaker.mlops.workflow). Keyword arguments come from pipeline.kwargs; the \
                interpreter is pipeline.python, else $PIPEOPS_PYTHON, else python3 on PATH; \
                pipeline.compileTimeout (default 300 s) stops a compile that hangs.

                Every command that reads the definition compiles first when something the \
                compile depends on changed: any product file or folder it read (its modules, \
                YAML or JSON confs, requirements), the kwargs, the interpreter and the packages \
                installed for it. A comment in pipeops.yaml recompiles nothing. The result is \
                .pipeops/compiled/definition.json (findings point into definition.py).

                Offline and hermetic: no AWS credentials or network are used. S3 uploads are \
                captured into .pipeops/s3 (run serves them, upsert publishes them); STS answers \
                as an assumed role and IAM GetRole with pipeline.roleArn, so \
                get_execution_role() works; Lambda functions the definition deploys are \
                captured; List* calls answer empty; answer any other call under \
                pipeline.offline."service.Operation" in pipeops.yaml. Unanswered calls raise \
                botocore's ClientError, so the SDK's fallbacks run.

                Reproducible: the clock reads the HEAD commit's time, uuid4 is seeded and the \
                checkout's path shows as /pipeops/product, so two clones compile to the same \
                bytes; --check-reproducible compiles a copy elsewhere and names every field that \
                still differs. Files the SDK writes into the product while compiling are put \
                back (new ones move to .pipeops/compiled/written/): git status stays clean.
                """
        )

        @OptionGroup var selection: PipelineOption

        @Option(name: .shortAndLong, help: "Also write the definition to FILE (atomically); - for stdout.")
        var output: String?

        @Flag(help: "Compile even when the cached result is current.")
        var force = false

        @Flag(help: "Also compile a copy of the product at another path and report every field that differs (exit 1).")
        var checkReproducible = false

        func run() throws {
            let (results, notPython) = try CompileUseCase.run(
                force: force, checkReproducible: checkReproducible, workspace: selection.workspace)
            guard !results.isEmpty else {
                Terminal.standardError(
                    "pipeops: \(notPython ?? "pipeline.definition") is not a .py file: JSON and YAML definitions need no compile; nothing to do"
                )
                return
            }
            if output != nil && results.count > 1 {
                throw ValidationError("-o writes one definition: name the pipeline with --pipeline")
            }
            for compiled in results {
                if let output {
                    let data = FileManager.default.contents(atPath: compiled.path) ?? Data()
                    if output == "-" {
                        Terminal.output(data)
                        return
                    }
                    try AtomicFile.write(data, to: output)
                }
                let sdk = compiled.sdkVersion.map { " · sagemaker \($0)" } ?? ""
                let python = compiled.pythonVersion.map { " · python \($0)" } ?? ""
                if checkReproducible {
                    let findings = compiled.irreproducible
                    for finding in findings { Terminal.output(finding.compilerLine() + "\n") }
                    if !findings.isEmpty {
                        Terminal.standardError(
                            "\(findings.count) field\(findings.count == 1 ? "" : "s") differ between two compiles of the same commit")
                        throw ExitCode(1)
                    }
                    Terminal.standardError("reproducible: a copy of the product at another path compiles to the same bytes")
                }
                Terminal.standardError(
                    "\(compiled.fromCache ? "up to date" : "compiled") \(compiled.definition) → \(compiled.display)\(output.map { " and \($0)" } ?? "")\(sdk)\(python) · \(compiled.uploads) upload\(compiled.uploads == 1 ? "" : "s") captured in .pipeops/s3"
                )
            }
        }
    }
}
