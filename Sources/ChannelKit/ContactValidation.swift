/// Plausibility checks for contact details in exports. They catch obvious garbage (a name
/// in the email column), not every invalid address.
public enum ContactValidation {
    /// One `@`, something before it, a dot inside the domain, no spaces.
    ///
    /// An ASCII value (nearly every one) is checked on its bytes; any other by its characters,
    /// where a space or `@` followed by a combining mark is a character of its own.
    public static func isPlausibleEmail(_ text: String) -> Bool {
        if let checked = text.utf8.withContiguousStorageIfAvailable(isPlausibleASCIIEmail), let checked { return checked }
        return isPlausibleEmailByCharacters(text)
    }

    /// ``isPlausibleEmail(_:)`` on the bytes of an ASCII value; nil for any other.
    static func isPlausibleASCIIEmail(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard isASCII(bytes) else { return nil }
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > 0, !bytes.contains(UInt8(ascii: " ")) else { return false }
        let domain = UnsafeBufferPointer(rebasing: bytes[(at + 1)...])
        guard !domain.contains(UInt8(ascii: "@")) else { return false }
        return domain.contains(UInt8(ascii: ".")) && domain.first != UInt8(ascii: ".") && domain.last != UInt8(ascii: ".")
    }

    static func isPlausibleEmailByCharacters(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !text.contains(" ") else { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".")
    }

    /// Only digits, spaces and `+-().`, with 6 to 15 digits (E.164 allows at most 15). Every
    /// allowed character is ASCII, so the bytes tell.
    public static func isPlausiblePhone(_ text: String) -> Bool {
        if let checked = text.utf8.withContiguousStorageIfAvailable(isPlausiblePhone) { return checked }
        return isPlausiblePhoneByCharacters(text)
    }

    static func isPlausiblePhone(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var digits = 0
        for b in bytes {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: " "), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "."): continue
            default: return false
            }
        }
        return (6...15).contains(digits)
    }

    static func isPlausiblePhoneByCharacters(_ text: String) -> Bool {
        let allowed = text.allSatisfy { ($0.isASCII && $0.isNumber) || " +-().".contains($0) }
        return allowed && (6...15).contains(text.filter { $0.isASCII && $0.isNumber }.count)
    }

    /// Whether every byte is ASCII.
    public static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.reduce(0, |) < 0x80
    }
}

extension SourceRow {
    /// An optional email column, checked for plausibility.
    public func email(_ key: String) throws(RowError) -> String? {
        guard let email = value(key) else { return nil }
        guard ContactValidation.isPlausibleEmail(email) else { throw error(key, "is not an email address") }
        return email
    }

    /// An optional phone column, checked for plausibility.
    public func phone(_ key: String) throws(RowError) -> String? {
        guard let phone = value(key) else { return nil }
        guard ContactValidation.isPlausiblePhone(phone) else { throw error(key, "is not a phone number (6 to 15 digits)") }
        return phone
    }
}
