/// The AWS API shapes that step Arguments and step properties follow, from botocore's models
/// (see `scripts/gen-shapes.py`).
public struct ServiceShapes: Sendable {
    public enum Shape: Sendable {
        case structure(members: [String: String], required: [String])
        case list(element: String)
        case map(value: String)
        /// botocore scalar type (`string`, `integer`, `long`, `float`, `double`, `boolean`, `timestamp`, `blob`)
        /// and, for small string enums, the allowed values.
        case scalar(type: String, allowed: [String]?)
    }

    /// botocore's `min`/`max` of a shape: entries of a list or map, characters of a string, or
    /// the value of a number.
    public struct Limits: Sendable, Equatable {
        public var min: Double?
        public var max: Double?

        public func contains(_ value: Double) -> Bool { (min.map { value >= $0 } ?? true) && (max.map { value <= $0 } ?? true) }

        /// "1–100", "at least 1", "at most 10".
        public var phrase: String {
            func text(_ value: Double) -> String { value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value) }
            switch (min, max) {
            case let (low?, high?): return "\(text(low))–\(text(high))"
            case let (low?, nil): return "at least \(text(low))"
            case let (nil, high?): return "at most \(text(high))"
            case (nil, nil): return "any"
            }
        }
    }

    public let shapes: [String: Shape]
    public let limits: [String: Limits]

    public static let shared: ServiceShapes = {
        let bytes = Array(ServiceShapesData.json.utf8)
        let node = bytes.withUnsafeBufferPointer { buffer in (try? JSONParser.parse(buffer))?.0 }
        var shapes: [String: Shape] = [:]
        var limits: [String: Limits] = [:]
        for member in node?.members ?? [] {
            let entry = member.value
            if entry["n"] != nil || entry["x"] != nil {
                limits[member.key] = Limits(min: entry["n"]?.double, max: entry["x"]?.double)
            }
            switch entry["k"]?.string {
            case "s":
                let members = Dictionary(uniqueKeysWithValues: (entry["m"]?.members ?? []).map { ($0.key, $0.value.string ?? "") })
                shapes[member.key] = .structure(members: members, required: entry["r"]?.elements?.compactMap(\.string) ?? [])
            case "l": shapes[member.key] = .list(element: entry["e"]?.string ?? "")
            case "m": shapes[member.key] = .map(value: entry["e"]?.string ?? "")
            case let type?: shapes[member.key] = .scalar(type: type, allowed: entry["v"]?.elements?.compactMap(\.string))
            case nil: break
            }
        }
        return ServiceShapes(shapes: shapes, limits: limits)
    }()

    public subscript(name: String) -> Shape? { shapes[name] }

    /// The request shape a step's `Arguments` mirror, and the members the SDK removes from it.
    public static func argumentsShape(for type: StepType) -> (shape: String, removed: Set<String>)? {
        switch type {
        case .processing: return ("CreateProcessingJobRequest", ["ProcessingJobName"])
        case .training: return ("CreateTrainingJobRequest", ["TrainingJobName"])
        case .transform: return ("CreateTransformJobRequest", ["TransformJobName"])
        case .tuning: return ("CreateHyperParameterTuningJobRequest", ["HyperParameterTuningJobName"])
        case .model: return ("CreateModelInput", ["ModelName"])
        case .registerModel: return ("CreateModelPackageInput", ["ModelPackageName", "CertifyForMarketplace", "Description"])
        case .autoML: return ("CreateAutoMLJobRequest", ["AutoMLJobName", "ModelDeployConfig", "GenerateCandidateDefinitionsOnly"])
        default: return nil
        }
    }
}
