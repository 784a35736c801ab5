/// An amount of money as an integer number of minor units (cents) of an ISO 4217 currency.
/// Money is never a floating-point number in LeadLedger: `12.30 USD` is `1230` + `"USD"`.
public struct Money: Sendable, Hashable {
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// The largest magnitude one amount may have, in minor units (10¹⁵: ten trillion dollars
    /// in cents). Amounts beyond it are refused, so that sums over millions of rows stay far from
    /// Int64's limit (reports check their sums all the same).
    public static let maximumMinorUnits: Int64 = 1_000_000_000_000_000

    /// Reads an amount as exports write it, by one strict grammar (docs/validation.md): a
    /// ``DecimalText`` number (`1234.5`, `1,234.50`, `-3.20`; `1.234,50` with a decimal comma),
    /// optionally with the currency's symbol or code before or after it (`$1,234.50`,
    /// `1234.50 USD`), which must denote `currency`. Digits beyond the currency's minor unit
    /// are rounded half away from zero and reported (`rounded`).
    ///
    /// - Returns: the amount and whether it was rounded, or why it is refused (a sentence
    ///   without the value).
    public static func read(_ text: some StringProtocol, currency: Currency,
                            separator: DecimalSeparator = .point) -> Result<(money: Money, rounded: Bool), NumberError> {
        let scalars = Array(String(text).trimmingSpaces.unicodeScalars)
        func isNumberPart(_ s: Unicode.Scalar) -> Bool { s.properties.numericType == .decimal || s == "." || s == "," }
        let start = scalars.firstIndex(where: isNumberPart) ?? scalars.count
        let end = (scalars.lastIndex(where: isNumberPart) ?? -1) + 1
        guard start < end else { return .failure(NumberError("is not an amount: it has no digit")) }
        var sign = ""
        for (part, isPrefix) in [(scalars[..<start], true), (scalars[end...], false)] {
            var decoration = String(String.UnicodeScalarView(part)).trimmingSpaces
            if isPrefix, let first = decoration.unicodeScalars.first, first == "-" || first == "+" {
                sign = String(first)
                decoration = String(decoration.dropFirst()).trimmingSpaces
            }
            if isPrefix, let last = decoration.unicodeScalars.last, last == "-" || last == "+", sign.isEmpty {
                sign = String(last)  // "$-12.50"
                decoration = String(decoration.dropLast()).trimmingSpaces
            }
            guard !decoration.isEmpty else { continue }
            guard let named = Currency.denoted(by: decoration) else {
                return .failure(NumberError("is not an amount: it has text that is not a currency code or symbol (see docs/validation.md)"))
            }
            guard named == currency else {
                return .failure(NumberError("is in \(named.code), but the column is in \(currency.code)"))
            }
        }
        let core = String(String.UnicodeScalarView(scalars[start..<end]))
        let number: DecimalText
        switch DecimalText.read(sign + core, separator: separator) {
        case .success(let n): number = n
        case .failure(let e): return .failure(e)
        }
        let digits = currency.minorUnitDigits
        let fraction = Array(number.fraction.utf8)
        var minor: Int64 = 0
        for d in number.whole.utf8.drop(while: { $0 == UInt8(ascii: "0") }) + fraction.prefix(digits) + Array(repeating: UInt8(ascii: "0"), count: max(0, digits - fraction.count)) {
            let (m, o1) = minor.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d - 48))
            guard !o1, !o2, a <= maximumMinorUnits else { return .failure(tooLarge) }
            minor = a
        }
        let extra = fraction.dropFirst(digits)
        let rounded = extra.contains { $0 != UInt8(ascii: "0") }
        if let next = extra.first, next >= UInt8(ascii: "5") { minor += 1 }
        guard minor <= maximumMinorUnits else { return .failure(tooLarge) }
        return .success((Money(minorUnits: number.negative ? -minor : minor, currency: currency), rounded))
    }

    private static let tooLarge = NumberError("is beyond the largest amount accepted (10^15 minor units, ten trillion dollars in cents)")

    /// ``read(_:currency:separator:)`` without the reason: `nil` for anything that is not an amount.
    public static func parse(_ text: some StringProtocol, currency: Currency, separator: DecimalSeparator = .point) -> Money? {
        try? read(text, currency: currency, separator: separator).get().money
    }

    /// The amount as a plain decimal string with the currency's number of decimals (`12.30`).
    public var decimalString: String { currency.decimalString(minorUnits: minorUnits) }
}

/// An ISO 4217 currency code with its number of minor-unit digits.
public struct Currency: Sendable, Hashable, CustomStringConvertible {
    public let code: String

    /// `nil` unless `code` is an ISO 4217 currency code (``CurrencyCodes``); lowercase is
    /// accepted and uppercased.
    public init?(_ code: some StringProtocol) {
        let upper = code.uppercased()
        guard upper.utf8.count == 3, CurrencyCodes.active.contains(upper) else { return nil }
        self.code = upper
    }

    /// The currency a symbol (`$`, `€`, `₫`, `S$`…) or a code (`usd`) denotes, from the table in
    /// ``CurrencyCodes/symbols``; nil for anything else.
    public static func denoted(by text: String) -> Currency? {
        if let code = CurrencyCodes.symbols[text] { return Currency(code) }
        return Currency(text)
    }

    public var description: String { code }

    /// ISO 4217's minor unit: 0 for JPY, VND, KRW…, 3 for the dinars (KWD, BHD…), 4 for the
    /// Unidad de Fomento (CLF, UYW), else 2.
    public var minorUnitDigits: Int {
        if Currency.zeroDecimal.contains(code) { return 0 }
        if Currency.threeDecimal.contains(code) { return 3 }
        if code == "CLF" || code == "UYW" { return 4 }
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
