/// The one vocabulary in which `autoconv verify` ends, for certificates and cascade runs alike
/// (the README's verdict table). Only `verified` states a bound: a sampled check never prints
/// "C >=" or VERIFIED, however well it went.
///
/// | verdict        | line                                         | exit | JSON `outcome`  |
/// |----------------|----------------------------------------------|------|-----------------|
/// | verified       | `VERIFIED: C >= t`                           | 0    | `verified`      |
/// | spot-checked   | `SPOT-CHECKED: what was sampled`             | 0    | `spot-checked`  |
/// | not proven     | `NOT PROVEN: consistent, N survivors remain` | 1    | `not-proven`    |
/// | not verified   | `NOT VERIFIED: reason`                       | 1    | `not-verified`  |
/// | part checked   | `PART r/M CHECKED: …` (`verify RUN --shard`) | 0    | `part-checked`  |
///
/// A part of a sharded check states no verdict of the run at all: `verify RUN --merge` joins the
/// parts into one of the first four.
public enum CheckVerdict: Equatable, Sendable {
    /// Every check was exhaustive and the input proves C ≥ target.
    case verified(target: String)
    /// The input proves its target as far as checked, but something was only sampled.
    case spotChecked(sampled: String)
    /// Consistent as far as checked, but survivors remain: no bound is proven.
    case notProven(survivors: String)
    /// Inconsistent, tampered, unsound or unreadable.
    case notVerified(reason: String)
    /// Part `part` ("r/M") of a sharded check passed; `sampled` says what it only sampled
    /// (empty when exhaustive). Not a verdict on the run.
    case partChecked(part: String, sampled: String)

    /// The last line `verify` prints.
    public var line: String {
        switch self {
        case .verified(let target): return "VERIFIED: C >= \(target)"
        case .spotChecked(let sampled): return "SPOT-CHECKED: \(sampled)"
        case .notProven(let survivors): return "NOT PROVEN: consistent, \(survivors) survivors remain"
        case .notVerified(let reason): return "NOT VERIFIED: \(reason)"
        case .partChecked(let part, let sampled):
            return "PART \(part) CHECKED: " + (sampled.isEmpty ? "exhaustively" : "sampled (\(sampled))")
                + "; a part states nothing about the run until every part is merged (verify RUN --merge)"
        }
    }

    /// The JSON `outcome` value.
    public var name: String {
        switch self {
        case .verified: return "verified"
        case .spotChecked: return "spot-checked"
        case .notProven: return "not-proven"
        case .notVerified: return "not-verified"
        case .partChecked: return "part-checked"
        }
    }

    /// Whether `verify` exits 0.
    public var succeeded: Bool {
        switch self {
        case .verified, .spotChecked, .partChecked: return true
        case .notProven, .notVerified: return false
        }
    }
}
