import ArgumentParser
import Foundation
import PipeOpsModel

/// `--pipeline NAME`: which pipeline of pipeops.yaml a command works on, when it lists several.
struct PipelineOption: ParsableArguments {
    @Option(help: ArgumentHelp("The pipeline of pipeops.yaml (a key of its pipelines:), when it lists several.", valueName: "NAME"))
    var pipeline: String?

    /// The current directory, through that pipeline.
    var workspace: Workspace { Workspace(pipeline: pipeline) }
}
