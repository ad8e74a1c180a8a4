/// Text files that carry their own SHA-256, for the cascade's run directory (written by
/// AutoconvCascade, read by it and by AutoconvCheck's checker, which share only this layout).
///
/// A **sealed** file is its body (lines ending in "\n") followed by one last line
/// `sha256 <64 lower-case hex digits>` over the body's bytes. Any flipped, missing or added byte
/// breaks the seal, so a damaged state or manifest is refused instead of being believed.
///
/// An append-only file cannot be re-sealed after every line, so its lines are **chained**
/// instead: each line ends with `link(previous, line)`, the SHA-256 of the link before it and the
/// line's own text, starting from `link("", header)`. A prefix of such a file is itself valid,
/// and a reader that knows the last link it expects detects any change before it.
public enum SealedText {
    static let prefix = "sha256 "

    /// `body` (empty, or ending in "\n") with its seal line appended.
    public static func seal(_ body: String) -> String {
        precondition(body.isEmpty || body.hasSuffix("\n"), "a sealed body ends with a newline")
        return body + prefix + SHA256.hex(Array(body.utf8)) + "\n"
    }

    /// The body of a sealed file, or nil when the seal is missing or does not match (the file
    /// was truncated, extended or changed) or the body is not UTF-8.
    public static func unseal(_ bytes: [UInt8]) -> String? {
        let sealLength = prefix.utf8.count + 64 + 1
        guard bytes.count >= sealLength, bytes.last == UInt8(ascii: "\n") else { return nil }
        let split = bytes.count - sealLength
        // The seal is a whole line: the body before it is empty or ends with "\n".
        guard split == 0 || bytes[split - 1] == UInt8(ascii: "\n") else { return nil }
        let sealLine = bytes[split..<(bytes.count - 1)]
        let body = bytes[..<split]
        guard String(decoding: sealLine, as: UTF8.self) == prefix + SHA256.hex(body) else { return nil }
        return String(validating: body, as: UTF8.self)
    }

    /// The chain link of `line` after the link `previous` (see the type's comment).
    public static func link(_ previous: String, _ line: String) -> String {
        SHA256.hex(Array((previous + "\n" + line).utf8))
    }

    /// Whether `text` is 64 lower-case hex digits, the form of every digest written here.
    public static func isDigest(_ text: Substring) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
