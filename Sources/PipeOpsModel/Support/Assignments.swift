/// `NAME=VALUE` flags.
public enum Assignments {
    /// Parses `NAME=VALUE` assignments (`--param`, `--property-sample`): the one parser every
    /// command uses. The value may be empty or contain `=`; the name may not be empty.
    public static func parse(_ entries: [String], option: String = "--param") throws(PipeOpsError) -> [(name: String, value: String)] {
        var parsed: [(name: String, value: String)] = []
        for entry in entries {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw .invalidArgument("\(option) takes NAME=VALUE, not '\(entry)'")
            }
            parsed.append((String(entry[..<equals]), String(entry[entry.index(after: equals)...])))
        }
        return parsed
    }
}
