/// ANSI styles, in one place. Callers decide whether colour is allowed (a terminal, no NO_COLOR).
public enum TerminalStyle {
    public enum Style: String, Sendable {
        case error = "1;31"
        case warning = "1;33"
        case info = "1;36"
        case bold = "1"
        case dim = "90"
        case success = "32"
        case failure = "31"
        case notice = "33"
        case started = "36"
        case strongSuccess = "1;32"
    }

    public static func paint(_ text: String, _ style: Style, enabled: Bool) -> String {
        enabled ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}
