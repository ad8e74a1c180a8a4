#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// The run directory's `lock` file, locked exclusively (`flock`) for as long as the run is open,
/// so that two processes never work on one run directory: the second one is refused at once,
/// told the first one's PID (written into the file once locked). The lock belongs to the open
/// file, so it is released when the process ends however it ends, and a stale `lock` file
/// left behind locks nothing.
///
/// Shard processes (`cascade --resume RUN --shard r/M`) lock it `shared`: any number of them at
/// once, never together with a process that holds it exclusively (the one that merges the
/// shards or runs the level unsharded). Each shard also locks its own directory exclusively.
final class RunLock {
    private let descriptor: Int32

    init(directory: String, shared: Bool = false) throws {
        let path = directory + "/lock"
        try AtomicFile.requireRegularOrAbsent(path)
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CoreError.badInput("cannot open the lock file '\(path)': \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw CoreError.badInput("'\(path)' is not a regular file")
        }
        guard flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let holder = RunLock.holder(fd)
            close(fd)
            guard busy else { throw CoreError.badInput("cannot lock '\(path)': \(String(cString: strerror(errno)))") }
            // An exclusive lock refused while no PID is written: held shared, by shard processes.
            let who = holder.map { "process \($0)" } ?? (shared ? "another process" : "shard processes")
            throw CoreError.badInput("run directory '\(directory)' is in use by \(who) (it holds '\(path)'); wait for it to end or stop it first")
        }
        guard !shared else {
            // The PID of an exclusive holder that has ended would name the wrong process.
            _ = ftruncate(fd, 0)
            descriptor = fd
            return
        }
        let pid = Array("\(getpid())\n".utf8)
        guard ftruncate(fd, 0) == 0, pid.withUnsafeBytes({ pwrite(fd, $0.baseAddress, $0.count, 0) }) == pid.count else {
            close(fd)
            throw CoreError.failure("cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// The PID the holder wrote, if it has written one yet.
    private static func holder(_ fd: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard got > 0 else { return nil }
        return Int32(String(decoding: bytes[0..<got], as: UTF8.self).split(separator: "\n").first ?? "")
    }
}
