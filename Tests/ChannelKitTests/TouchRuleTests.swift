import Testing
@testable import ChannelKit

@Suite struct RawTouchTests {
    @Test(arguments: [
        ("https://www.google.com/search?q=x", "google.com"), ("http://l.facebook.com/l.php?u=1", "l.facebook.com"),
        ("HTTPS://WWW.Bing.com:443/", "bing.com"), ("//t.co/abc", "t.co"), ("coccoc.com", "coccoc.com"), ("", ""),
        ("https://user@zalo.me/", "zalo.me"),
    ])
    func extractsTheReferrerHost(_ url: String, _ host: String) {
        #expect(RawTouch(referrer: url).referrerHost == host)
    }

    @Test func extractsLandingParameters() {
        let t = RawTouch(landingPage: "https://shop.example.com/p?utm_source=x&GCLID=abc&ref#top")
        #expect(t.landingParameters == ["utm_source", "gclid", "ref"])
    }

    @Test func normalisesTags() {
        let t = RawTouch(source: " Facebook ", medium: "Paid_Social")
        #expect(t.source == "facebook" && t.medium == "paid_social")
        #expect(!t.isUntagged)
        #expect(RawTouch().isUntagged)
    }
}

@Suite struct TouchRuleTests {
    @Test func domainRulesMatchSubdomainsOnly() {
        let rule = TouchRule.referrerDomain(["facebook.com"])
        #expect(rule.matches(RawTouch(referrer: "https://m.facebook.com/")))
        #expect(rule.matches(RawTouch(referrer: "https://facebook.com/")))
        #expect(!rule.matches(RawTouch(referrer: "https://notfacebook.com/")))
    }

    @Test func nameRulesMatchAcrossCountryDomains() {
        let rule = TouchRule.referrerName(["google"])
        #expect(rule.matches(RawTouch(referrer: "https://www.google.com.vn/")))
        #expect(rule.matches(RawTouch(referrer: "https://google.co.uk/")))
        #expect(!rule.matches(RawTouch(referrer: "https://googleads.example.com/")))
    }

    @Test func combinatorsCompose() {
        let rule = TouchRule.all([.source(["facebook"]), .not(.medium(["email"]))])
        #expect(rule.matches(RawTouch(source: "facebook")))
        #expect(!rule.matches(RawTouch(source: "facebook", medium: "email")))
        #expect(TouchRule.any([]).matches(RawTouch()) == false)
        #expect(TouchRule.noMedium.matches(RawTouch(source: "x")))
        #expect(rule.description == "(utm_source=facebook and not utm_medium=email)")
    }
}

@Suite struct HeaderResolutionTests {
    let columns = [
        ColumnSpec("day", names: ["Day", "Reporting starts"], description: ""),
        ColumnSpec("spend", names: ["Amount spent"], prefix: true, description: ""),
        ColumnSpec("clicks", names: ["Link clicks"], required: false, description: ""),
    ]

    @Test func matchesCaseInsensitivelyWithAliasesAndPrefixes() throws {
        let header = try #require(columns.resolve(header: [" reporting STARTS", "Amount spent (EUR)", "Other"]))
        #expect(header.indexByKey == ["day": 0, "spend": 1])
        let row = SourceRow(line: 2, fields: ["2026-01-05", "12.50", "x"], header: header)
        #expect(row.headerText("spend") == "Amount spent (EUR)")
        #expect(row.value("clicks") == nil)
        #expect(try row.count("clicks") == 0)
    }

    @Test func missingRequiredColumnMeansNoMatch() {
        #expect(columns.resolve(header: ["Day", "Link clicks"]) == nil)
        #expect(columns.requiredList == "\"Day\", \"Amount spent…\"")
    }

    @Test func rowErrorsNameTheColumn() throws {
        let header = try #require(columns.resolve(header: ["Day", "Amount spent (USD)"]))
        let row = SourceRow(line: 7, fields: ["2026-02-30", "-4"], header: header)
        #expect(throws: RowError(column: 1, columnName: "Day", reason: "\"2026-02-30\" is not a date; expected YYYY-MM-DD or M/D/YYYY")) {
            try row.day("day")
        }
        #expect(throws: RowError(column: 2, columnName: "Amount spent (USD)", reason: "\"-4\" is negative; a cost cannot be negative")) {
            try row.money("spend", currency: Currency("USD")!)
        }
    }
}
