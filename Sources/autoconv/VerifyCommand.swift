import ArgumentParser
import AutoconvCore
import AutoconvVerify

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-check a prove certificate independently on the CPU; the last line is VERIFIED or NOT VERIFIED: reason.",
        discussion: """
            The checker shares no code with the engines: it re-enumerates every composition of each range one \
            by one and classifies it straight from the method's rules. Exit 0 when verified, 1 when not.
            """)

    @Argument(help: "The certificate folder (from prove --certificate or merge --certificate).")
    var certificate: String

    @Option(help: "Re-enumerate only K ranges chosen at random; every other check still covers the whole certificate.")
    var sample: Int?

    @Option(help: "Seed for --sample (default: random, and printed so that the check can be repeated).")
    var seed: UInt64?

    func run() throws {
        if let sample, sample < 1 { throw CoreError.badInput("sample must be at least 1 (got \(sample))") }
        var progress: ProgressReporter?
        do {
            try Verifier(directory: certificate).verify(
                sample: sample, seed: seed ?? UInt64.random(in: 0...UInt64.max),
                log: { Terminal.out($0) },
                progress: { done, total in
                    if progress == nil { progress = ProgressReporter(total: total, label: "verify") }
                    progress?.update(done)
                })
            progress?.finish()
            Terminal.out("VERIFIED")
        } catch let rejection as Verifier.Rejection {
            progress?.finish()
            Terminal.out("NOT VERIFIED: \(rejection.reason)")
            throw NotVerified()
        }
    }
}
