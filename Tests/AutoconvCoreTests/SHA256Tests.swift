import Testing
import AutoconvCore

/// Known answers from FIPS 180-4 and NIST's example vectors.
@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func knownAnswers(message: String, digest: String) {
        #expect(SHA256.hex(Array(message.utf8)) == digest)
    }

    @Test func millionAs() {
        #expect(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// A stream read in short, uneven pieces (as a file read may return them): the million a's.
    @Test func streamingGivesSizeAndDigest() {
        var left = 1_000_000
        var pieces = [7, 1 << 20, 13, 64]
        let (bytes, hex) = SHA256.hex(streaming: { buffer in
            let piece = pieces.removeFirst()
            pieces.append(piece)
            let got = min(left, piece, buffer.count)
            for i in 0..<got { buffer[i] = UInt8(ascii: "a") }
            left -= got
            return got
        })
        #expect(bytes == 1_000_000 && hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Padding edge cases: lengths around the 55/56/64-byte boundaries, fed in uneven pieces.
    @Test func chunkingDoesNotMatter() {
        for length in [55, 56, 63, 64, 65, 119, 120, 200] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var hash = SHA256()
            var offset = 0
            for piece in [1, 3, 60, 7, 1000] where offset < bytes.count {
                let end = min(bytes.count, offset + piece)
                hash.update(bytes[offset..<end])
                offset = end
            }
            #expect(hash.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() == SHA256.hex(bytes))
        }
    }
}
