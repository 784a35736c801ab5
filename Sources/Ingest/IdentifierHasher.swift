import ChannelKit
import Digests

/// Turns emails and phone numbers into salted SHA-256 hashes, so that the warehouse can match
/// the same person across files without storing who they are.
///
/// Values are normalised first — emails trimmed and lowercased; phones reduced to their
/// digits with a leading `+` kept — so `Ann@Example.com ` and `ann@example.com` match.
public struct IdentifierHasher: Sendable {
    let salt: String
    /// What each hashed value is prefixed with: the salt, `|` and its kind.
    private let emailPrefix: [UInt8], phonePrefix: [UInt8]

    public init(salt: String) {
        self.salt = salt
        emailPrefix = Array((salt + "|email:").utf8)
        phonePrefix = Array((salt + "|phone:").utf8)
    }

    /// SHA-256 of `<salt>|email:<normalised email>`, in hex.
    public func hashEmail(_ email: String) -> String { hash(emailPrefix, IdentifierHasher.normaliseEmail(email)) }
    /// SHA-256 of `<salt>|phone:<normalised phone>`, in hex.
    public func hashPhone(_ phone: String) -> String { hash(phonePrefix, IdentifierHasher.normalisePhone(phone)) }

    private func hash(_ prefix: [UInt8], _ value: String) -> String {
        var sha = SHA256()
        sha.update(prefix)
        var value = value
        value.withUTF8 { sha.update($0) }
        return sha.finalize().hex
    }

    /// Trimmed of spaces and tabs, lowercased. An ASCII value (nearly every one) is done on its
    /// bytes, any other by its characters.
    public static func normaliseEmail(_ email: String) -> String {
        onTrimmedASCII(email) { trimmed, out in
            for (i, b) in trimmed.enumerated() { out[i] = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b) ? b + 32 : b }
            return trimmed.count
        } ?? normaliseEmailByCharacters(email)
    }

    static func normaliseEmailByCharacters(_ email: String) -> String {
        email.trimmingCharacters(in: " \t").lowercased()
    }

    /// The digits, after a `+` if the trimmed value starts with one. An ASCII value is done on
    /// its bytes, any other by its characters.
    public static func normalisePhone(_ phone: String) -> String {
        onTrimmedASCII(phone) { trimmed, out in
            var n = 0
            if trimmed.first == UInt8(ascii: "+") { out[0] = UInt8(ascii: "+"); n = 1 }
            for b in trimmed where (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) { out[n] = b; n += 1 }
            return n
        } ?? normalisePhoneByCharacters(phone)
    }

    static func normalisePhoneByCharacters(_ phone: String) -> String {
        let trimmed = phone.trimmingCharacters(in: " \t")
        let digits = trimmed.filter(\.isASCIIDigit)
        return trimmed.hasPrefix("+") ? "+" + digits : digits
    }

    /// The string `write` makes of the value's bytes trimmed of spaces and tabs (at most as many
    /// bytes; it returns how many it wrote) — for an ASCII value; nil for any other.
    private static func onTrimmedASCII(_ value: String,
                                       _ write: (Slice<UnsafeBufferPointer<UInt8>>, UnsafeMutableBufferPointer<UInt8>) -> Int) -> String? {
        let made = value.utf8.withContiguousStorageIfAvailable { bytes -> String? in
            guard ContactValidation.isASCII(bytes) else { return nil }
            let blank = { (b: UInt8) in b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }
            guard let first = bytes.firstIndex(where: { !blank($0) }) else { return "" }
            let trimmed = bytes[first...bytes.lastIndex(where: { !blank($0) })!]
            return String(unsafeUninitializedCapacity: trimmed.count) { write(trimmed, $0) }
        }
        return made ?? nil
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        guard let first = firstIndex(where: { !set.contains($0) }) else { return "" }
        let last = lastIndex(where: { !set.contains($0) })!
        return String(self[first...last])
    }
}
