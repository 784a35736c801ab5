import Foundation
import Testing
@testable import Digests
import TestSupport

@Suite struct SHA256Tests {
    // FIPS 180-4 / NIST CAVS example vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func matchesTheStandardVectors(_ message: String, _ hex: String) {
        #expect(SHA256.hash(Array(message.utf8)).hex == hex)
    }

    @Test func millionAs() {
        var h = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { h.update(chunk) }
        #expect(h.finalize().hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Streaming in uneven pieces gives the same digest as one call, for every split point.
    @Test func chunkingDoesNotChangeTheDigest() {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = SHA256.hash(bytes)
        for split in 0...bytes.count {
            var h = SHA256()
            h.update(Array(bytes[..<split]))
            h.update(Array(bytes[split...]))
            #expect(h.finalize() == whole)
        }
    }

    /// The SHA extensions' route and the portable Swift route give the same digest for every
    /// length from 0 to 400 bytes (one block, many, the padding in a block of its own), fed in
    /// one piece and in three. On a processor without the extensions both are the Swift route.
    @Test func theHardwareAndSwiftRoutesAgree() {
        let bytes = (0..<400).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 3) }
        for length in 0...bytes.count {
            let message = Array(bytes[..<length])
            func digest(hardware: Bool, pieces: Int) -> Digest {
                var h = SHA256()
                h.usesHardware = hardware
                let cut1 = length / 3, cut2 = 2 * length / 3
                if pieces == 1 { h.update(message) } else {
                    h.update(Array(message[..<cut1])); h.update(Array(message[cut1..<cut2])); h.update(Array(message[cut2...]))
                }
                return h.finalize()
            }
            let swift = digest(hardware: false, pieces: 1)
            #expect(digest(hardware: SHA256.hardwareAvailable, pieces: 1) == swift, "length \(length)")
            #expect(digest(hardware: SHA256.hardwareAvailable, pieces: 3) == swift, "length \(length)")
        }
    }

    /// Second route: the system's sha256sum on the same file.
    @Test func agreesWithSha256sum() throws {
        let dir = TemporaryDirectory()
        var text = ""
        for i in 0..<5000 { text += "row \(i),ünïcode,\(i * 7)\n" }
        let file = dir.write("data.csv", text)
        let result = try runCommand("/usr/bin/env", ["sha256sum", file])
        let expected = String(result.stdout.prefix(64))
        #expect(SHA256.hash(Array(text.utf8)).hex == expected)
    }
}
