import Foundation

// These tests depend only on the modules under test, not on TestSupport, whose build currently
// takes tens of minutes; the two helpers they need are small enough to keep here.

/// SplitMix64, so every random case is reproducible from its seed.
struct SplitMix: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The `autoconv` executable beside the test runner (SwiftPM builds both into one folder), or
/// `$AUTOCONV_BIN`.
func autoconvExecutable() throws -> URL {
    if let path = ProcessInfo.processInfo.environment["AUTOCONV_BIN"] { return URL(fileURLWithPath: path) }
    let runner = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    return URL(fileURLWithPath: runner).deletingLastPathComponent().appendingPathComponent("autoconv")
}
