/// Which character a file writes between the whole part and the decimals of a number.
///
/// Exports from most platforms write `1,234.56` (`point`); European ones often write
/// `1.234,56` (`comma`). LeadLedger reads a comma as the decimal separator only when the format
/// or the import's `--decimal-comma` option says so: `12,50` is never guessed.
public enum DecimalSeparator: String, Sendable, CaseIterable {
    case point, comma

    var byte: UInt8 { self == .point ? UInt8(ascii: ".") : UInt8(ascii: ",") }
    /// The characters that may group thousands: `,` with a decimal point; `.`, a space or a
    /// no-break space with a decimal comma.
    func isGroupSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch self {
        case .point: return scalar == ","
        case .comma: return scalar == "." || scalar == " " || scalar == "\u{A0}" || scalar == "\u{202F}"
        }
    }
}

/// A decimal number as an export writes it, read by one strict grammar (docs/validation.md):
///
///     number   = [sign] whole [separator fraction] | [sign] separator fraction
///     whole    = digits | 1*3digit 1*(group 3digit)      one group character throughout
///     sign     = "-" | "+"
///
/// No exponent (`1E3`), no second separator (`1.2.3`), no misplaced group (`1,2,3`, `12,50`
/// with a decimal point). What does not match is refused with a reason, never guessed.
public struct DecimalText: Sendable, Equatable {
    public let negative: Bool
    /// The whole part's digits without group separators, leading zeros kept (`"1234"`).
    public let whole: String
    /// The digits after the separator (`"56"`), empty when there are none.
    public let fraction: String

    /// Reads `text` (surrounding spaces ignored).
    /// - Returns: the number, or why it is not one (a sentence without the value).
    public static func read(_ text: some StringProtocol, separator: DecimalSeparator = .point) -> Result<DecimalText, NumberError> {
        let scalars = Array(String(text).trimmingSpaces.unicodeScalars)
        var i = 0
        var negative = false
        if i < scalars.count, scalars[i] == "-" || scalars[i] == "+" {
            negative = scalars[i] == "-"
            i += 1
        }
        var whole = ""
        var group: Unicode.Scalar?
        var digitsInGroup = 0
        var groups = 0
        while i < scalars.count {
            let s = scalars[i]
            if s.properties.numericType == .decimal {
                guard s.isASCII else { return .failure(.init("has a digit of another script; write 0-9")) }
                whole.unicodeScalars.append(s)
                digitsInGroup += 1
                if group != nil, digitsInGroup > 3 { return .failure(.init("groups its thousands wrongly (three digits after each separator)")) }
            } else if separator.isGroupSeparator(s) {
                if let group, group != s { return .failure(.init("mixes two thousands separators")) }
                guard digitsInGroup > 0, group != nil ? digitsInGroup == 3 : digitsInGroup <= 3 else {
                    return .failure(.init(groupMistake(s, separator)))
                }
                group = s
                groups += 1
                digitsInGroup = 0
            } else {
                break
            }
            i += 1
        }
        if group != nil, digitsInGroup != 3 { return .failure(.init(groupMistake(group!, separator))) }
        var fraction = ""
        if i < scalars.count, scalars[i].isASCII, UInt8(scalars[i].value) == separator.byte {
            i += 1
            while i < scalars.count, scalars[i].isASCII, scalars[i].properties.numericType == .decimal {
                fraction.unicodeScalars.append(scalars[i])
                i += 1
            }
            if fraction.isEmpty { return .failure(.init("has no digit after its decimal separator")) }
        }
        guard i == scalars.count else {
            let s = scalars[i]
            if s == "e" || s == "E" { return .failure(.init("is written with an exponent; write the digits out")) }
            if s == "." || s == "," {
                return .failure(.init(separator == .point && s == ","
                    ? "has a comma where a decimal point or a thousands group was expected (a decimal comma is read only with --decimal-comma or a format that uses it)"
                    : "has a second decimal separator"))
            }
            return .failure(.init("is not a number: it has a character that is not a digit, sign or separator"))
        }
        guard !whole.isEmpty || !fraction.isEmpty else { return .failure(.init("is not a number: it has no digit")) }
        return .success(DecimalText(negative: negative, whole: whole, fraction: fraction))
    }

    private static func groupMistake(_ s: Unicode.Scalar, _ separator: DecimalSeparator) -> String {
        separator == .point && s == ","
            ? "has a comma that does not group thousands (a decimal comma is read only with --decimal-comma or a format that uses it)"
            : "groups its thousands wrongly (three digits after each separator)"
    }

    /// The value as a `Double` (for ratios such as an average position, never for money).
    public var double: Double {
        let v = Double((whole.isEmpty ? "0" : whole) + (fraction.isEmpty ? "" : "." + fraction)) ?? .nan
        return negative ? -v : v
    }

    /// The whole number, when there are no decimals (`12.0` is refused too: a count is whole)
    /// and it fits; nil otherwise.
    public var integer: Int64? {
        guard fraction.isEmpty, let v = Int64(whole.isEmpty ? "0" : whole) else { return nil }
        return negative ? -v : v
    }
}

/// Why a number was refused: a sentence that follows the column's name and never quotes the value.
public struct NumberError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
