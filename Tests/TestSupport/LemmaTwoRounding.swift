import BigInt

/// The rounding of CS Lemma 2 (method.md §3) on exact heights, in both of its descriptions, so
/// that tests can check they agree. Both return the rounded composition u = m·b in grid units.
public enum LemmaTwoRounding {
    /// Left to right: keep b_i = a_i where m·a_i is an integer; otherwise round up when that
    /// keeps the running error Σ_{j≤i} (b_j − a_j) ≤ 0, else down; the last bin takes the rest.
    public static func scan(heights a: [Rational], m: Int) -> [Int] {
        let scale = Rational(m)
        var b: [Rational] = []
        var error = Rational.zero
        for i in 0..<(a.count - 1) {
            let x = a[i] * scale
            let bi: Rational
            if x.isInteger {
                bi = a[i]
            } else {
                let up = Rational(x.ceiling) / scale
                bi = error + (up - a[i]) <= .zero ? up : Rational(x.floor) / scale
            }
            error = error + (bi - a[i])
            b.append(bi)
        }
        let total = a.reduce(Rational.zero, +)
        b.append(total - b.reduce(Rational.zero, +))
        return b.map { gridUnits($0 * scale) }
    }

    /// Closed form: with prefix sums X_k = Σ_{j<k} m·a_j, u_k = ⌊X_{k+1}⌋ − ⌊X_k⌋.
    public static func closedForm(heights a: [Rational], m: Int) -> [Int] {
        var prefix = Rational.zero
        var floors: [BigInt] = [0]
        for height in a {
            prefix = prefix + height * Rational(m)
            floors.append(prefix.floor)
        }
        return (0..<a.count).map { Int(floors[$0 + 1] - floors[$0]) }
    }

    private static func gridUnits(_ x: Rational) -> Int {
        precondition(x.isInteger, "rounded height \(x) is off the grid")
        return Int(x.numerator)
    }
}
