import AutoconvCore
import Testing

/// `--target` is parsed exactly (never through a Double) and must lie strictly in (0, 2).
@Suite struct TargetParserTests {
    @Test(arguments: [
        ("1.28", Fraction(32, 25)), ("32/25", Fraction(32, 25)), (".9", Fraction(9, 10)), ("1", Fraction(1)),
        ("0.9", Fraction(9, 10)), ("1.0", Fraction(1)), ("1.05", Fraction(21, 20)), ("4/3", Fraction(4, 3)),
        ("1.5029", Fraction(15029, 10000)), ("0.000000000001", Fraction(1, 1_000_000_000_000)),
        ("1.999999999999", Fraction(1_999_999_999_999, 1_000_000_000_000)),
        ("999999999999/1000000000000", Fraction(999_999_999_999, 1_000_000_000_000)),
    ])
    func acceptsExactDecimalsAndFractions(text: String, value: Fraction) throws {
        #expect(try TargetParser.parse(text) == value)
    }

    @Test(arguments: [
        // Not numbers.
        "abc", "", ".", "1e3", "1E-2", "1/0", "1/", "/2", "1/2/3", "1..2", "1.2.3", "+1", "0x10", "inf", "nan",
        "1,5", "1 .5", "１", "١", "1/-2",
        // Out of (0, 2).
        "-1", "-0.5", "0", "0.0", "0/5", "2", "2.0", "4/2", "10", "7/3",
        // Too many digits for exact 64-bit thresholds.
        "1.0000000000001", "0.0000000000001", "1000000000001/1000000000000", "99999999999999999999",
    ])
    func rejectsWithOneLineNamingTheTarget(text: String) {
        do {
            let value = try TargetParser.parse(text)
            Issue.record("'\(text)' was accepted as \(value)")
        } catch let CoreError.badInput(message) {
            #expect(message.contains("target"), "\(message)")
            #expect(!message.contains("\n"), "\(message)")
        } catch {
            Issue.record("'\(text)' threw \(error), not CoreError.badInput")
        }
    }
}
