import AutoconvPlan
import Testing

/// `ReachSearch` finds the largest k/1000 that fits, for any threshold, probing only inside
/// [low, high), and nothing when the lowest target does not fit.
@Suite struct ReachSearchTests {
    @Test(arguments: [499, 500, 501, 999, 1000, 1001, 1016, 1017, 1123, 1499])
    func findsTheLargestFittingTarget(threshold: Int) {
        var probed: [Int] = []
        let found = ReachSearch.fitting(low: 500, high: 1500) { k in
            probed.append(k)
            return k <= threshold
        }
        #expect(probed.allSatisfy { 500 <= $0 && $0 < 1500 }, "\(probed)")
        #expect(Set(probed).count == probed.count, "a target probed twice: \(probed)")
        if threshold < 500 {
            #expect(found.isEmpty)
        } else {
            #expect(found.last == threshold, "\(found) (probed \(probed))")
            #expect(found == found.sorted() && found.allSatisfy { $0 <= threshold })
            #expect(probed.count <= 16, "\(probed.count) probes")
        }
    }
}
