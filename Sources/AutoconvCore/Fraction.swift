/// An exact, reduced rational number with a positive denominator.
///
/// Every value the solver reports or decides on is a `Fraction` or an integer; nothing is ever
/// decided with floating point. Comparisons cross-multiply in 128-bit, so they are exact for any
/// two fractions whose parts fit in `Int64`.
public struct Fraction: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let numerator: Int64
    public let denominator: Int64

    /// Creates `numerator/denominator` in lowest terms. `denominator` must not be zero.
    public init(_ numerator: Int64, _ denominator: Int64 = 1) {
        precondition(denominator != 0, "Fraction with zero denominator")
        let sign: Int64 = denominator < 0 ? -1 : 1
        let g = Fraction.gcd(numerator.magnitude, denominator.magnitude)
        self.numerator = sign * numerator / Int64(g)
        self.denominator = sign * denominator / Int64(g)
    }

    public static let zero = Fraction(0)

    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x == 0 ? 1 : x
    }

    public static func < (lhs: Fraction, rhs: Fraction) -> Bool {
        Int128(lhs.numerator) * Int128(rhs.denominator) < Int128(rhs.numerator) * Int128(lhs.denominator)
    }

    /// `"p/q"`, or `"p"` when the denominator is 1 (the form values.json uses).
    public var description: String {
        denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)"
    }

    /// For display only: never used in a decision.
    public var doubleValue: Double { Double(numerator) / Double(denominator) }

    /// ⌊self · k⌋ for a non-negative integer `k`, exactly. Used to turn "X > self·k" for an
    /// integer X into the integer comparison "X > ⌊self·k⌋".
    public func floorTimes(_ k: Int64) -> Int64 {
        let product = Int128(numerator) * Int128(k)
        let d = Int128(denominator)
        var q = product / d
        if product % d != 0 && product < 0 { q -= 1 }
        return Int64(clamping: q)
    }

    /// Parses `"p/q"` or `"p"`; returns nil on anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let p = Int64(parts[0]) else { return nil }
        let q = parts.count == 2 ? Int64(parts[1]) : 1
        guard let q, q != 0 else { return nil }
        self.init(p, q)
    }
}
