/// One environment's parameter set (`environments/<env>.yaml`).
public struct EnvironmentFile: Sendable {
    public var document: Document
    /// Values for the definition's parameters, in file order.
    public var parameters: [Node.Member] = []
    public var tags: [(key: String, value: String, node: Node)] = []
    public var roleArn: String?
    public var region: String?
    public var pipelineName: String?
    public var parallelism: Int?
    /// Keyword arguments this environment's compile passes the builder, over `pipeline.kwargs`
    /// (a Python definition only; SageMaker Projects builders take role, default_bucket, …).
    public var kwargs: Node?
    /// Bucket for definitions over 100 KiB (uploaded before CreatePipeline, as the SDK does).
    public var definitionBucket: String?
    /// `images`: repository → `sha256:` digest; image fields naming the repository are pinned to it.
    public var images: [String: String] = [:]
    public var imagesNode: Node?
    public var problems: [StructureProblem] = []

    /// The parameter values by name (a repeated name: the last one, as the file reads).
    public var values: [String: Node] {
        Dictionary(parameters.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    public static let keys = [
        "parameters", "tags", "roleArn", "region", "pipelineName", "parallelism", "definitionBucket", "description", "images", "kwargs",
    ]

    public init(document: Document) {
        self.document = document
        var reader = StructureReader()
        let root = document.root
        if root.isNull {
            problems = []
            return
        }
        guard root.members != nil else {
            reader.problem(
                "an environment file must be a mapping with 'parameters:' (and optional tags, roleArn, region, pipelineName, parallelism)",
                at: root)
            problems = reader.problems
            return
        }
        reader.allowOnly(root, EnvironmentFile.keys, in: "the environment file")
        if let parameters = root["parameters"], !parameters.isNull {
            if let members = parameters.members {
                self.parameters = members
            } else {
                reader.problem("'parameters' must be a mapping of parameter name to value, not a \(parameters.typeName)", at: parameters)
            }
        }
        if let tags = root["tags"], !tags.isNull {
            if let members = tags.members {
                for member in members {
                    switch member.value.value {
                    case .string(let value): self.tags.append((member.key, value, member.value))
                    case .integer, .bigInteger, .number, .bool: self.tags.append((member.key, member.value.brief, member.value))
                    default:
                        reader.problem("tag '\(member.key)' must have a string value, not a \(member.value.typeName)", at: member.value)
                    }
                }
            } else {
                reader.problem("'tags' must be a mapping of tag key to value, not a \(tags.typeName)", at: tags)
            }
        }
        roleArn = reader.string(root, "roleArn", in: "the environment file")
        region = reader.string(root, "region", in: "the environment file")
        pipelineName = reader.string(root, "pipelineName", in: "the environment file")
        definitionBucket = reader.string(root, "definitionBucket", in: "the environment file")
        kwargs = reader.object(root, "kwargs", in: "the environment file")
        if let images = root["images"], !images.isNull {
            imagesNode = images
            if let members = images.members {
                for member in members {
                    guard let repository = ImageReference(member.key)?.repository else {
                        reader.problem("images key '\(member.key)' is not an image repository", at: Node(.null, at: member.keyLocation))
                        continue
                    }
                    guard let value = member.value.string else {
                        reader.problem("images.\(member.key) must be a digest (sha256:…), not a \(member.value.typeName)", at: member.value)
                        continue
                    }
                    let digest = value.contains("@") ? ImageReference(value)?.digest ?? "" : value
                    if let pinnedRepository = ImageReference(value)?.repository, value.contains("@"), pinnedRepository != repository {
                        reader.problem("images.\(member.key) pins another repository (\(pinnedRepository))", at: member.value)
                        continue
                    }
                    guard ImageReference.isDigest(digest) else {
                        reader.problem(
                            "images.\(member.key) must be a digest such as sha256:<64 lower-case hex digits> (docker buildx imagetools inspect shows it), not '\(value)'",
                            at: member.value)
                        continue
                    }
                    self.images[repository] = digest
                }
            } else {
                reader.problem("'images' must map image repositories to digests, not a \(images.typeName)", at: images)
            }
        }
        if let parallelism = root["parallelism"] {
            if let value = parallelism.int, case .integer = parallelism.value, value >= 1 {
                self.parallelism = value
            } else {
                reader.problem(
                    "'parallelism' must be a whole number of at least 1 (MaxParallelExecutionSteps), not \(parallelism.brief)",
                    at: parallelism)
            }
        }
        problems = reader.problems
    }
}
