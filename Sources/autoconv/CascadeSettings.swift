import AutoconvCore
import AutoconvEngines

/// How a cascade runs, as opposed to what it computes (`CascadeParameters`, which alone define
/// its counts): kept in the run directory's `settings` file, so that `--resume` runs the way the
/// run last ran unless an option is given again (and then remembers the new value).
struct CascadeSettings: Equatable {
    var backend: BackendChoice = .cpu
    /// An OpenCL device index or name; nil for the default device.
    var device: String?
    /// CPU threads; nil for all cores of the machine that runs it.
    var threads: Int?
    var workGroupSize: Int?
    var batchSize: UInt64?
    var checkpointSeconds: Double = 2
    /// MiB of survivors held in memory before a sorted run is spilled.
    var sortMemory = 256

    init() {}

    /// The settings a run directory stored; a value that does not parse is `badInput`.
    init(stored values: [String: String], directory: String) throws {
        func value<T>(_ key: String, _ parse: (String) -> T?) throws -> T? {
            guard let text = values[key] else { return nil }
            guard let parsed = parse(text) else {
                throw CoreError.badInput("run directory '\(directory)': its settings file has an invalid \(key) '\(text)'")
            }
            return parsed
        }
        backend = try value("backend") { BackendChoice(rawValue: $0) } ?? backend
        device = try value("device") { $0 }
        threads = try value("threads") { Int($0) }
        workGroupSize = try value("work-group-size") { Int($0) }
        batchSize = try value("batch-size") { UInt64($0) }
        checkpointSeconds = try value("checkpoint-seconds") { Double($0) } ?? checkpointSeconds
        sortMemory = try value("sort-memory") { Int($0) } ?? sortMemory
        try validate()
    }

    /// The options' limits, checked before any work (and before a run directory is created).
    func validate() throws {
        if let threads, threads < 1 { throw CoreError.badInput("threads must be at least 1 (got \(threads))") }
        guard checkpointSeconds >= 0, checkpointSeconds.isFinite else {
            throw CoreError.badInput("checkpoint-seconds must be a non-negative number")
        }
        guard sortMemory >= 1, sortMemory <= 1 << 20 else {
            throw CoreError.badInput("sort-memory must be between 1 and 1048576 MiB (got \(sortMemory))")
        }
        if let device, device.isEmpty || device.contains(where: { $0.isNewline }) {
            throw CoreError.badInput("--device must be a device index or a name on one line")
        }
    }

    /// The lines of the settings file; unset options are left out.
    var pairs: [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = [("backend", backend.rawValue)]
        if let device { pairs.append(("device", device)) }
        if let threads { pairs.append(("threads", "\(threads)")) }
        if let workGroupSize { pairs.append(("work-group-size", "\(workGroupSize)")) }
        if let batchSize { pairs.append(("batch-size", "\(batchSize)")) }
        pairs += [("checkpoint-seconds", "\(checkpointSeconds)"), ("sort-memory", "\(sortMemory)")]
        return pairs
    }

    var description: String {
        var parts = ["backend \(backend.rawValue)"]
        if let device { parts.append("device \(device)") }
        parts.append(threads.map { "threads \($0)" } ?? "threads: all cores")
        if let workGroupSize { parts.append("work-group-size \(workGroupSize)") }
        if let batchSize { parts.append("batch-size \(batchSize)") }
        parts += ["checkpoint-seconds \(checkpointSeconds)", "sort-memory \(sortMemory) MiB"]
        return parts.joined(separator: ", ")
    }
}
