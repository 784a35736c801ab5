import Digests

/// Turns emails and phone numbers into salted SHA-256 hashes, so that the warehouse can match
/// the same person across files without storing who they are.
///
/// Values are normalised first — emails trimmed and lowercased; phones reduced to their
/// digits with a leading `+` kept — so `Ann@Example.com ` and `ann@example.com` match.
public struct IdentifierHasher: Sendable {
    let salt: String

    public init(salt: String) { self.salt = salt }

    public func hashEmail(_ email: String) -> String { hash("email:" + IdentifierHasher.normaliseEmail(email)) }
    public func hashPhone(_ phone: String) -> String { hash("phone:" + IdentifierHasher.normalisePhone(phone)) }

    private func hash(_ value: String) -> String {
        SHA256.hash(Array((salt + "|" + value).utf8)).hex
    }

    public static func normaliseEmail(_ email: String) -> String {
        email.trimmingCharacters(in: " \t").lowercased()
    }

    public static func normalisePhone(_ phone: String) -> String {
        let trimmed = phone.trimmingCharacters(in: " \t")
        let digits = trimmed.filter(\.isASCIIDigit)
        return trimmed.hasPrefix("+") ? "+" + digits : digits
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
