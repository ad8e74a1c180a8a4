import Foundation
import Testing
import TestSupport

/// A full disk is one readable line (exit 3), for every kind of file autoconv writes: a 16 KiB
/// tmpfs fills up long before a (2, 10) run's survivors and certificate are written. Mounting
/// needs root, which the CI machine is; without it the test fails rather than pass vacuously.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DiskFullTests {
    static func withFullDisk(_ body: (String) throws -> Void) throws {
        let folder = try CLIRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=16k", "tmpfs", folder.path]
        try mount.run()
        mount.waitUntilExit()
        try #require(mount.terminationStatus == 0, "cannot mount a tmpfs (this test needs root)")
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [folder.path]
            try? umount.run()
            umount.waitUntilExit()
        }
        try body(folder.path)
    }

    static let prove = ["prove", "--n", "2", "--m", "10", "--target", "1.1"]

    @Test(arguments: [
        prove + ["--survivors", "FULL/survivors.bin"],
        prove + ["--certificate", "FULL/certificate"],
        ["cascade", "--n", "2", "--m", "10", "--target", "1.1", "--dir", "FULL/run"],
    ])
    func fullDiskIsOneReadableLine(_ arguments: [String]) throws {
        try Self.withFullDisk { full in
            let run = try CLIRunner.run(arguments.map { $0.replacingOccurrences(of: "FULL", with: full) })
            #expect(run.exitCode == 3, "\(run)")
            let errors = run.stderrLines.filter { $0.hasPrefix("autoconv: error:") }
            #expect(errors.count == 1 && errors[0].contains("No space left on device"), "\(run)")
            #expect(!run.stderr.contains("CocoaError") && !run.stderr.contains("userInfo"), "\(run)")
            #expect(!run.stdout.contains("PROVEN") && !run.stdout.contains("C >="), "\(run)")
        }
    }
}
