/// A minimal JSON value that keeps object keys in insertion order, so output is stable and
/// readable without Foundation.
public enum JSON {
    case string(String)
    case int(Int64)
    /// A count: always written as a decimal string, since counts pass 2^53 (where JSON readers
    /// such as jq lose digits) and, at deep cascade levels, 2^64.
    case decimal(String)
    case double(Double)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    public func rendered() -> String {
        switch self {
        case .string(let s): return JSON.quote(s)
        case .int(let v): return String(v)
        case .decimal(let v): return JSON.quote(v)
        case .double(let v): return v.isFinite ? "\(v)" : "null"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items): return "[" + items.map { $0.rendered() }.joined(separator: ", ") + "]"
        case .object(let fields):
            return "{" + fields.map { "\(JSON.quote($0.0)): \($0.1.rendered())" }.joined(separator: ", ") + "}"
        }
    }

    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The version of every JSON object autoconv prints (docs/json.md). 2: counts became
    /// decimal strings, shards partial results.
    public static let schemaVersion: Int64 = 2

    /// A count as a decimal string (see `decimal`).
    public static func count(_ value: some BinaryInteger) -> JSON { .decimal(String(value)) }

    public static func ints(_ values: [Int]) -> JSON { .array(values.map { .int(Int64($0)) }) }
}
