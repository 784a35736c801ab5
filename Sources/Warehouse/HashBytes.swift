/// A SHA-256 written as 64 lowercase hex digits (an identifier hash), as its 32 bytes: a
/// hashable key a quarter of the string's size. The maps that find leads by email or phone
/// hash in memory are keyed by it: the writer's (``LeadIdentity/emailsInMemory``,
/// ``DeferredLeadIndexes``) and the parsing side's copy of the first.
public struct HashBytes: Hashable, Sendable {
    private let words: SIMD4<UInt64>

    /// A SHA-256's bits are already evenly spread: its first 64 feed `Hasher` (which still
    /// seeds and mixes them) as well as all 256, for a quarter of the hashing. Equality
    /// compares all four words.
    public func hash(into hasher: inout Hasher) { hasher.combine(words[0]) }

    /// Nil unless `hex` is exactly 64 lowercase hex digits.
    init?(hex: UnsafeBufferPointer<UInt8>) {
        guard hex.count == 64 else { return nil }
        func word(_ k: Int) -> UInt64? {
            var word: UInt64 = 0
            for c in hex[k * 16 ..< k * 16 + 16] {
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): word = word << 4 | UInt64(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): word = word << 4 | UInt64(c - UInt8(ascii: "a") + 10)
                default: return nil
                }
            }
            return word
        }
        guard let a = word(0), let b = word(1), let c = word(2), let d = word(3) else { return nil }
        words = SIMD4(a, b, c, d)
    }

    public init?(hex: String) {
        var hex = hex
        guard let parsed = hex.withUTF8(HashBytes.init(hex:)) else { return nil }
        self = parsed
    }
}
