import AutoconvCore
import AutoconvCertificates
import Testing

@Suite struct ShardRangeTests {
    static let sizes: [UInt64] = [0, 1, 2, 3, 7, 91_881, 1 << 40, UInt64.max]

    /// Shard r of M is [⌊N·r/M⌋, ⌊N·(r+1)/M⌋), and the M shards tile the space in order.
    @Test(arguments: sizes)
    func shardsTileTheSpace(total: UInt64) throws {
        let space = RankRange(0, total)
        for count in [1, 2, 3, 5, 8, 13, 64] {
            var next: UInt64 = 0
            for index in 0..<count {
                let range = try Shard(index: index, count: count).range(of: space)
                #expect(range.lower == next)
                #expect(range.lower == UInt64(UInt128(total) * UInt128(index) / UInt128(count)))
                next = range.upper
            }
            #expect(next == total)
        }
    }

    /// Nesting law: shard (r, M) is exactly the union of shards (2r, 2M) and (2r+1, 2M).
    @Test(arguments: sizes)
    func nestingLaw(total: UInt64) throws {
        let space = RankRange(5, 5 &+ min(total, UInt64.max - 5))
        for count in [1, 2, 3, 7, 10, 1000] {
            for index in Set([0, count / 3, count / 2, count - 1]) {
                let whole = try Shard(index: index, count: count).range(of: space)
                let left = try Shard(index: 2 * index, count: 2 * count).range(of: space)
                let right = try Shard(index: 2 * index + 1, count: 2 * count).range(of: space)
                #expect(left.lower == whole.lower)
                #expect(left.upper == right.lower)
                #expect(right.upper == whole.upper)
            }
        }
    }

    /// The same boundaries as the CPU backend's own splitting.
    @Test func matchesRankRangeSplit() throws {
        let space = RankRange(10, 91_891)
        let pieces = space.split(into: 8)
        for (index, piece) in pieces.enumerated() {
            #expect(try Shard(index: index, count: 8).range(of: space) == piece)
        }
    }

    @Test(arguments: ["", "3", "3/", "/8", "a/8", "8/8", "-1/8", "0/0", "1/2/3"])
    func rejectsMalformedShards(text: String) {
        #expect(throws: CoreError.self) { try Shard(parsing: text) }
    }

    @Test func parsesShards() throws {
        let shard = try Shard(parsing: "3/8")
        #expect(shard.index == 3 && shard.count == 8 && shard.description == "3/8")
    }
}
