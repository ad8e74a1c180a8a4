/// Parsing of a prove target c_t exactly, never through a `Double`.
public enum TargetParser {
    /// Largest numerator or denominator accepted, so that every threshold ⌊p·N/q⌋ with
    /// N ≤ S² ≤ 2^31 stays far inside 128-bit arithmetic and reported fractions fit `Int64`.
    public static let maxPart: Int64 = 1_000_000_000_000

    /// Accepts exact decimals (`1.28`, `.9`, `1`) and fractions (`32/25`). The result must lie in
    /// (0, 2): C ≤ 1.5029 is known, and at c_t ≥ 2 the asymmetry cut-off √(c_t/2) reaches 1.
    public static func parse(_ text: String) throws -> Fraction {
        let trimmed = text.trimmingCharacters(in: " ")
        let value: Fraction
        if trimmed.contains("/") {
            let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let p = digits(parts[0]), let q = digits(parts[1]), q != 0 else {
                throw CoreError.badInput("target '\(text)' is not a number: use a decimal like 1.28 or a fraction like 32/25")
            }
            value = Fraction(p, q)
        } else {
            let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2, !trimmed.isEmpty, trimmed != "." else {
                throw CoreError.badInput("target '\(text)' is not a number: use a decimal like 1.28 or a fraction like 32/25")
            }
            let whole = parts[0].isEmpty ? 0 : digits(parts[0])
            let fracText = parts.count == 2 ? parts[1] : ""
            let frac = fracText.isEmpty ? 0 : digits(fracText)
            guard let whole, let frac, fracText.count <= 12 else {
                throw CoreError.badInput("target '\(text)' is not a number of at most 12 decimal places: use a decimal like 1.28 or a fraction like 32/25")
            }
            var scale: Int64 = 1
            for _ in 0..<fracText.count { scale *= 10 }
            guard whole < 10 else { throw outOfRange(text) }
            value = Fraction(whole * scale + frac, scale)
        }
        guard value > .zero, value < Fraction(2) else { throw outOfRange(text) }
        return value
    }

    private static func outOfRange(_ text: String) -> CoreError {
        .badInput("target '\(text)' is out of range: it must lie strictly between 0 and 2")
    }

    /// Non-negative decimal digits only (no sign, no spaces), at most `maxPart`.
    private static func digits(_ s: Substring) -> Int64? {
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && $0.isNumber }), s.count <= 13,
              let v = Int64(s), v <= maxPart else { return nil }
        return v
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
