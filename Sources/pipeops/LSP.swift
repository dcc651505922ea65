import ArgumentParser
import Foundation
import PipeOpsApp
import PipeOpsModel

extension PipeOps {
    struct LSP: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lsp",
            abstract: "Run the language server (LSP 3.17 over stdio) for editors.",
            discussion: """
                Diagnostics as 'pipeops lint' reports them (rule as the code, linked to its \
                documentation) while a definition is typed, and for the whole product on save \
                (pipeops.yaml, environment files, a Python definition compiled); hover for \
                Steps.X references and parameters (type, default, each environment's value); go \
                to definition and references for steps and parameters; completion of step \
                names, properties (from the API model), parameters, execution variables and rule \
                ids; quick fixes for did-you-mean names and a missing ExpireAfter. Editors start \
                it as 'pipeops lsp' (README › Editors).
                """
        )

        func run() throws {
            let output = FileHandle.standardOutput
            let writing = NSLock()
            let server = LanguageServer { message in
                writing.lock()
                output.write(LSPFrameReader.frame(message))
                writing.unlock()
            }
            var reader = LSPFrameReader()
            let input = FileHandle.standardInput
            while server.exitCode == nil {
                let data = input.availableData
                if data.isEmpty { break } // the editor went away
                for frame in reader.append(data) {
                    server.receive(frame)
                    if server.exitCode != nil { break }
                }
            }
            throw ExitCode(server.exitCode ?? 1)
        }
    }
}
