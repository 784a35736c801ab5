/// # Digests — SHA-256 for checksums and salted identifiers
///
/// LeadLedger records the SHA-256 of every imported file (so the same file is recognised
/// when imported again) and stores emails and phone numbers as salted SHA-256 hashes. This
/// module is a small, dependency-free implementation of FIPS 180-4 SHA-256, streaming:
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update(chunk)          // as many times as needed
/// let hex = hasher.finalize().hex
/// ```
///
/// On a processor with the x86 SHA extensions the blocks are compressed by those instructions
/// (the `CSHA256` C target, about four times faster; docs/benchmarks.md); elsewhere by the
/// portable Swift code below. It is checked against the FIPS test
/// vectors and against `sha256sum` in the tests, and both routes against each other.
import CSHA256

public struct SHA256: Sendable {
    /// Whether this processor has the SHA extensions.
    static let hardwareAvailable = csha256_has_hardware() != 0
    /// Whether this hasher compresses with them; the tests turn it off to check the Swift route.
    var usesHardware = SHA256.hardwareAvailable

    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    private var pending: [UInt8] = []
    private var totalBytes: UInt64 = 0

    public init() { pending.reserveCapacity(64) }

    /// Hashes `bytes` in one call.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
        var h = SHA256()
        h.update(Array(bytes))
        return h.finalize()
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { update($0) }
    }

    public mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        totalBytes &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<take])
            offset = take
            if pending.count == 64 {
                pending.withUnsafeBufferPointer { compress($0.baseAddress!, blocks: 1) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        guard let base = bytes.baseAddress else { return }
        let blocks = (bytes.count - offset) / 64
        if blocks > 0 {
            compress(base + offset, blocks: blocks)
            offset += blocks * 64
        }
        if offset < bytes.count { pending.append(contentsOf: bytes[offset...]) }
    }

    public mutating func finalize() -> Digest {
        let bitLength = totalBytes &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBufferPointer { buffer in compress(buffer.baseAddress!, blocks: buffer.count / 64) }
        pending.removeAll()
        let words = (state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7)
        let out = [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
            withUnsafeBytes(of: words) { raw in
                for i in 0..<8 {
                    let w = raw.load(fromByteOffset: i * 4, as: UInt32.self).bigEndian
                    withUnsafeBytes(of: w) { for j in 0..<4 { buffer[i * 4 + j] = $0[j] } }
                }
            }
            count = 32
        }
        return Digest(bytes: out)
    }

    /// Compresses `blocks` consecutive 64-byte blocks into the state.
    private mutating func compress(_ data: UnsafePointer<UInt8>, blocks: Int) {
        if usesHardware {
            withUnsafeMutablePointer(to: &state) { tuple in
                tuple.withMemoryRebound(to: UInt32.self, capacity: 8) { csha256_compress_hardware($0, data, blocks) }
            }
        } else {
            for i in 0..<blocks { compress(data + 64 * i) }
        }
    }

    private mutating func compress(_ block: UnsafePointer<UInt8>) {
        let k = SHA256.k
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            let raw = UnsafeRawPointer(block)
            for i in 0..<16 { w[i] = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)) }
            for i in 16..<64 {
                let x = w[i - 15], y = w[i - 2]
                let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)
                let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, h) = state
            for i in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = h &+ s1 &+ ch &+ k[i] &+ w[i]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                h = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ s0 &+ maj
            }
            state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h)
        }
    }

    @inline(__always) private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 &- n)) }

    /// The round constants, from the C target that holds them for both routes.
    private static var k: UnsafeBufferPointer<UInt32> { UnsafeBufferPointer(start: csha256_round_constants(), count: 64) }
}

/// A 32-byte SHA-256 digest.
public struct Digest: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Lowercase hexadecimal, 64 characters.
    public var hex: String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            func digit(_ v: UInt8) -> UInt8 { v < 10 ? v + UInt8(ascii: "0") : v - 10 + UInt8(ascii: "a") }
            for (i, b) in bytes.enumerated() {
                out[2 * i] = digit(b >> 4)
                out[2 * i + 1] = digit(b & 0xf)
            }
            return bytes.count * 2
        }
    }

    public var description: String { hex }
}
