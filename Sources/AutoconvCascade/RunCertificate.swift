#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// `RUN/certificate`: what a finished run directory vouches for, written once the run has ended
/// (proven or not), so that the directory can be archived and checked by a third party
/// (`autoconv verify RUN`). Sealed, one line each:
///
///     autoconv-cascade-certificate 1
///     kernel-hash HEX           SHA-256 of the kernel source of the binary that finished the run
///     outcome proven|not-proven
///     finished FIELDS           the state's summary of every level, in order
///     file SHA256 BYTES NAME    every file of the result: the manifest, each level's survivor
///                               file and ledger, and for a level computed in shards its plan
///                               and each shard's state and ledger
///
/// The manifest it hashes names the parameters and the binary's version. A run extended deeper
/// (`RunDirectory.extend`) loses its certificate until it ends again.
enum RunCertificate {
    static let header = "autoconv-cascade-certificate 1"
    static let name = "certificate"

    /// The names, relative to the run, of the files a finished run's certificate lists.
    static func files(in run: String, levels: Int) -> [String] {
        var names = ["manifest"]
        for level in 0..<levels {
            names += ["level-\(level).surv", "level-\(level).ledger"]
            guard AtomicFile.exists("\(run)/level-\(level).shards") else { continue }
            names.append("level-\(level).shards")
            for shard in AtomicFile.list(run).filter({ $0.hasPrefix("level-\(level).shard-") }).sorted() {
                names += ["\(shard)/state", "\(shard)/ledger"]
            }
        }
        return names
    }

    /// Writes the certificate of `run`, which has ended.
    static func write(_ run: RunDirectory, kernelHash: String) throws {
        precondition(run.state.outcome != .running && !run.isShared)
        var lines = [header, "kernel-hash \(kernelHash)", "outcome \(run.state.outcome.rawValue)"]
        lines += run.state.finished.map { "finished \($0.fields.joined(separator: " "))" }
        for name in files(in: run.path, levels: run.state.finished.count) {
            let (bytes, digest) = try hash(run.path + "/" + name)
            lines.append("file \(digest) \(bytes) \(name)")
        }
        try AtomicFile.write(SealedText.seal(lines.joined(separator: "\n") + "\n"), to: run.path + "/" + name)
    }

    /// Size and SHA-256 of a regular file, streamed.
    private static func hash(_ path: String) throws -> (bytes: UInt64, hex: String) {
        guard let fd = try AtomicFile.openExisting(path) else {
            throw CoreError.badInput("'\(path)' is missing: the run cannot be certified")
        }
        defer { close(fd) }
        return try SHA256.hex(streaming: { buffer in
            var got = read(fd, buffer.baseAddress, buffer.count)
            while got < 0 && errno == EINTR { got = read(fd, buffer.baseAddress, buffer.count) }
            guard got >= 0 else { throw CoreError.failure("cannot read '\(path)': \(String(cString: strerror(errno)))") }
            return got
        })
    }
}
