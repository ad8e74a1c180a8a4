import AutoconvCore

/// One side of the window rule over a leaf sweep (the test cut-offs, or the cert/prove ones):
/// every window's value as a quadratic q_w(v) = a·v² + b·v + c in v = c_{d−2} (see `Sweep`),
/// kept in raw buffers, with the hot window. This is the innermost loop; its kernel twin is
/// `ac_sweep_side` (Kernels/search.cl).
///
/// Magnitudes: |q_w(v)| ≤ S² + K_w < 2^32 for S ≤ 46,340 (K_w < 2^24, `WindowCutoffs`), and
/// every partial product (a·v + b)·v stays below 2^40, so Int64 never overflows.
struct SweepSide {
    let count: Int
    private let a: UnsafeMutablePointer<Int64>
    private let b: UnsafeMutablePointer<Int64>
    private let c: UnsafeMutablePointer<Int64>
    /// The window that exceeded last: tried first, since neighbouring leaves prune alike.
    /// Behind a pointer so that checks need no mutable access to the holder.
    private let hot: UnsafeMutablePointer<Int>

    init(count: Int) {
        self.count = count
        a = .allocate(capacity: count)
        b = .allocate(capacity: count)
        c = .allocate(capacity: count)
        hot = .allocate(capacity: 1)
        hot.pointee = 0
    }

    func deallocate() {
        a.deallocate()
        b.deallocate()
        c.deallocate()
        hot.deallocate()
    }

    /// Loads the quadratics of a prepared sweep.
    func load(_ sweep: Sweep, remaining R: Int64, corrected: Bool) {
        for w in 0..<count {
            (a[w], b[w], c[w]) = sweep.window(w, remaining: R, corrected: corrected)
        }
    }

    @inline(__always)
    func value(_ w: Int, _ x: Int64) -> Int64 { (a[w] &* x &+ b[w]) &* x &+ c[w] }

    /// Whether the last window that exceeded exceeds at every v in [lo, hi]: then the whole
    /// sweep is decided by one window, and `load` can be skipped. Loads only that window.
    func hotExceedsEverywhere(_ sweep: Sweep, remaining R: Int64, corrected: Bool,
                              from lo: Int, through hi: Int, _ base: UnsafePointer<Int64>) -> Bool {
        let h = hot.pointee
        let (qa, qb, qc) = sweep.window(h, remaining: R, corrected: corrected)
        (a[h], b[h], c[h]) = (qa, qb, qc)
        // The minimum over integers of a·v² + b·v + c on [lo, hi]: at an end, or (a > 0) at
        // one of the two integers around the vertex −b/(2a).
        var least = min(value(h, Int64(lo)), value(h, Int64(hi)))
        if qa > 0 {
            let vertex = (-qb).dividedRoundingDown(by: 2 * qa)
            for v in [vertex, vertex + 1] where v > Int64(lo) && v < Int64(hi) {
                least = min(least, value(h, v))
            }
        }
        return least > base[h]
    }

    /// Whether some window's value at x exceeds its cut-off `base[w]`.
    @inline(__always)
    func exceeds(_ x: Int64, _ base: UnsafePointer<Int64>) -> Bool {
        let h = hot.pointee
        if value(h, x) > base[h] { return true }
        for w in 0..<count where value(w, x) > base[w] {
            hot.pointee = w
            return true
        }
        return false
    }
}

extension Int64 {
    /// ⌊self / divisor⌋ for a positive divisor.
    @inline(__always)
    func dividedRoundingDown(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && self < 0) ? q - 1 : q
    }
}
