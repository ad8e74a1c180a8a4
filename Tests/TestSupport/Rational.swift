import AutoconvCore
import BigInt

/// An exact rational number over arbitrary-precision integers, always in lowest terms with a
/// positive denominator. Slow but never overflows: for tests whose values have unbounded
/// denominators (random continuous heights), where `Fraction`'s 64-bit parts would not do.
public struct Rational: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let numerator: BigInt
    public let denominator: BigInt

    /// `numerator/denominator` in lowest terms. `denominator` must not be zero.
    public init(_ numerator: BigInt, _ denominator: BigInt = 1) {
        precondition(!denominator.isZero, "Rational with zero denominator")
        let g = numerator.magnitude.greatestCommonDivisor(with: denominator.magnitude)
        let sign: BigInt = denominator.sign == .minus ? -1 : 1
        let divisor = BigInt(g.isZero ? 1 : g)
        self.numerator = sign * numerator / divisor
        self.denominator = sign * denominator / divisor
    }

    public init(_ value: Int, _ denominator: Int = 1) {
        self.init(BigInt(value), BigInt(denominator))
    }

    public init(_ fraction: Fraction) {
        self.init(BigInt(fraction.numerator), BigInt(fraction.denominator))
    }

    public static let zero = Rational(0)

    public static func + (a: Rational, b: Rational) -> Rational {
        Rational(a.numerator * b.denominator + b.numerator * a.denominator, a.denominator * b.denominator)
    }

    public static func - (a: Rational, b: Rational) -> Rational {
        Rational(a.numerator * b.denominator - b.numerator * a.denominator, a.denominator * b.denominator)
    }

    public static func * (a: Rational, b: Rational) -> Rational {
        Rational(a.numerator * b.numerator, a.denominator * b.denominator)
    }

    public static func / (a: Rational, b: Rational) -> Rational {
        Rational(a.numerator * b.denominator, a.denominator * b.numerator)
    }

    public static prefix func - (a: Rational) -> Rational {
        Rational(-a.numerator, a.denominator)
    }

    public static func < (a: Rational, b: Rational) -> Bool {
        a.numerator * b.denominator < b.numerator * a.denominator
    }

    public var isInteger: Bool { denominator == 1 }

    /// ⌊self⌋, rounding towards −∞ (BigInt division truncates towards zero).
    public var floor: BigInt {
        let (q, r) = numerator.quotientAndRemainder(dividingBy: denominator)
        return r.sign == .minus && !r.isZero ? q - 1 : q
    }

    /// ⌈self⌉.
    public var ceiling: BigInt { -(-self).floor }

    /// The same value as a `Fraction`, or nil when a part does not fit `Int64`.
    public var fraction: Fraction? {
        guard let p = Int64(exactly: numerator), let q = Int64(exactly: denominator) else { return nil }
        return Fraction(p, q)
    }

    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }
}
