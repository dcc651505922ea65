/// ANSI styles, in one place. Callers decide whether colour is allowed (a terminal, no NO_COLOR).
public enum TerminalStyle {
    public enum Style: String, Sendable {
        case error = "1;31", warning = "1;33", info = "1;36", bold = "1", dim = "90", success = "32", failure = "31", notice = "33"
        case started = "36", strongSuccess = "1;32"
    }

    public static func paint(_ text: String, _ style: Style, enabled: Bool) -> String {
        enabled ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}
