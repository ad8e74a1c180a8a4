/// A smoothed rate and the ETA of a run that has done `done` of `total` units, fed with samples
/// (done, seconds since the start) by whoever shows progress.
///
/// The rate is a moving average of the rates between samples, each new one weighted
/// dt/(dt + `smoothing`), so what happened more than a few `smoothing` seconds ago fades out. A
/// plain done/elapsed would let a start-up cost (kernel builds, self-tests, slow first batches)
/// inflate the ETA for the whole run.
public struct ProgressMeter: Sendable {
    public let total: UInt64
    public let smoothing: Double
    /// Units per second, nil before two samples at least `minimumInterval` apart.
    public private(set) var rate: Double?
    private var last: (seconds: Double, done: UInt64) = (0, 0)
    /// Samples closer together than this are folded into the next one (their rate is noise).
    static let minimumInterval = 0.2

    public init(total: UInt64, smoothing: Double = 5) {
        self.total = total
        self.smoothing = smoothing
    }

    public mutating func sample(done: UInt64, at seconds: Double) {
        let dt = seconds - last.seconds
        guard dt >= Self.minimumInterval, done >= last.done else { return }
        let recent = Double(done - last.done) / dt
        let weight = dt / (dt + smoothing)
        rate = rate.map { $0 + weight * (recent - $0) } ?? recent
        last = (seconds, done)
    }

    /// Seconds left at the smoothed rate; nil while there is no positive rate.
    public func eta(_ done: UInt64) -> Double? {
        guard let rate, rate > 0 else { return nil }
        return Double(total - min(done, total)) / rate
    }
}
