import AutoconvCore

/// Progress on stderr for runs longer than about a second: done/total, elapsed time, rate and
/// ETA, as `Terminal`'s status line (which decides how often it is drawn).
final class ProgressReporter {
    private let label: String
    private let unit: String
    private var meter: ProgressMeter
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant

    init(total: UInt64, label: String, unit: String = "compositions") {
        self.label = label
        self.unit = unit
        meter = ProgressMeter(total: total)
        started = clock.now
    }

    func update(_ done: UInt64) {
        let elapsed = (clock.now - started).seconds
        meter.sample(done: done, at: elapsed)
        guard elapsed >= 1 else { return }
        Terminal.status("\(label): " + Self.line(meter, done: done, elapsed: elapsed, unit: unit))
    }

    /// "done/total (p%), elapsed 1m3s, 2.10e+08 UNIT/s, ETA 4m2s".
    static func line(_ meter: ProgressMeter, done: UInt64, elapsed: Double, unit: String) -> String {
        let percent = meter.total == 0 ? 100 : Double(done) / Double(meter.total) * 100
        return "\(done)/\(meter.total) (\(format(percent, 1))%), elapsed \(duration(elapsed)), "
            + "\(meter.rate.map(scientific) ?? "?") \(unit)/s, ETA \(meter.eta(done).map(duration) ?? "?")"
    }

    /// Removes the status line before the result is printed.
    func finish() {
        Terminal.clearStatus()
    }
}

func format(_ value: Double, _ decimals: Int) -> String {
    guard value.isFinite else { return "inf" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let have = text.distance(from: dot, to: text.endIndex) - 1
        if have < decimals { text += String(repeating: "0", count: decimals - have) }
    }
    return text
}

/// A rate such as 3.25e+08.
func scientific(_ value: Double) -> String {
    guard value.isFinite, value > 0 else { return "0" }
    var exponent = 0
    var mantissa = value
    while mantissa >= 10 { mantissa /= 10; exponent += 1 }
    while mantissa < 1 { mantissa *= 10; exponent -= 1 }
    return "\(format(mantissa, 2))e\(exponent >= 0 ? "+" : "-")\(abs(exponent) < 10 ? "0" : "")\(abs(exponent))"
}

func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s)s" }
    if s < 3600 { return "\(s / 60)m\(s % 60)s" }
    return "\(s / 3600)h\((s % 3600) / 60)m"
}
