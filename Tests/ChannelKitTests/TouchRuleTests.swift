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
        let t = RawTouch(landingPage: "https://shop.example.com/p?utm_source=x&GCLID=abc&ref&gclid=2&#top")
        #expect(t.landingParameters == ["utm_source", "gclid", "ref"])
        #expect(RawTouch(landingPage: "https://shop.example.com/p").landingParameters.isEmpty)
        #expect(RawTouch(landingPage: "https://shop.example.com/p?=x&&").landingParameters.isEmpty)
    }

    /// Second route: the parameter names from the byte walk equal a character-by-character
    /// reading (the code it replaced, kept here) for every URL tail of up to six characters over
    /// the characters that mean something in a query, letters of both cases and a non-ASCII one.
    @Test func parameterNamesAgreeWithACharacterByCharacterReading() {
        func reference(_ url: String) -> [String] {
            let b = url.utf8
            guard let q = b.firstIndex(of: UInt8(ascii: "?")) else { return [] }
            var names: [String] = [], name: [UInt8] = [], inName = true
            func add() {
                let text = String(decoding: name, as: UTF8.self)
                if !name.isEmpty && !names.contains(text) { names.append(text) }
                name.removeAll()
            }
            for c in b[b.index(after: q)...] {
                if c == UInt8(ascii: "#") { break }
                if c == UInt8(ascii: "&") { add(); inName = true } else if c == UInt8(ascii: "=") { inName = false } else if inName {
                    name.append(c >= 65 && c <= 90 ? c + 32 : c)
                }
            }
            add()
            return names
        }
        let alphabet = ["?", "&", "=", "#", "a", "B", "é"]
        var tails = [""], frontier = [""]
        for _ in 0..<6 {
            frontier = frontier.flatMap { t in alphabet.map { t + $0 } }
            tails += frontier
        }
        for tail in tails {
            let url = "https://x.example/p" + tail
            #expect(RawTouch.parameterNames(of: url) == reference(url), "\(url)")
        }
    }

    /// Second route: the byte-walking host tests against the plain string code they replaced
    /// (`host == d || host.hasSuffix("." + d)`; `split(separator: ".").dropLast()`), over every
    /// host of up to four labels from a small set — empty labels (leading, trailing and double
    /// dots) and near-misses among them — and every domain and name from the same set.
    @Test func hostMatchingAgreesWithTheStringRoute() {
        let labels = ["", "google", "com", "vn", "facebook", "l", "notfacebook", "go"]
        var hosts = [""]
        var frontier = [""]
        for depth in 1...4 {
            frontier = frontier.flatMap { h in labels.map { depth == 1 ? $0 : h + "." + $0 } }
            hosts += frontier
        }
        let domains = ["google", "com", "facebook.com", "google.com.vn", "l.facebook.com", "vn", ".com", ""]
        for host in Set(hosts) {
            for domain in domains {
                #expect(RawTouch.host(host, isOrIsUnder: domain) == (host == domain || host.hasSuffix("." + domain)), "\(host) / \(domain)")
            }
            for names in [["google"], ["com"], ["go", "vn"], ["facebook", "l"], [""]] {
                let expected = host.split(separator: ".").dropLast().contains { names.contains(String($0)) }
                #expect(RawTouch.host(host, hasLabelBeforeTheLastIn: names) == expected, "\(host) / \(names)")
            }
        }
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
        #expect(header.index(of: "day") == 0 && header.index(of: "spend") == 1 && header.index(of: "clicks") == nil)
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
