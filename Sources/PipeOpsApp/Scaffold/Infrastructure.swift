import Foundation
import PipeOpsModel

/// Pipeline definitions that repositories keep in their infrastructure code: a Terraform
/// `aws_sagemaker_pipeline` (its `pipeline_definition` a `file(...)` or a heredoc) and a
/// CloudFormation `AWS::SageMaker::Pipeline` (its `PipelineDefinitionBody`). What cannot be read
/// without running the tool (an HCL `jsonencode`, a `!Sub` with variables) is said, not guessed.
enum Infrastructure {
    /// Definitions found in `.tf` files and CloudFormation templates, as adopt writes them.
    static func definitions(in root: String, files: [String], text: (String) -> String, taken: [String]) -> [Adopter.Found] {
        var found: [Adopter.Found] = []
        var names = Set(taken)
        func add(_ definition: String, name: String?, how: String, extracted: String?) {
            guard names.insert(definition).inserted else { return }
            found.append(
                Adopter.Found(definition: definition, kwargs: name.map { [("pipeline_name", $0)] } ?? [], how: how, extracted: extracted))
        }
        for file in files where file.hasSuffix(".tf") {
            let body = text(file)
            guard body.contains("aws_sagemaker_pipeline") else { continue }
            let folder = (file as NSString).deletingLastPathComponent
            for resource in terraformResources(body) {
                if let referenced = firstMatch(#"pipeline_definition\s*=\s*file\(\s*"(?:\$\{path\.module\}/)?([^"$]+)"\s*\)"#, in: resource)
                {
                    let path = folder.isEmpty ? referenced : folder + "/" + referenced
                    let normalized = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: "/")).standardizedFileURL.path.dropFirst()
                    if isDefinition(text(String(normalized))) {
                        add(
                            String(normalized), name: terraformName(resource), how: "\(file) reads it with file(\"\(referenced)\")",
                            extracted: nil)
                    }
                } else if let heredoc = heredoc(resource), isDefinition(heredoc) {
                    let target = "pipeline/\(terraformName(resource) ?? "definition").json"
                    add(target, name: terraformName(resource), how: "\(file) embeds it in a heredoc", extracted: heredoc)
                }
            }
        }
        for file in files where file.hasSuffix(".yaml") || file.hasSuffix(".yml") || file.hasSuffix(".json") || file.hasSuffix(".template")
        {
            let body = text(file)
            guard body.contains("AWS::SageMaker::Pipeline"), let document = try? DocumentLoader.parse(data: Data(body.utf8), path: file)
            else { continue }
            for resource in document.root["Resources"]?.members ?? [] where resource.value["Type"]?.string == "AWS::SageMaker::Pipeline" {
                let properties = resource.value["Properties"]
                guard let definitionBody = properties?["PipelineDefinition"]?["PipelineDefinitionBody"]?.string,
                    isDefinition(definitionBody)
                else { continue }
                let name = properties?["PipelineName"]?.string
                add(
                    "pipeline/\(name ?? resource.key).json", name: name, how: "\(file) embeds it in \(resource.key).PipelineDefinitionBody",
                    extracted: definitionBody.hasSuffix("\n") ? definitionBody : definitionBody + "\n")
            }
        }
        return found
    }

    /// Embedded definitions adopt cannot read without running the tool, as decisions to make.
    static func unreadable(files: [String], text: (String) -> String) -> [String] {
        var notes: [String] = []
        for file in files where file.hasSuffix(".tf") {
            for resource in terraformResources(text(file)) {
                if resource.range(of: #"pipeline_definition\s*=\s*jsonencode\("#, options: .regularExpression) != nil {
                    notes.append(
                        "\(file) builds a pipeline_definition with jsonencode(…) (HCL): not extracted; write it out with `terraform console` (jsonencode of it) into a .json file and name that file under pipelines:"
                    )
                } else if heredoc(resource) == nil, resource.contains("pipeline_definition"), !resource.contains("file(") {
                    notes.append("\(file) has a pipeline_definition pipeops cannot read as JSON (interpolations?): not extracted")
                }
            }
        }
        return notes
    }

    /// A definition's text: JSON with `Version` 2020-12-01 and `Steps`.
    static func isDefinition(_ text: String) -> Bool {
        guard text.contains("2020-12-01"), let document = try? DocumentLoader.parse(data: Data(text.utf8), path: "d.json", syntax: .json)
        else { return false }
        return document.root["Version"]?.string == "2020-12-01" && document.root["Steps"]?.elements != nil
    }

    /// The bodies of `resource "aws_sagemaker_pipeline" "…" { … }` blocks (braces counted outside strings and heredocs).
    static func terraformResources(_ body: String) -> [String] {
        var blocks: [String] = []
        var search = body.startIndex
        while let start = body.range(
            of: #"resource\s+"aws_sagemaker_pipeline"\s+"[^"]+"\s*\{"#, options: .regularExpression, range: search..<body.endIndex)
        {
            var depth = 1
            var index = start.upperBound
            var inString = false
            var heredocEnd: String?
            while index < body.endIndex && depth > 0 {
                if let end = heredocEnd {
                    let lineEnd = body[index...].firstIndex(of: "\n") ?? body.endIndex
                    if body[index..<lineEnd].trimmingCharacters(in: .whitespaces) == end { heredocEnd = nil }
                    index = lineEnd < body.endIndex ? body.index(after: lineEnd) : lineEnd
                    continue
                }
                let character = body[index]
                if inString {
                    if character == "\\" { index = body.index(after: index) } else if character == "\"" { inString = false }
                } else if character == "\"" {
                    inString = true
                } else if character == "<", body[index...].hasPrefix("<<"),
                    let marker = firstMatch(#"^<<-?([A-Z_]+)"#, in: String(body[index...].prefix(40)))
                {
                    heredocEnd = marker
                    index = body[index...].firstIndex(of: "\n") ?? body.endIndex
                    continue
                } else if character == "{" {
                    depth += 1
                } else if character == "}" {
                    depth -= 1
                }
                index = body.index(after: index)
            }
            blocks.append(String(body[start.lowerBound..<index]))
            search = index
        }
        return blocks
    }

    static func terraformName(_ resource: String) -> String? { firstMatch(#"pipeline_name\s*=\s*"([^"$]+)""#, in: resource) }

    /// `pipeline_definition = <<EOF … EOF` (or `<<-EOT`): the text, without interpolations.
    static func heredoc(_ resource: String) -> String? {
        guard let marker = firstMatch(#"pipeline_definition\s*=\s*<<-?([A-Z_]+)"#, in: resource),
            let start = resource.range(of: #"pipeline_definition\s*=\s*<<-?"# + marker + "\n", options: .regularExpression)
        else { return nil }
        var lines: [String] = []
        for line in resource[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces) == marker { break }
            lines.append(String(line))
        }
        let text = lines.joined(separator: "\n") + "\n"
        return text.contains("${") ? nil : text
    }

    static func firstMatch(_ pattern: String, in text: String) -> String? { Adopter.firstMatch(pattern, in: text) }
}
