import AutoconvCore
import Testing

@Suite struct ProgressMeterTests {
    /// A run that spends its first minute building kernels and then works at 1000 units/s: the
    /// ETA after 20 s of steady work is the true remaining time within 5 %, where done/elapsed
    /// would predict about four times too long.
    @Test func startUpCostFadesFromTheETA() {
        var meter = ProgressMeter(total: 1_000_000)
        for second in stride(from: 0.5, through: 60, by: 0.5) { meter.sample(done: 0, at: second) }
        var done: UInt64 = 0
        for step in 1...80 {
            done = UInt64(step) * 250
            meter.sample(done: done, at: 60 + Double(step) * 0.25)
        }
        let truth = Double(1_000_000 - done) / 1000
        let eta = try! #require(meter.eta(done))
        #expect(abs(eta - truth) / truth < 0.05, "ETA \(eta) s, truth \(truth) s")
        let naive = Double(1_000_000 - done) / (Double(done) / 80)
        #expect(naive > 3 * truth, "the naive estimate is the one that is off: \(naive)")
    }

    @Test func noRateBeforeTwoSamplesOrFromJitter() {
        var meter = ProgressMeter(total: 100)
        #expect(meter.eta(0) == nil)
        meter.sample(done: 10, at: 0.05)   // closer than the minimum interval to the start
        #expect(meter.rate == nil)
        meter.sample(done: 20, at: 1)
        #expect(meter.rate == 20)
        #expect(meter.eta(20) == 4)
        meter.sample(done: 5, at: 2)       // a count going back is ignored, not a negative rate
        #expect(meter.rate == 20)
        #expect(meter.eta(200) == 0)
    }
}
