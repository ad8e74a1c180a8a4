import BigInt

/// C(top, bottom) as the quotient of two plain products, top⋯(top−bottom+1) / bottom!: a second
/// computation, independent of `Compositions.count`'s running product, to check it against.
public func binomial(_ top: Int, _ bottom: Int) -> BigUInt {
    guard bottom >= 0, bottom <= top else { return 0 }
    var falling = BigUInt(1), factorial = BigUInt(1)
    for i in 0..<bottom {
        falling *= BigUInt(top - i)
        factorial *= BigUInt(i + 1)
    }
    return falling / factorial
}
