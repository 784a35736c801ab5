import Testing
import ChannelKit

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

    @Test func currencyCodesAreThreeLetters() {
        #expect(Currency("usd")?.code == "USD")
        #expect(Currency("US") == nil)
        #expect(Currency("U$D") == nil)
    }

    @Test func overflowIsRefusedNotWrapped() {
        #expect(Money.parse("99999999999999999999", currency: usd) == nil)
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
