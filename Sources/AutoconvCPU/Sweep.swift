import AutoconvCore

/// One leaf sweep's window values as polynomials in v: with bins 0 … d−3 fixed and the last two
/// bins v and R − v, conv[t] = quad(t)·v² + lin(t)·v + con(t), so every window value
/// (WS, or the rule value WS − K_w) is a quadratic a·v² + b·v + c (`window`). Both engines
/// sweep their leaves this way: `RangeSearch` over compositions, `ChildSearch` over the last
/// pair's splits; the kernels' twin is `ac_sweep` (Kernels/search.cl).
///
/// Magnitudes: prefix sums of con are at most S² (con is the conv of the leaf v = 0), those of
/// lin at most 2S², and quad's are −2 … 1, all in Int64.
struct Sweep {
    let d: Int
    /// The window terms (`WindowTerms`) in raw buffers: `window` is an inner loop.
    private let start: UnsafeMutablePointer<Int>, end: UnsafeMutablePointer<Int>
    private let firstBin: UnsafeMutablePointer<Int>, lastBin: UnsafeMutablePointer<Int>
    private let coefficient: UnsafeMutablePointer<Int64>, correctionConstant: UnsafeMutablePointer<Int64>
    private let quadratic: UnsafeMutablePointer<Int64>, linear: UnsafeMutablePointer<Int64>, constant: UnsafeMutablePointer<Int64>
    private let quadraticSum: UnsafeMutablePointer<Int64>, linearSum: UnsafeMutablePointer<Int64>, constantSum: UnsafeMutablePointer<Int64>
    /// Mass prefix sums of the fixed bins, the two free bins counted as 0.
    private let massPrefix: UnsafeMutablePointer<Int64>

    init(d: Int, terms: WindowTerms) {
        self.d = d
        start = .copying(terms.start); end = .copying(terms.end)
        firstBin = .copying(terms.firstBin); lastBin = .copying(terms.lastBin)
        coefficient = .copying(terms.coefficient); correctionConstant = .copying(terms.constant)
        func buffer(_ count: Int) -> UnsafeMutablePointer<Int64> {
            let p = UnsafeMutablePointer<Int64>.allocate(capacity: count)
            p.initialize(repeating: 0, count: count)
            return p
        }
        quadratic = buffer(2 * d - 1); linear = buffer(2 * d - 1); constant = buffer(2 * d - 1)
        quadraticSum = buffer(2 * d); linearSum = buffer(2 * d); constantSum = buffer(2 * d)
        massPrefix = buffer(d + 1)
    }

    func deallocate() {
        for p in [quadratic, linear, constant, quadraticSum, linearSum, constantSum, massPrefix, coefficient, correctionConstant] { p.deallocate() }
        for p in [start, end, firstBin, lastBin] { p.deallocate() }
    }

    /// Sets up the sweep of fixed bins `fixed[0 …< d−2]`, whose autoconvolution is `conv`, and
    /// R = c_{d−2} + c_{d−1}.
    func prepare<T: BinaryInteger>(fixed: UnsafeMutablePointer<T>, conv: UnsafeMutablePointer<Int64>, remaining R: Int) {
        let x = d - 2, y = d - 1
        let r = Int64(R)
        for t in 0..<(2 * d - 1) {
            quadratic[t] = 0
            linear[t] = 0
            constant[t] = conv[t]
        }
        // Cross terms of the two free bins with each fixed bin i: 2c_i·v at i+x, 2c_i·(R−v) at i+y.
        for i in 0..<x {
            let ci = 2 * Int64(fixed[i])
            linear[i + x] += ci
            constant[i + y] += ci * r
            linear[i + y] -= ci
        }
        // Their own pairs: v² at 2x, 2v(R−v) at x+y, (R−v)² at 2y.
        quadratic[2 * x] += 1
        linear[x + y] += 2 * r
        quadratic[x + y] -= 2
        constant[2 * y] += r * r
        linear[2 * y] -= 2 * r
        quadratic[2 * y] += 1
        quadraticSum[0] = 0; linearSum[0] = 0; constantSum[0] = 0
        for t in 0..<(2 * d - 1) {
            quadraticSum[t + 1] = quadraticSum[t] + quadratic[t]
            linearSum[t + 1] = linearSum[t] + linear[t]
            constantSum[t + 1] = constantSum[t] + constant[t]
        }
        massPrefix[0] = 0
        for i in 0..<d { massPrefix[i + 1] = massPrefix[i] + (i < x ? Int64(fixed[i]) : 0) }
    }

    /// Coefficients (a, b, c0) of window w's quadratic after `prepare`: WS, or with `corrected`
    /// the rule value WS − K_w (`WindowTerms`), where W_int = fixed + [x in range]·v +
    /// [y in range]·(R − v).
    @inline(__always)
    func window(_ w: Int, remaining R: Int64, corrected: Bool) -> (Int64, Int64, Int64) {
        let s = start[w], e = end[w]
        let a = quadraticSum[e + 1] - quadraticSum[s]
        var b = linearSum[e + 1] - linearSum[s]
        var c0 = constantSum[e + 1] - constantSum[s]
        guard corrected else { return (a, b, c0) }
        let coefficient = self.coefficient[w]
        if coefficient != 0 {
            let first = firstBin[w], last = lastBin[w]
            let x = d - 2, y = d - 1
            c0 -= coefficient * (massPrefix[min(last, x - 1) + 1] - massPrefix[min(first, x)])
            let hasX = first <= x && x <= last, hasY = last >= y
            if hasX { b -= coefficient }
            if hasY { c0 -= coefficient * R; b += coefficient }
        }
        return (a, b, c0 - correctionConstant[w])
    }
}
