#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// The checker's reading of a finished run's `certificate` (written by AutoconvCascade's
/// `RunCertificate`): sealed lines `kernel-hash HEX`, `outcome …`, the state's `finished …`
/// lines, and `file SHA256 BYTES NAME` for every result file. The checker decides for itself
/// which files a result has (the manifest, each finished level's survivor file and ledger, and
/// for a level computed in shards its plan and each shard's state and ledger), and requires the
/// certificate to list exactly those, each with its size and SHA-256; so a file removed,
/// altered or added after the run ended fails by name.
enum CascadeCertificateFile {
    static let header = "autoconv-cascade-certificate 1"

    /// Checks the certificate of a finished run; returns the kernel hash it records.
    static func check(directory: String, files: CascadeRunFiles) throws -> String {
        let path = directory + "/certificate"
        guard RegularFile.exists(path) else {
            throw Verifier.Rejection(reason: "'\(path)' is missing (a finished run writes it; resume the run once to write it again)")
        }
        guard let body = SealedText.unseal(try RegularFile.read(path)), body.hasPrefix(header + "\n") else {
            throw Verifier.Rejection(reason: "'\(path)' is damaged or was edited: its sha256 line is missing or does not match")
        }
        let lines = body.split(separator: "\n").dropFirst().map(String.init)
        let kernel = lines.first { $0.hasPrefix("kernel-hash ") }.map { String($0.dropFirst(12)) } ?? ""
        guard lines.first == "kernel-hash \(kernel)", lines.dropFirst().first == "outcome \(files.outcome)",
              Array(lines.dropFirst(2).prefix { $0.hasPrefix("finished ") }) == files.finishedLines else {
            throw Verifier.Rejection(reason: "'\(path)' does not state the run's outcome and levels as its state does")
        }
        var listed: [String: (digest: Substring, bytes: Substring)] = [:]
        for line in lines.dropFirst(2 + files.finishedLines.count) {
            let fields = line.split(separator: " ", maxSplits: 3)
            guard fields.count == 4, fields[0] == "file", SealedText.isDigest(fields[1]),
                  listed.updateValue((fields[1], fields[2]), forKey: String(fields[3])) == nil else {
                throw Verifier.Rejection(reason: "'\(path)' has a malformed line '\(line)'")
            }
        }
        let expected = resultFiles(directory, levels: files.finished.count)
        if let extra = listed.keys.sorted().first(where: { !expected.contains($0) }) {
            throw Verifier.Rejection(reason: "'\(path)' lists '\(extra)', which is not a file of this run's result")
        }
        for name in expected {
            guard let entry = listed[name] else {
                throw Verifier.Rejection(reason: "'\(directory)/\(name)' is not listed in '\(path)' (added after the run ended?)")
            }
            guard RegularFile.exists("\(directory)/\(name)") else {
                throw Verifier.Rejection(reason: "'\(directory)/\(name)' is missing (the certificate lists it)")
            }
            let (bytes, digest) = try hash("\(directory)/\(name)")
            guard "\(bytes)" == entry.bytes, digest == entry.digest else {
                throw Verifier.Rejection(reason: "'\(directory)/\(name)' does not match its SHA-256 in '\(path)' (altered after the run ended)")
            }
        }
        return kernel
    }

    /// The result files of a run with `levels` finished levels, by name relative to it.
    private static func resultFiles(_ directory: String, levels: Int) -> [String] {
        var names = ["manifest"]
        let entries = CascadeShardRecords.entries(of: directory)
        for level in 0..<levels {
            names += ["level-\(level).surv", "level-\(level).ledger"]
            let shards = entries.filter { $0.hasPrefix("level-\(level).shard-") }.sorted()
            if entries.contains("level-\(level).shards") { names.append("level-\(level).shards") }
            for shard in shards { names += ["\(shard)/state", "\(shard)/ledger"] }
        }
        return names
    }

    private static func hash(_ path: String) throws -> (bytes: UInt64, hex: String) {
        let fd = try RegularFile.open(path).get()
        defer { close(fd) }
        return try SHA256.hex(streaming: { buffer in
            var got = read(fd, buffer.baseAddress, buffer.count)
            while got < 0 && errno == EINTR { got = read(fd, buffer.baseAddress, buffer.count) }
            guard got >= 0 else { throw Verifier.Rejection(reason: "cannot read '\(path)': \(String(cString: strerror(errno)))") }
            return got
        })
    }
}
