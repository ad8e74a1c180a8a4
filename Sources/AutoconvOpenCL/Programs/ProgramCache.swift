import AutoconvCore

/// The engine's programs: one per problem and contents, built on first use and, unless the
/// configuration says otherwise, self-tested right after the build, before any job uses it. A
/// program whose self-test fails is not kept, so every later job fails the same way.
final class ProgramCache {
    private struct Key: Hashable {
        let problem: Problem
        let contents: ProblemProgram.Contents
    }

    private let session: OpenCLSession
    private let configuration: OpenCLConfiguration
    private var programs: [Key: ProblemProgram] = [:]

    init(session: OpenCLSession, configuration: OpenCLConfiguration) {
        self.session = session
        self.configuration = configuration
    }

    /// The program of `problem` with `contents`; on first use it is built, then `selfTest` runs
    /// on it and returns the line to log ("self-test passed (…)"), or throws.
    func program(_ problem: Problem, _ contents: ProblemProgram.Contents,
                 selfTest: (ProblemProgram) throws -> String) throws -> ProblemProgram {
        let key = Key(problem: problem, contents: contents)
        if let program = programs[key] { return program }
        let program = try ProblemProgram(session: session, problem: problem, contents: contents,
                                         verbose: configuration.verboseLog)
        configuration.log?("opencl: \(contents.name) for d=\(problem.d) m=\(problem.m) built in \(program.buildTime.logText)")
        if configuration.selfTest {
            let started = ContinuousClock.now
            let passed = try selfTest(program)
            configuration.log?("opencl: \(passed) in \(started.duration(to: .now).logText)")
        }
        programs[key] = program
        return program
    }
}
