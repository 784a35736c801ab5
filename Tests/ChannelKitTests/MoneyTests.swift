import Testing
import ChannelKit
import Foundation
import TestSupport

@Suite struct MoneyTests {
    let usd = Currency("USD")!

    @Test(arguments: [
        ("1234.56", 123_456), ("1,234.56", 123_456), ("$1,234.56", 123_456), ("12.5", 1250), ("12", 1200), ("0.004", 0), ("0.005", 1),
        ("-3.20", -320), ("1234.56 USD", 123_456), (".5", 50),
    ] as [(String, Int64)])
    func parsesDecimalAmountsIntoMinorUnits(_ text: String, _ minor: Int64) {
        #expect(Money.parse(text, currency: usd)?.minorUnits == minor)
    }

    @Test(arguments: ["", "abc", "1.2.3", "12-3", "1.234,56", "€12", "--1"])
    func refusesWhatIsNotAnAmount(_ text: String) {
        #expect(Money.parse(text, currency: usd) == nil)
    }

    @Test func usesTheCurrencysMinorUnit() {
        #expect(Money.parse("125000", currency: Currency("VND")!)?.minorUnits == 125_000)
        #expect(Money.parse("1.5", currency: Currency("JPY")!)?.minorUnits == 2)
        #expect(Money.parse("1.2345", currency: Currency("KWD")!)?.minorUnits == 1235)
        #expect(Currency("KWD")!.decimalString(minorUnits: 1235) == "1.235")
        #expect(Currency("VND")!.decimalString(minorUnits: 125_000) == "125000")
        #expect(usd.decimalString(minorUnits: -5) == "-0.05")
        #expect(usd.decimalString(minorUnits: 123_456) == "1234.56")
    }

    @Test func currencyCodesAreISO4217() {
        #expect(Currency("usd")?.code == "USD")
        #expect(Currency("US") == nil)
        #expect(Currency("U$D") == nil)
        // Three letters are not enough: the code must be one ISO 4217 lists for money in use.
        #expect(Currency("XYZ") == nil && Currency("ABC") == nil && Currency("XAU") == nil && Currency("XXX") == nil)
        #expect(Currency("VND") != nil && Currency("CLF")?.minorUnitDigits == 4)
    }

    @Test func overflowIsRefusedNotWrapped() {
        #expect(Money.parse("99999999999999999999", currency: usd) == nil)
        // One minor unit above Int64's range, and the same through the fraction: refused, no trap.
        #expect(Money.parse("92233720368547758.08", currency: usd) == nil)
        #expect(Money.parse("9223372036854775808", currency: Currency("VND")!) == nil)
        #expect(Money.parse("-9223372036854775809", currency: Currency("VND")!) == nil)
        // The documented limit: 10^15 minor units in, one more out.
        #expect(Money.parse("10000000000000.00", currency: usd)?.minorUnits == Money.maximumMinorUnits)
        #expect(Money.parse("10000000000000.01", currency: usd) == nil)
        #expect(Money.parse("10000000000000.005", currency: usd) == nil)
    }

    /// The amounts issue 23 found misread, each refused now (in a USD column, decimal point).
    @Test(arguments: ["12,50", "1,2,3", "1E3", "1.5E3", "12USD50", "12.50 EUR", "EUR 12.50", "€12", "S$12", "12.", "1,23.45",
                      "1,2345.00", "12 50", "$-", "--1", "+-1", "12.50-", "١٢", "1.234,56", "(12.00)", "12.50 US"])
    func misreadAmountsAreRefused(_ text: String) {
        #expect(Money.parse(text, currency: usd) == nil, "\(text)")
    }

    @Test func refusalsSayWhy() {
        func reason(_ text: String, _ currency: Currency = Currency("USD")!, _ separator: DecimalSeparator = .point) -> String? {
            if case .failure(let e) = Money.read(text, currency: currency, separator: separator) { return e.reason }
            return nil
        }
        #expect(reason("12,50")!.contains("--decimal-comma"))
        #expect(reason("1E3")!.contains("exponent"))
        #expect(reason("12.50 EUR") == "is in EUR, but the column is in USD")
        #expect(reason("$12", Currency("SGD")!) == "is in USD, but the column is in SGD")
        #expect(reason("1,2,3")!.contains("thousands") || reason("1,2,3")!.contains("comma"))
        #expect(reason("12USD50")!.hasPrefix("is not a number"))
    }

