import PipeOpsModel

package struct ImageDigestRule: Rule {
    package init() {}

    package static let description = RuleDescription(
        id: "image-digest",
        title: "Images are pinned by digest",
        category: .artifacts,
        severity: .warning,
        rationale: """
            A tag such as :latest can be pushed again, so the same definition can run other code \
            tomorrow, and staging can test one image while prod runs another. Pin each image by \
            digest (repo@sha256:…), in the definition or through an environment's images: map \
            (repository → sha256:…). Lint reports :latest, no tag and a malformed digest once per \
            image, naming the steps that use it (a versioned tag, as on the SDK's framework \
            images, is left to the gates). In a product that has promoted nothing past its first \
            environment the finding is an info, since nothing unpinned has shipped and a fresh \
            scaffold must lint clean; once a later environment has a promotion it is a warning. \
            Upsert and promote refuse any unpinned image, tag or not, for every environment after \
            the first in promotion order.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                Arguments:
                  AlgorithmSpecification:
                    TrainingImage: ↓123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:latest
                    TrainingInputMode: File
            """,
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Image, Type: String, DefaultValue: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn" }
            Steps:
              - Name: Prep
                Type: Processing
                Arguments:
                  AppSpecification: { ImageUri: ↓{ Get: Parameters.Image } }
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                Arguments:
                  AlgorithmSpecification:
                    TrainingImage: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn@sha256:0d5b2f8a3c4e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a"
                    TrainingInputMode: File
            """
        ])

    package func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        let defaults = Dictionary(pipeline.parameters.map { ($0.name, $0.defaultValue?.string) }, uniquingKeysWith: { first, _ in first })
        // One finding per image, at its first use, naming every step that uses it.
        var uses: [(reference: ImageReference, why: String, source: String, node: Node, steps: [String])] = []
        // Every step of a large definition names the same few images: parse each text once.
        var parsed: [String: (reference: ImageReference?, why: String?)] = [:]
        for step in pipeline.steps {
            // Nested steps (IfSteps, ElseSteps, a ForEach body) are steps of their own here.
            guard let arguments = step.arguments, step.type != .condition, step.type != .forEach else { continue }
            for field in ImageReference.fields(in: arguments) {
                var text = field.string
                var source = ""
                if let get = field["Get"]?.string, get.hasPrefix("Parameters.") {
                    let name = String(get.dropFirst("Parameters.".count))
                    guard let value = defaults[name] ?? nil else { continue } // no default: each environment sets it
                    text = value
                    source = " (the default of parameter \(name))"
                }
                guard let text else { continue }
                if parsed[text] == nil {
                    let reference = ImageReference(text)
                    parsed[text] = (reference, reference?.mutability)
                }
                let known = parsed[text]!
                guard let reference = known.reference else {
                    findings.report(
                        "'\(text)' is not an image reference (registry/repository[:tag][@sha256:digest])", at: field, step: step)
                    continue
                }
                guard let why = known.why else { continue }
                // A versioned tag is a convention, not a guarantee: the gates refuse it after the
                // first environment, but lint does not flag every SDK framework image for it.
                guard reference.tag == nil || reference.tag == "latest" || reference.digest != nil else { continue }
                if let index = uses.firstIndex(where: { $0.reference.description == reference.description }) {
                    if !uses[index].steps.contains(step.name) { uses[index].steps.append(step.name) }
                } else {
                    uses.append((reference, why, source, field, [step.name]))
                }
            }
        }
        for use in uses {
            let steps = use.steps.count == 1 ? "step '\(use.steps[0])'" : "steps \(use.steps.map { "'\($0)'" }.joined(separator: ", "))"
            findings.report(
                "image \(use.reference)\(use.source), used by \(steps), is not pinned: \(use.why); pin \(use.reference.repository)@sha256:… here or in the environments' images: map (promote and upsert refuse it for environments after the first)",
                at: use.node.location, step: use.steps[0])
        }
    }
}
