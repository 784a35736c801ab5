/// Plausibility checks for contact details in exports. They catch obvious garbage (a name
/// in the email column), not every invalid address.
public enum ContactValidation {
    /// One `@`, something before it, a dot inside the domain, no spaces.
    public static func isPlausibleEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !text.contains(" ") else { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".")
    }

    /// Only digits, spaces and `+-().`, with 6 to 15 digits (E.164 allows at most 15).
    public static func isPlausiblePhone(_ text: String) -> Bool {
        let allowed = text.allSatisfy { ($0.isASCII && $0.isNumber) || " +-().".contains($0) }
        return allowed && (6...15).contains(text.filter { $0.isASCII && $0.isNumber }.count)
    }
}

extension SourceRow {
    /// An optional email column, checked for plausibility.
    public func email(_ key: String) throws(RowError) -> String? {
        guard let email = value(key) else { return nil }
        guard ContactValidation.isPlausibleEmail(email) else { throw error(key, "\"\(email)\" is not an email address") }
        return email
    }

    /// An optional phone column, checked for plausibility.
    public func phone(_ key: String) throws(RowError) -> String? {
        guard let phone = value(key) else { return nil }
        guard ContactValidation.isPlausiblePhone(phone) else { throw error(key, "\"\(phone)\" is not a phone number (6 to 15 digits)") }
        return phone
    }
}
