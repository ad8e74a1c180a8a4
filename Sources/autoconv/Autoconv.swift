import ArgumentParser
import AutoconvCascade
import AutoconvCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Exit codes, decided here and nowhere else:
/// 0 success (and `prove`: proven), 1 `prove`: survivors remain (`verify`: not verified), 2 bad input, 3 other failures,
/// 4 `cascade --one-level`: the level finished and the run goes on, 75 `cascade`: interrupted, resumable.
enum ExitStatus {
    static let notProven: Int32 = 1
    static let notVerified: Int32 = 1
    static let badInput: Int32 = 2
    static let failure: Int32 = 3
    static let paused: Int32 = 4
    static let interrupted: Int32 = InterruptSignal.exitCode
}

/// Thrown by `prove` after printing its result, when survivors remain.
struct NotProven: Error {}

/// Thrown by `verify` after printing `NOT VERIFIED: reason`.
struct NotVerified: Error {}

/// Thrown by `cascade --one-level` after printing its finished levels, when the run goes on.
struct Paused: Error {}

@main
struct Autoconv: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sound lower bounds on the autoconvolution constant (Cloninger–Steinerberger branch and prune).",
        version: "0.1.0",
        subcommands: [CountCommand.self, BoundCommand.self, ProveCommand.self, CascadeCommand.self, PlanCommand.self,
                      ReachCommand.self, DevicesCommand.self, MergeCommand.self, VerifyCommand.self, SelftestCommand.self,
                      BenchChildrenCommand.self]
    )

    static func main() {
        let status: Int32
        do {
            let arguments = Array(CommandLine.arguments.dropFirst())
            // The cascade turns SIGINT/SIGTERM into a checkpoint and exit 75. Its handler goes in
            // before parsing: a signal that came while the process was still starting would
            // otherwise kill it outright (the run polls the flag once its directory exists).
            if arguments.first == "cascade" { InterruptSignal.install() }
            try checkHelpTopic(arguments)
            var command = try parseAsRoot()
            try command.run()
            status = 0
        } catch {
            status = Autoconv.report(error)
        }
        #if canImport(Glibc)
        Glibc.exit(status)
        #elseif canImport(Musl)
        Musl.exit(status)
        #elseif canImport(Darwin)
        Darwin.exit(status)
        #endif
    }

    /// `autoconv help NAME` for a NAME that is no command is bad input: ArgumentParser would
    /// print the general help and exit 0, and a script would take that for success.
    static func checkHelpTopic(_ arguments: [String]) throws {
        guard arguments.first == "help", let topic = arguments.dropFirst().first, !topic.hasPrefix("-") else { return }
        let names = configuration.subcommands.compactMap { $0.configuration.commandName }
        guard names.contains(topic) else {
            throw CoreError.badInput("no command named '\(topic)' (commands: \(names.joined(separator: ", ")))")
        }
    }

    /// Prints an error as one line on stderr (help and version go to stdout) and returns its exit code.
    static func report(_ error: Error) -> Int32 {
        switch error {
        case is NotProven:
            return ExitStatus.notProven
        case is NotVerified:
            return ExitStatus.notVerified
        case is Paused:
            return ExitStatus.paused
        case let interrupted as CascadeInterrupted:
            Terminal.err("autoconv: interrupted; resume with: \(interrupted.resumeCommand)")
            return ExitStatus.interrupted
        case CoreError.badInput(let message):
            Terminal.err("autoconv: error: \(message)")
            return ExitStatus.badInput
        case CoreError.failure(let message):
            Terminal.err("autoconv: error: \(message)")
            return ExitStatus.failure
        default:
            let code = exitCode(for: error)
            if code == .success {
                Terminal.out(fullMessage(for: error))
                return 0
            }
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
            Terminal.err("autoconv: error: \(message)")
            return ExitStatus.badInput
        }
    }
}
