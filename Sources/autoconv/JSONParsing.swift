import AutoconvCore

/// Reading back what `JSON.rendered()` writes (for `merge`): standard JSON, with object keys
/// kept in file order so a merged result prints its keys in the order the shards did.
/// Integers become `.uint` (or `.int` when negative), other numbers `.double`; rendering a parsed
/// value gives the same text for everything autoconv writes.
extension JSON {
    /// Parses one JSON value filling all of `text`; `badInput` naming the offset otherwise.
    static func parse(_ text: String) throws -> JSON {
        var parser = Parser(bytes: Array(text.utf8))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.offset == parser.bytes.count else { throw parser.error("unexpected text after the value") }
        return value
    }

    subscript(key: String) -> JSON? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.0 == key }?.1
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// A non-negative integer, whether written as a number or as a decimal string.
    var uint64: UInt64? {
        switch self {
        case .int(let v): return v >= 0 ? UInt64(v) : nil
        case .string(let s): return UInt64(s)
        default: return nil
        }
    }

    var double: Double? {
        switch self {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: return nil
        }
    }

    var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    var array: [JSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// An array of integers.
    var ints: [Int]? {
        guard let items = array else { return nil }
        var values: [Int] = []
        for item in items {
            guard let v = item.uint64, let i = Int(exactly: v) else { return nil }
            values.append(i)
        }
        return values
    }

    /// The object with `key` set to `value`, in place if present, else appended.
    func setting(_ key: String, _ value: JSON) -> JSON {
        guard case .object(var fields) = self else { return self }
        if let index = fields.firstIndex(where: { $0.0 == key }) { fields[index].1 = value } else { fields.append((key, value)) }
        return .object(fields)
    }

    /// The object without `key`.
    func removing(_ key: String) -> JSON {
        guard case .object(let fields) = self else { return self }
        return .object(fields.filter { $0.0 != key })
    }

    private struct Parser {
        let bytes: [UInt8]
        var offset = 0

        func error(_ why: String) -> CoreError { .badInput("invalid JSON at byte \(offset): \(why)") }

        mutating func skipSpace() {
            while offset < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[offset]) { offset += 1 }
        }

        mutating func value() throws -> JSON {
            skipSpace()
            guard offset < bytes.count else { throw error("unexpected end") }
            switch bytes[offset] {
            case UInt8(ascii: "{"): return try object()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return try number()
            }
        }

        mutating func object() throws -> JSON {
            offset += 1
            var fields: [(String, JSON)] = []
            skipSpace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(fields) }
            while true {
                skipSpace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a key") }
                let key = try string()
                skipSpace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw error("expected ':'") }
                offset += 1
                fields.append((key, try value()))
                skipSpace()
                guard offset < bytes.count else { throw error("unexpected end") }
                offset += 1
                if bytes[offset - 1] == UInt8(ascii: "}") { return .object(fields) }
                guard bytes[offset - 1] == UInt8(ascii: ",") else { throw error("expected ',' or '}'") }
            }
        }

        mutating func array() throws -> JSON {
            offset += 1
            var items: [JSON] = []
            skipSpace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(items) }
            while true {
                items.append(try value())
                skipSpace()
                guard offset < bytes.count else { throw error("unexpected end") }
                offset += 1
                if bytes[offset - 1] == UInt8(ascii: "]") { return .array(items) }
                guard bytes[offset - 1] == UInt8(ascii: ",") else { throw error("expected ',' or ']'") }
            }
        }

        mutating func string() throws -> String {
            offset += 1
            var scalars = String.UnicodeScalarView()
            var raw: [UInt8] = []
            func flush() { scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars); raw = [] }
            while offset < bytes.count {
                let b = bytes[offset]
                offset += 1
                switch b {
                case UInt8(ascii: "\""):
                    flush()
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    flush()
                    guard offset < bytes.count else { throw error("unexpected end") }
                    let escape = bytes[offset]
                    offset += 1
                    switch escape {
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "b"): scalars.append("\u{8}")
                    case UInt8(ascii: "f"): scalars.append("\u{C}")
                    case UInt8(ascii: "u"):
                        guard offset + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self), radix: 16),
                              let scalar = Unicode.Scalar(code) else { throw error("bad \\u escape") }
                        offset += 4
                        scalars.append(scalar)
                    default: scalars.append(Unicode.Scalar(escape))
                    }
                default:
                    raw.append(b)
                }
            }
            throw error("unterminated string")
        }

        mutating func literal(_ word: String) throws {
            let w = Array(word.utf8)
            guard offset + w.count <= bytes.count, Array(bytes[offset..<(offset + w.count)]) == w else { throw error("unknown literal") }
            offset += w.count
        }

        mutating func number() throws -> JSON {
            let start = offset
            while offset < bytes.count, "+-0123456789.eE".utf8.contains(bytes[offset]) { offset += 1 }
            let text = String(decoding: bytes[start..<offset], as: UTF8.self)
            if let v = Int64(text) { return .int(v) }
            if let v = Double(text) { return .double(v) }
            throw error("expected a value")
        }
    }
}
