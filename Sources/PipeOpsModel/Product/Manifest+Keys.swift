extension Manifest {
    /// Every key pipeops.yaml may hold, where it may hold it: the parser allows exactly these, and
    /// a test ties them to schemas/pipeops.schema.json (both ways).
    public enum Keys {
        public static let top = ["version", "pipeline", "pipelines", "environments", "code", "propertyFiles", "local", "lint", "release"]
        public static let pipeline = [
            "name", "definition", "roleArn", "description", "kwargs", "python", "requirements", "compileTimeout", "offline", "pythonPath",
            "variables",
        ]
        public static let environment = ["parameters", "execute", "requireEvidence"]
        public static let propertyFile = ["sample", "schema"]
        public static let local = ["s3", "steps"]
        public static let localStep = ["command", "outputs", "stageInputs"]
        public static let lint = ["disable", "steps"]
        public static let lintStep = ["disable"]
        public static let release = ["tagPrefix", "requireTag"]

        /// The objects with a fixed set of keys, by their path in the document (`*`: any name).
        public static let objects: [(path: [String], keys: [String])] = [
            ([], top), (["pipeline"], pipeline), (["pipelines", "*"], pipeline), (["environments", "*"], environment),
            (["propertyFiles", "*"], propertyFile),
            (["local"], local), (["local", "steps", "*"], localStep), (["lint"], lint), (["lint", "steps", "*"], lintStep),
            (["release"], release),
        ]
    }
}
