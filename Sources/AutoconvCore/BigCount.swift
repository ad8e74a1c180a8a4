/// A non-negative integer of any size with just what exact composition counts need: products
/// and exact quotients by machine-word factors, comparison, conversion and decimal text.
///
/// Our own small type rather than the BigInt package: that package imports all of Foundation,
/// whose Unicode tables would more than double the size of a static binary.
public struct BigCount: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// Base-2^32 digits, least significant first, without leading zero digits (zero is []).
    private var digits: [UInt32]

    public init(_ value: UInt64) {
        digits = [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)]
        trim()
    }

    public init(integerLiteral value: UInt64) { self.init(value) }

    private mutating func trim() {
        while digits.last == 0 { digits.removeLast() }
    }

    /// self ·= k.
    public mutating func multiply(by k: UInt32) {
        var carry: UInt64 = 0
        for i in digits.indices {
            let product = UInt64(digits[i]) * UInt64(k) + carry
            digits[i] = UInt32(truncatingIfNeeded: product)
            carry = product >> 32
        }
        if carry != 0 { digits.append(UInt32(carry)) }
        trim()
    }

    /// self = ⌊self / k⌋ for k > 0; returns the remainder.
    @discardableResult
    public mutating func divide(by k: UInt32) -> UInt32 {
        precondition(k > 0)
        var remainder: UInt64 = 0
        for i in digits.indices.reversed() {
            let current = remainder << 32 | UInt64(digits[i])
            digits[i] = UInt32(current / UInt64(k))
            remainder = current % UInt64(k)
        }
        trim()
        return UInt32(remainder)
    }

    /// The value as `T` (a whole number of 32-bit digits wide), or nil if it does not fit.
    public func exactly<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) -> T? {
        precondition(T.bitWidth % 32 == 0)
        guard digits.count * 32 <= T.bitWidth else { return nil }
        // Smart shifts: shifting a 32-bit T by 32 gives 0, which only happens while it is 0.
        return digits.reversed().reduce(T(0)) { $0 << 32 | T($1) }
    }

    public static func < (a: BigCount, b: BigCount) -> Bool {
        if a.digits.count != b.digits.count { return a.digits.count < b.digits.count }
        for i in a.digits.indices.reversed() where a.digits[i] != b.digits[i] { return a.digits[i] < b.digits[i] }
        return false
    }

    /// Decimal digits.
    public var description: String {
        guard !digits.isEmpty else { return "0" }
        var rest = self, groups: [UInt32] = []
        while !rest.digits.isEmpty { groups.append(rest.divide(by: 1_000_000_000)) }
        var text = String(groups.removeLast())
        for group in groups.reversed() {
            let part = String(group)
            text += String(repeating: "0", count: 9 - part.count) + part
        }
        return text
    }
}
