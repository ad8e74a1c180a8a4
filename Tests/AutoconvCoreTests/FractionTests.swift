import AutoconvCore
import BigInt
import Testing
import TestSupport

@Suite struct FractionTests {
    @Test func reducesAndNormalisesTheSign() {
        let f = Fraction(6, -4)
        #expect(f.numerator == -3 && f.denominator == 2)
        #expect(Fraction(-6, -4) == Fraction(3, 2))
        let zero = Fraction(0, -5)
        #expect(zero.numerator == 0 && zero.denominator == 1 && zero == .zero)
        #expect(Fraction(Int64.max, Int64.max) == Fraction(1))
        #expect(Fraction(Int64.min, 2).numerator == Int64.min / 2)
    }

    @Test func equalValuesAreEqualAndHashAlike() {
        #expect(Fraction(2, 4) == Fraction(1, 2))
        #expect(Set([Fraction(2, 4), Fraction(1, 2), Fraction(-3, -6)]).count == 1)
        #expect(Fraction(1, 3) != Fraction(333_333, 1_000_000))
    }

    @Test func descriptionIsTheValuesJsonForm() {
        #expect(Fraction(3551, 3200).description == "3551/3200")
        #expect(Fraction(10, 5).description == "2")
        #expect(Fraction(-3, 2).description == "-3/2")
        #expect(Fraction(0, 7).description == "0")
    }

    @Test func comparesExactlyWhereDoublesCannot() {
        let big = Int64.max
        // x/(x−1) < (x−1)/(x−2) for large x, though both round to the same Double.
        let a = Fraction(big, big - 1), b = Fraction(big - 1, big - 2)
        #expect(a < b && !(b < a) && a != b)
        #expect(a.doubleValue == b.doubleValue)
        #expect(Fraction(-1, 2) < Fraction(1, 3))
        #expect(Fraction(Int64.min + 1) < Fraction(Int64.min + 2))
        #expect(Fraction(big) > Fraction(big - 1, 1))
        #expect(!(Fraction(1, 2) < Fraction(2, 4)))
    }

    @Test func comparisonAgreesWithBigIntegers() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            let bits = Int64.random(in: 1...62, using: &rng)
            let range = -(Int64(1) << bits)...(Int64(1) << bits)
            let a = Fraction(Int64.random(in: range, using: &rng), Int64.random(in: 1...(Int64(1) << bits), using: &rng))
            let b = Fraction(Int64.random(in: range, using: &rng), Int64.random(in: 1...(Int64(1) << bits), using: &rng))
            #expect((a < b) == (Rational(a) < Rational(b)), "\(a) < \(b)")
            #expect((a == b) == (Rational(a) == Rational(b)), "\(a) == \(b)")
        }
    }

    @Test func floorTimesRoundsTowardsMinusInfinity() {
        #expect(Fraction(7, 2).floorTimes(3) == 10)
        #expect(Fraction(-7, 2).floorTimes(3) == -11)
        #expect(Fraction(-6, 2).floorTimes(3) == -9)
        #expect(Fraction(32, 25).floorTimes(25) == 32)
        #expect(Fraction(32, 25).floorTimes(24) == 30)
        #expect(Fraction(1, 3).floorTimes(0) == 0)
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<2000 {
            let f = Fraction(Int64.random(in: -(1 << 40)...(1 << 40), using: &rng), Int64.random(in: 1...(1 << 40), using: &rng))
            let k = Int64.random(in: 0...(1 << 20), using: &rng)
            #expect(BigInt(f.floorTimes(k)) == (Rational(f) * Rational(BigInt(k))).floor, "⌊\(f) · \(k)⌋")
        }
    }

    @Test func parsesOnlyIntegersAndFractions() {
        #expect(Fraction(parsing: "3/4") == Fraction(3, 4))
        #expect(Fraction(parsing: "-6/8") == Fraction(-3, 4))
        #expect(Fraction(parsing: "5") == Fraction(5))
        for bad in ["", "x", "1/0", "1/2/3", "1.5", "/2", "2/", "99999999999999999999"] {
            #expect(Fraction(parsing: bad) == nil, "'\(bad)'")
        }
    }
}
