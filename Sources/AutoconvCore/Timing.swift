extension Duration {
    /// The duration in seconds, for logs, rates, JSON and pacing; never for a decision.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}

/// Work sizes paced towards a duration per piece, so that checkpoints, progress and Ctrl-C stay
/// prompt however fast the work turns out to be. Only speed depends on it, never a result.
public enum Pace {
    /// The size for the next piece after one of `size` took `seconds`: doubled when a full-size
    /// piece took under half of `targetSeconds`, halved when it took over twice as long, else
    /// kept, always within [minimum, maximum]. A piece cut short (`fullSize` false, such as the
    /// last one of a range) never doubles the size.
    public static func next<Size: FixedWidthInteger & UnsignedInteger>(
        _ size: Size, tookSeconds seconds: Double, fullSize: Bool = true, targetSeconds: Double,
        minimum: Size, maximum: Size
    ) -> Size {
        if seconds < targetSeconds / 2 && fullSize { return size > maximum / 2 ? maximum : min(size * 2, maximum) }
        if seconds > targetSeconds * 2 { return max(size / 2, minimum) }
        return size
    }
}
