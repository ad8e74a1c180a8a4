import ArgumentParser
import AutoconvCertificates
import AutoconvCore

struct CountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count", abstract: "Print the number of compositions C(S+d−1, d−1), exactly.")

    @OptionGroup var grid: GridOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        guard grid.n >= 1 else { throw CoreError.badInput("n must be at least 1 (got \(grid.n))") }
        guard grid.m >= 1 else { throw CoreError.badInput("m must be at least 1 (got \(grid.m))") }
        // Bounds that keep S = 4nm and the count's loop small; checked before multiplying.
        guard grid.n <= 1024, grid.m <= 1 << 30, 4 * grid.n * grid.m <= 1 << 30 else {
            throw CoreError.badInput("n = \(grid.n), m = \(grid.m) is too large to count (S = 4nm must be at most 2^30, n at most 1024)")
        }
        let s = 4 * grid.n * grid.m
        let count = Compositions.count(parts: 2 * grid.n, sum: s)
        if json {
            Terminal.out(JSON.object([
                ("schema_version", .int(JSON.schemaVersion)), ("command", .string("count")),
                ("n", .int(Int64(grid.n))), ("m", .int(Int64(grid.m))),
                ("d", .int(Int64(2 * grid.n))), ("S", .int(Int64(s))),
                ("compositions", .string(count.description)),
            ]).rendered())
        } else {
            Terminal.out(count.description)
        }
    }
}
