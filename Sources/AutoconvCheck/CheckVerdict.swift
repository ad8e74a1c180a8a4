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
public enum CheckVerdict: Equatable, Sendable {
    /// Every check was exhaustive and the input proves C ≥ target.
    case verified(target: String)
    /// The input proves its target as far as checked, but something was only sampled.
    case spotChecked(sampled: String)
    /// Consistent as far as checked, but survivors remain: no bound is proven.
    case notProven(survivors: String)
    /// Inconsistent, tampered, unsound or unreadable.
    case notVerified(reason: String)

    /// The last line `verify` prints.
    public var line: String {
        switch self {
        case .verified(let target): return "VERIFIED: C >= \(target)"
        case .spotChecked(let sampled): return "SPOT-CHECKED: \(sampled)"
        case .notProven(let survivors): return "NOT PROVEN: consistent, \(survivors) survivors remain"
        case .notVerified(let reason): return "NOT VERIFIED: \(reason)"
        }
    }

    /// The JSON `outcome` value.
    public var name: String {
        switch self {
        case .verified: return "verified"
        case .spotChecked: return "spot-checked"
        case .notProven: return "not-proven"
        case .notVerified: return "not-verified"
        }
    }

    /// Whether `verify` exits 0.
    public var succeeded: Bool {
        switch self {
        case .verified, .spotChecked: return true
        case .notProven, .notVerified: return false
        }
    }
}