    @Test(arguments: [
        ("12,50", 1250), ("1.234,56", 123_456), ("1 234,56", 123_456), ("1\u{A0}234,56 €", 123_456), ("€ 1.234.567,8", 123_456_780),
        ("-3,20", -320), (",5", 50), ("12", 1200),
    ] as [(String, Int64)])
    func aDecimalCommaIsReadWhenSaid(_ text: String, _ minor: Int64) {
        #expect(Money.parse(text, currency: Currency("EUR")!, separator: .comma)?.minorUnits == minor, "\(text)")
    }

    @Test(arguments: ["1,234.56", "12.50.1", "1.23", "12,5,0"])
    func aDecimalCommaFileRefusesPointAmounts(_ text: String) {
        #expect(Money.parse(text, currency: Currency("EUR")!, separator: .comma) == nil, "\(text)")
    }

    @Test func symbolsAndCodesMustDenoteTheColumnsCurrency() {
        #expect(Money.parse("$12.50", currency: usd)?.minorUnits == 1250)
        #expect(Money.parse("US$12.50", currency: usd)?.minorUnits == 1250)
        #expect(Money.parse("-$12.50", currency: usd)?.minorUnits == -1250)
        #expect(Money.parse("12.50 usd", currency: usd)?.minorUnits == 1250)
        #expect(Money.parse("S$12.50", currency: Currency("SGD")!)?.minorUnits == 1250)
        #expect(Money.parse("125.000 ₫", currency: Currency("VND")!, separator: .comma)?.minorUnits == 125_000)
        #expect(Money.parse("₫125,000", currency: Currency("VND")!)?.minorUnits == 125_000)
        #expect(Money.parse("$12.50", currency: Currency("SGD")!) == nil)
        #expect(Money.parse("£12.50", currency: Currency("EUR")!) == nil)
        // Every symbol in the table denotes an accepted currency, and the docs list each one.
        #expect(CurrencyCodes.symbols.values.allSatisfy { Currency($0) != nil })
        let docs = (try? String(contentsOfFile: packageRoot() + "/docs/validation.md", encoding: .utf8)) ?? ""
        for (symbol, code) in CurrencyCodes.symbols { #expect(docs.contains("| `\(symbol)` | \(code) |"), "\(symbol)") }
    }

    @Test func digitsBeyondTheMinorUnitAreRoundedAndSaidSo() throws {
        let six = try Money.read("12.345678", currency: usd).get()
        #expect(six.money.minorUnits == 1235 && six.rounded)
        let down = try Money.read("0.004999", currency: usd).get()
        #expect(down.money.minorUnits == 0 && down.rounded)
        let zeros = try Money.read("12.500000", currency: usd).get()
        #expect(zeros.money.minorUnits == 1250 && !zeros.rounded)
        let exact = try Money.read("12.5", currency: usd).get()
        #expect(!exact.rounded)
        #expect(try Money.read("-0.005", currency: usd).get().money.minorUnits == -1)  // half away from zero
    }

    /// Any amount in range, written any way the grammar allows, reads back exactly.
    @Test func everyWellFormedAmountReadsBackExactly() {
        var rng = SplitMix(seed: 23)
        for _ in 0..<5_000 {
            let minor = Int64.random(in: -Money.maximumMinorUnits...Money.maximumMinorUnits, using: &rng)
            let plain = usd.decimalString(minorUnits: minor)
            let negative = plain.hasPrefix("-")
            let digits = negative ? String(plain.dropFirst()) : plain
            let whole = String(digits.prefix { $0 != "." }), fraction = String(digits.drop { $0 != "." })
            var grouped = ""
            for (i, c) in whole.enumerated() {
                if i > 0 && (whole.count - i) % 3 == 0 { grouped.append(",") }
                grouped.append(c)
            }
            let sign = negative ? "-" : ""
            for text in [plain, sign + grouped + fraction, sign + "$" + grouped + fraction, plain + " USD", "USD " + plain] {
                #expect(Money.parse(text, currency: usd)?.minorUnits == minor, "\(text)")
            }
            let comma = sign + grouped.replacingOccurrences(of: ",", with: ".") + fraction.replacingOccurrences(of: ".", with: ",")
            #expect(Money.parse(comma, currency: usd, separator: .comma)?.minorUnits == minor, "\(comma)")
        }
    }
}

@Suite struct CampaignKeyTests {
    @Test(arguments: [
        ("Tet Sale 2026", "tet_sale_2026"), ("tet_sale_2026", "tet_sale_2026"), ("  Tết -- Sale!! 2026 ", "tết_sale_2026"),
        ("Q1/Demand Gen", "q1_demand_gen"), ("!!!", ""),
    ])
    func normalisesNamesSoExportsAndUTMTagsMatch(_ name: String, _ key: String) {
        #expect(CampaignRef.key(for: name) == key)
    }
}
