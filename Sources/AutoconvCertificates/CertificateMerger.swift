import AutoconvCore
import FoundationEssentials

/// Joins the certificates of shards into one certificate for the whole run.
public enum CertificateMerger {
    /// Reads every folder's manifest, refuses (`badInput`, one line) folders of different
    /// problems, targets or binaries and ranges that overlap, leave a gap or miss an end of the
    /// space, then copies every survivor file into `output` and writes the joined manifest there.
    /// Backend and device are joined when shards ran on different machines.
    public static func merge(_ folders: [String], into output: String) throws -> CertificateManifest {
        guard !folders.isEmpty else { throw CoreError.badInput("no certificates to merge") }
        let parts = try folders.map { (folder: $0, manifest: try CertificateManifest.read(directory: $0)) }
        let first = parts[0].manifest
        for part in parts.dropFirst() {
            if let field = differingField(first, part.manifest) {
                throw CoreError.badInput("certificate '\(part.folder)' differs from '\(parts[0].folder)' in \(field)")
            }
        }
        guard let total = UInt64(first.totalCompositions) else {
            throw CoreError.badInput("certificate '\(parts[0].folder)' has a malformed total_compositions '\(first.totalCompositions)'")
        }
        var entries: [(folder: String, record: CertificateManifest.RangeRecord, range: RankRange)] = []
        for part in parts {
            for record in part.manifest.ranges {
                guard let lower = UInt64(record.lower), let upper = UInt64(record.upper), lower <= upper else {
                    throw CoreError.badInput("certificate '\(part.folder)' has a malformed range [\(record.lower), \(record.upper))")
                }
                // Counts that add up to the range's size also keep the merged totals below 2^64.
                let sum = UInt128(record.asymPruned) + UInt128(record.testPruned) + UInt128(record.survivors)
                guard sum == UInt128(upper - lower), record.canonicalSurvivors <= record.survivors else {
                    throw CoreError.badInput("certificate '\(part.folder)' range [\(lower), \(upper)): its counts do not add up to its size")
                }
                entries.append((part.folder, record, RankRange(lower, upper)))
            }
        }
        entries = try ShardTiling.ordered(entries, total: total, range: \.range) { "certificate '\($0.folder)' range \($0.range)" }

        try CertificateWriter.makeFolder(output)
        var merged = first
        merged.ranges = []
        merged.asymPruned = 0
        merged.testPruned = 0
        merged.survivors = 0
        merged.canonicalSurvivors = 0
        merged.backend = ShardTiling.joined(parts.map(\.manifest.backend))
        merged.device = ShardTiling.joined(parts.map(\.manifest.device))
        for entry in entries {
            let source = entry.folder + "/" + entry.record.file
            guard let data = FileManager.default.contents(atPath: source) else {
                throw CoreError.badInput("cannot read certificate file '\(source)'")
            }
            // Copied as they are; `verify` checks their digests against the manifest.
            try CertificateWriter.write([UInt8](data), to: output + "/" + entry.record.file)
            merged.append(entry.record)
        }
        try merged.write(directory: output)
        return merged
    }

    /// The first field that must agree between shard certificates and does not, or nil.
    static func differingField(_ a: CertificateManifest, _ b: CertificateManifest) -> String? {
        let fields: [(String, String, String)] = [
            ("format", "\(a.format) \(a.formatVersion)", "\(b.format) \(b.formatVersion)"),
            ("command", a.command, b.command),
            ("n", "\(a.n)", "\(b.n)"), ("m", "\(a.m)", "\(b.m)"),
            ("rule", a.rule, b.rule), ("max_window", a.maxWindow, b.maxWindow),
            ("target", a.target, b.target),
            ("total_compositions", a.totalCompositions, b.totalCompositions),
            ("version", a.version, b.version), ("kernel_hash", a.kernelHash, b.kernelHash),
        ]
        return fields.first { $0.1 != $0.2 }.map { "\($0.0) (\($0.2) vs \($0.1))" }
    }
}
