import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What went wrong with a file, in the words of the system ("No space left on device"), for a
/// one-line error: FoundationEssentials wraps the POSIX error in a CocoaError whose description
/// is a dump of its userInfo.
func fileErrorText(_ error: Error) -> String {
    if let cocoa = error as? CocoaError, let underlying = cocoa.userInfo["NSUnderlyingError"] as? POSIXError {
        return String(cString: strerror(underlying.code.rawValue))
    }
    if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
    if let cocoa = error as? CocoaError { return "file error \(cocoa.code.rawValue)" }
    return "\(error)"
}
