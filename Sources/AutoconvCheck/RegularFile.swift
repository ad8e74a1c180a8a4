#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// How the cascade checker opens a run directory's files: never through a symbolic link, never
/// blocking on a FIFO, and only regular files, so that a planted node can neither hang the check
/// nor stand in for a file.
enum RegularFile {
    /// A read-only descriptor of the regular file `path`; the error says why there is none.
    static func open(_ path: String) -> Result<Int32, Verifier.Rejection> {
        let fd = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno))
            return .failure(Verifier.Rejection(reason: "cannot read '\(path)': \(reason)"))
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return .failure(Verifier.Rejection(reason: "'\(path)' is not a regular file"))
        }
        return .success(fd)
    }

    /// The whole of the regular file `path`.
    static func read(_ path: String) throws(Verifier.Rejection) -> [UInt8] {
        let fd = try open(path).get()
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw Verifier.Rejection(reason: "cannot read '\(path)': \(String(cString: strerror(errno)))") }
            if got == 0 { return bytes }
            bytes += chunk[0..<got]
        }
    }

    /// Whether anything (of any type) is at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}
