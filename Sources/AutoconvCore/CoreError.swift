/// Errors the core reports. The CLI maps each case to an exit code in one place:
/// `badInput` is the user's to fix (exit 2), `failure` is everything else (exit 3).
public enum CoreError: Error, Equatable, CustomStringConvertible {
    case badInput(String)
    case failure(String)

    public var description: String {
        switch self {
        case .badInput(let message), .failure(let message): return message
        }
    }
}
