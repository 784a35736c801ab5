/// An amount of money as an integer number of minor units (cents) of an ISO 4217 currency.
/// Money is never a floating-point number in LeadLedger: `12.30 USD` is `1230` + `"USD"`.
public struct Money: Sendable, Hashable {
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Parses a decimal amount as exports write it: `1234.5`, `1,234.50`, `$1,234.50`,
    /// `1234.50 USD`. A comma is a thousands separator. Digits beyond the currency's minor
    /// unit are rounded half away from zero. `nil` for anything that is not such an amount.
    public static func parse(_ text: some StringProtocol, currency: Currency) -> Money? {
        var negative = false
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var roundUp = false
        var seenDigit = false
        var seenPoint = false
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                seenDigit = true
                let digit = Int64(c - 48)
                if !seenPoint {
                    let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(digit)
                    if o1 || o2 { return nil }
                    whole = a
                } else if fractionDigits < currency.minorUnitDigits {
                    fraction = fraction * 10 + digit
                    fractionDigits += 1
                } else if fractionDigits == currency.minorUnitDigits {
                    roundUp = digit >= 5
                    fractionDigits += 1
                }
            case UInt8(ascii: "."):
                if seenPoint { return nil }
                seenPoint = true
            case UInt8(ascii: ","), UInt8(ascii: " "), UInt8(ascii: "$"):
                if seenPoint && c == UInt8(ascii: ",") { return nil }
            case UInt8(ascii: "-"):
                if seenDigit || negative { return nil }
                negative = true
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                continue  // a trailing currency code; the caller checks it separately
            default:
                return nil
            }
        }
        guard seenDigit else { return nil }
        let digits = currency.minorUnitDigits
        var scaledFraction = fraction
        for _ in min(fractionDigits, digits)..<digits { scaledFraction *= 10 }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let (w, o) = whole.multipliedReportingOverflow(by: scale)
        guard !o else { return nil }
        var minor = w + scaledFraction + (roundUp ? 1 : 0)
        if negative { minor = -minor }
        return Money(minorUnits: minor, currency: currency)
    }

    /// The amount as a plain decimal string with the currency's number of decimals (`12.30`).
    public var decimalString: String { currency.decimalString(minorUnits: minorUnits) }
}

/// An ISO 4217 currency code with its number of minor-unit digits.
public struct Currency: Sendable, Hashable, CustomStringConvertible {
    public let code: String

    /// `nil` unless `code` is three ASCII letters; lowercase is accepted and uppercased.
    public init?(_ code: some StringProtocol) {
        let upper = code.uppercased()
        guard upper.utf8.count == 3, upper.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) else { return nil }
        self.code = upper
    }

    public var description: String { code }

    /// 0 for currencies without minor units (JPY, VND, KRW…), 3 for the dinars (KWD, BHD…), else 2.
    public var minorUnitDigits: Int {
        if Currency.zeroDecimal.contains(code) { return 0 }
        if Currency.threeDecimal.contains(code) { return 3 }
        return 2
    }

    public func decimalString(minorUnits: Int64) -> String {
        let digits = minorUnitDigits
        guard digits > 0 else { return String(minorUnits) }
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let whole = magnitude / scale
        let fraction = String(magnitude % scale)
        return (negative ? "-" : "") + "\(whole)." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// Converts minor units to a `Double` in major units, for ratios only (never for sums).
    public func majorUnits(_ minorUnits: Int64) -> Double {
        var scale = 1.0
        for _ in 0..<minorUnitDigits { scale *= 10 }
        return Double(minorUnits) / scale
    }

    static let zeroDecimal: Set<String> = [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF",
    ]
    static let threeDecimal: Set<String> = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]
}
