/// Progress on stderr for runs longer than about a second: done/total, rate and ETA.
/// On a terminal the line is rewritten in place; when piped, a plain line every 10 seconds.
final class ProgressReporter {
    private let total: UInt64
    private let label: String
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastPrinted: ContinuousClock.Instant?
    private var printedInPlace = false
    private let enabled: Bool

    init(total: UInt64, label: String, enabled: Bool = true) {
        self.total = total
        self.label = label
        self.enabled = enabled
        started = clock.now
    }

    func update(_ done: UInt64) {
        guard enabled else { return }
        let now = clock.now
        let elapsed = seconds(now - started)
        guard elapsed >= 1 else { return }
        let interval: Double = Terminal.stderrIsTerminal ? 0.25 : 10
        if let last = lastPrinted, seconds(now - last) < interval { return }
        lastPrinted = now
        let rate = Double(done) / elapsed
        let eta = rate > 0 ? Double(total - min(done, total)) / rate : .infinity
        let percent = total == 0 ? 100 : Double(done) / Double(total) * 100
        let line = "\(label): \(done)/\(total) (\(format(percent, 1))%), \(scientific(rate))/s, ETA \(duration(eta))"
        if Terminal.stderrIsTerminal {
            Terminal.err("\r\u{1B}[K" + line, newline: false)
            printedInPlace = true
        } else {
            Terminal.err(line)
        }
    }

    /// Ends an in-place line so later output starts on a fresh line.
    func finish() {
        if printedInPlace { Terminal.err("") }
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
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
