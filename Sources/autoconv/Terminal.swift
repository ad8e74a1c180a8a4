#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// stdout carries results, stderr carries progress and logs.
enum Terminal {
    static func out(_ line: String) {
        print(line)
    }

    static func err(_ text: String, newline: Bool = true) {
        fputs(newline ? text + "\n" : text, stderr)
        fflush(stderr)
    }

    static var stderrIsTerminal: Bool { isatty(2) != 0 }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
