import ArgumentParser
import Foundation
import PipeOpsKit

extension PipeOps {
    struct Compile: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compile a Python definition (SageMaker SDK) to the JSON every command reads.",
            discussion: """
                pipeline.definition in pipeops.yaml may name a .py file defining \\
                get_pipeline(**kwargs), returning an SDK Pipeline (v2 sagemaker.workflow or v3 \\
                sagemaker.mlops.workflow). Keyword arguments come from pipeline.kwargs; the \\
                interpreter is pipeline.python, else $PIPEOPS_PYTHON, else python3 on PATH; \\
                pipeline.compileTimeout (default 300 s) stops a compile that hangs.

                Every command that reads the definition compiles first when its inputs changed: \\
                the product's Python files, pipeops.yaml, the interpreter and the SDK installed \\
                for it. The result is .pipeops/compiled/definition.json (findings point into it).

                Offline and hermetic: no AWS credentials or network are used; the SDK's AWS calls \\
                are answered in-process, and what it uploads (code= scripts, source_dir archives) \\
                is captured into the product's local S3 at the URIs the definition names, so \\
                `pipeops run` runs that code and `pipeops upsert` publishes it. The region and \\
                account the SDK sees are the region and account kwargs, else us-east-1 and \\
                111111111111.
                """
        )

        @Option(name: .shortAndLong, help: "Also write the definition to FILE (atomically); - for stdout.")
        var output: String?

        @Flag(help: "Compile even when the cached result is current.")
        var force = false

        func run() throws {
            let product = try Product.locate()
            let manifest = try product.requireManifest()
            guard let definition = manifest.definition, PythonDefinition.isPython(definition) else {
                throw PipeOpsError.invalidArgument(
                    "pipeline.definition (\(manifest.definition ?? "unset")) is not a .py file; JSON and YAML definitions need no compile")
            }
            let compiled = try PythonDefinition.compile(manifest, force: force)
            let display = DisplayPath(base: product.directory)(compiled.path)
            if let output {
                let data = FileManager.default.contents(atPath: compiled.path) ?? Data()
                if output == "-" {
                    FileHandle.standardOutput.write(data)
                    return
                }
                try AtomicFile.write(data, to: output)
            }
            let sdk = compiled.sdkVersion.map { " · sagemaker \($0)" } ?? ""
            let python = compiled.pythonVersion.map { " · python \($0)" } ?? ""
            Terminal.standardError(
                "\(compiled.fromCache ? "up to date" : "compiled") \(definition) → \(display)\(output.map { " and \($0)" } ?? "")\(sdk)\(python) · \(compiled.uploads.count) upload\(compiled.uploads.count == 1 ? "" : "s") captured in .pipeops/s3"
            )
        }
    }
}
