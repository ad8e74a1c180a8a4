import AutoconvCore
import Foundation

/// The known answers of `values.json` (computed by two independent exhaustive enumerators).
///
/// The shared copy beside the repository (`../shared/reference/values.json`) is preferred when it
/// exists; a checkout on its own falls back to the committed copy `Tests/Fixtures/values.json`.
public struct ReferenceValues: Decodable, Sendable {
    public let minTest: [MinTestEntry]
    public let prove: [ProveEntry]

    enum CodingKeys: String, CodingKey {
        case minTest = "min_test"
        case prove
    }

    /// One (n, m) grid with b_{n,m} for both window sets.
    public struct MinTestEntry: Decodable, Sendable, CustomStringConvertible {
        public let n: Int
        public let m: Int
        public let d: Int
        public let S: Int
        /// Decimal string: the exact number of compositions.
        public let compositions: String
        public let windowsD: Answer
        public let windows2D: Answer

        enum CodingKeys: String, CodingKey {
            case n, m, d, S, compositions
            case windowsD = "max_window_d"
            case windows2D = "max_window_2d"
        }

        public struct Answer: Decodable, Sendable {
            /// b_{n,m} as "p/q" or "p".
            public let minTest: String
            /// One minimiser; others (its reverse, say) may tie.
            public let argmin: [Int]

            enum CodingKeys: String, CodingKey {
                case minTest = "min_test"
                case argmin
            }
        }

        public func answer(for windows: WindowSet) -> Answer {
            windows == .d ? windowsD : windows2D
        }

        public var description: String { "n=\(n) m=\(m)" }
    }

    /// Prove-mode counts for one grid, target, rule and window set.
    public struct ProveEntry: Decodable, Sendable, CustomStringConvertible {
        public let n: Int
        public let m: Int
        /// As written in the file, e.g. "1.05": parse it with `TargetParser`.
        public let target: String
        public let maxWindow: String
        public let rule: String
        public let asymPruned: UInt64
        public let testPruned: UInt64
        public let survivors: UInt64
        public let canonicalSurvivors: UInt64

        enum CodingKeys: String, CodingKey {
            case n, m, target, rule
            case maxWindow = "max_window"
            case asymPruned = "asym_pruned"
            case testPruned = "test_pruned"
            case survivors
            case canonicalSurvivors = "canonical_survivors"
        }

        public var description: String { "n=\(n) m=\(m) target=\(target) \(rule) max-window=\(maxWindow)" }
    }
}

extension ReferenceValues {
    /// The package root, found from this file's own path (…/Tests/TestSupport/ReferenceValues.swift).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // TestSupport
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()

    /// The committed copy inside the repository.
    public static let fixtureURL = repositoryRoot.appendingPathComponent("Tests/Fixtures/values.json")

    /// The shared copy beside the repository, which may be absent on a fresh checkout.
    public static let sharedURL = repositoryRoot
        .deletingLastPathComponent()
        .appendingPathComponent("shared/reference/values.json")

    /// The file the known-answer tests read: the shared copy when present, else the fixture.
    public static var url: URL {
        FileManager.default.fileExists(atPath: sharedURL.path) ? sharedURL : fixtureURL
    }

    /// Loads and decodes `url`.
    public static func load() throws -> ReferenceValues {
        try JSONDecoder().decode(ReferenceValues.self, from: Data(contentsOf: url))
    }

    /// `load()` for test arguments, which cannot throw: empty when the file cannot be read, so a
    /// separate test that calls `load()` itself must guard against a silently empty table.
    public static let loadedOrEmpty: ReferenceValues =
        (try? load()) ?? ReferenceValues(minTest: [], prove: [])
}
