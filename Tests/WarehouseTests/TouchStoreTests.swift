import Foundation
import Testing
import ChannelKit
import TestSupport
@testable import Warehouse

/// The narrow touch store (core.14): an old warehouse migrates to it and its `touchpoints` view
/// reads as the table did, with the documented exceptions only.
@Suite struct TouchStoreMigrationTests {
    /// RFC 4180 fields of one `sqlite3 -csv` line (quotes doubled inside quoted fields).
    static func fields(_ line: Substring) -> [String] {
        var fields: [String] = [], field = "", quoted = false, chars = Array(line), i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" { if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false } } else { field.append(c) }
            } else if c == "\"" { quoted = true } else if c == "," { fields.append(field); field = "" } else { field.append(c) }
            i += 1
        }
        fields.append(field)
        return fields
    }

    /// A URL's parts as an independent parser (Foundation's) sees them: everything but the query,
    /// and the query's parameters as a multiset.
    static func parts(_ url: String) -> (rest: String, parameters: [String]) {
        guard var components = URLComponents(string: url) else { return (url, []) }
        let parameters = (components.percentEncodedQuery ?? "").split(separator: "&", omittingEmptySubsequences: false).map(String.init).sorted()
        components.percentEncodedQuery = nil
        return (components.string ?? url, parameters)
    }

    @Test func theViewReadsAsTheOldTableDid() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("old.sqlite")
        try FileManager.default.copyItem(atPath: packageRoot() + "/Tests/Fixtures/core13-warehouse.sqlite", toPath: path)
        let before = try Database(path: path)
        func table(_ db: Database, _ sql: String) throws -> [String] {
            var rows: [String] = []
            try db.query(sql) { row in rows.append((0..<row.columnCount).map { row.text($0) ?? "∅" }.joined(separator: "|")) }
            return rows
        }
        let derivedSQL = ["SELECT * FROM lead_firsts ORDER BY lead_id", "SELECT lead_id, created_at, opportunity_at, customer_at, hex(touches), hex(conversions) FROM lead_journeys ORDER BY lead_id"]
        let derivedBefore = try derivedSQL.map { try table(before, $0) }
        let countsBefore = try ["leads", "campaigns", "lead_keys", "conversions", "import_runs", "rejects"].map { try table(before, "SELECT count(*) FROM \($0)") }

        let w = try Warehouse(path: path, channels: [])
        #expect(try w.appliedMigrations().contains("core.14.narrow-touch-store"))
        // core.15: every cost and metric takes its run's format as its source.
        #expect(try w.db.scalarInt("SELECT count(*) FROM costs WHERE source_key = ''") == 0)
        #expect(try w.db.scalarInt("SELECT count(*) FROM costs") ?? 0 > 0)
        #expect(try w.db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name = 'touchpoints' AND type = 'view'") == 1)

        let expected = try String(contentsOfFile: packageRoot() + "/Tests/Fixtures/core13-touchpoints.csv", encoding: .utf8)
            .split(separator: "\n").map { Self.fields($0) }
        var columns: [String] = []
        try w.db.query("SELECT name FROM pragma_table_info('touchpoints')") { columns.append($0.text(0) ?? "") }
        // Today's columns in today's order, then the one the store adds.
        #expect(columns == expected[0] + ["click_ids"])
        var actual: [[String?]] = []
        try w.db.query("SELECT * FROM touchpoints ORDER BY id") { row in actual.append((0..<row.columnCount).map { row.text($0) }) }
        #expect(actual.count == expected.count - 1 && actual.count == 1_226)
        let page = columns.firstIndex(of: "landing_page")!, clicks = columns.firstIndex(of: "click_ids")!
        var split = 0
        for (old, new) in zip(expected.dropFirst(), actual) {
            // Every column but the landing page: the same value (sqlite3 prints NULL as an empty field).
            for i in old.indices where i != page { #expect(old[i] == (new[i] ?? ""), "\(columns[i]) of touch \(old[0])") }
            let oldPage = old[page]
            guard let clickIDs = new[clicks] else {
                #expect((new[page] ?? "") == oldPage)
                continue
            }
            split += 1
            // The page and the click ids hold the old URL's parameters between them, and the
            // click ids only the click identifiers.
            let (oldRest, oldParameters) = Self.parts(oldPage)
            let (newRest, newParameters) = Self.parts(new[page] ?? "")
            let clickParameters = clickIDs.split(separator: "&").map(String.init)
            #expect(newRest == oldRest)
            #expect((newParameters.filter { !$0.isEmpty } + clickParameters).sorted() == oldParameters.filter { !$0.isEmpty })
            #expect(clickParameters.allSatisfy { ClickIDs.parameters.contains(String($0.prefix { $0 != "=" }).lowercased()) })
            #expect(newParameters.allSatisfy { !ClickIDs.parameters.contains(String($0.prefix { $0 != "=" }).lowercased()) })
        }
        #expect(split == 28 + 64 + 22)  // the fixture's landing pages with a gclid, an fbclid or a li_fat_id
        // Everything else as it was; the derived rows as before and as a full rebuild makes them.
        #expect(try ["leads", "campaigns", "lead_keys", "conversions", "import_runs", "rejects"].map { try table(w.db, "SELECT count(*) FROM \($0)") } == countsBefore)
        #expect(try derivedSQL.map { try table(w.db, $0) } == derivedBefore)
        try w.refreshDerivedLeadColumns()
        #expect(try derivedSQL.map { try table(w.db, $0) } == derivedBefore)
        #expect(try w.db.scalarInt("SELECT count(*) FROM pragma_foreign_key_check") == 0)
        // No click id is left in the dictionary of tags.
        #expect(try w.db.scalarInt("SELECT count(*) FROM touch_tags WHERE value LIKE '%clid=%' OR value LIKE '%li_fat_id=%'") == 0)
        #expect(try w.db.scalarText("SELECT value FROM settings WHERE key = 'next_touch_id'") == "1227")
    }
}

/// Click identifiers come out of a landing page and go back in without loss but their place.
@Suite struct ClickIDTests {
    @Test(arguments: [
        ("https://x.test/p?utm_source=g&gclid=AB-1&utm_medium=cpc", "https://x.test/p?utm_source=g&utm_medium=cpc", "gclid=AB-1"),
        ("https://x.test/?GCLID=1&fbclid=2", "https://x.test/", "GCLID=1&fbclid=2"),
        ("https://x.test/?a=1&msclkid=z#top", "https://x.test/?a=1#top", "msclkid=z"),
        ("https://x.test/?a=1&b=2", "https://x.test/?a=1&b=2", nil),
        ("https://x.test/offer", "https://x.test/offer", nil),
        ("https://x.test/?gclidx=1&xgclid=2", "https://x.test/?gclidx=1&xgclid=2", nil),
        ("/landing?wbraid=w&gbraid=g&dclid=d", "/landing", "wbraid=w&gbraid=g&dclid=d"),
    ] as [(String, String, String?)])
    func splitsTheKnownIdentifiersOnly(url: String, page: String, clickIDs: String?) {
        let split = ClickIDs.split(url)
        #expect(split.page == page && split.clickIDs == clickIDs)
        // Joined again: the same parameters, the click ids at the end of the query.
        #expect(ClickIDs.split(ClickIDs.join(page: split.page, clickIDs: split.clickIDs)) == split)
    }

    /// Property: for any URL, the page and the click ids together hold exactly its parameters.
    @Test(arguments: 0..<4) func pageAndClickIDsHoldEveryParameter(seed: Int) {
        var rng = SplitMix(seed: UInt64(seed) &+ 101)
        let names = ["gclid", "utm_source", "fbclid", "ref", "MSCLKID", "a", "", "ttclid"]
        for _ in 0..<500 {
            let count = Int(rng.next() % 5)
            let parameters = (0..<count).map { _ in names[Int(rng.next() % UInt64(names.count))] + (rng.next() % 3 == 0 ? "" : "=v\(rng.next() % 9)") }
            let url = "https://s.test/p" + (count > 0 || rng.next() % 2 == 0 ? "?" + parameters.joined(separator: "&") : "") + (rng.next() % 4 == 0 ? "#f" : "")
            let (page, clickIDs) = ClickIDs.split(url)
            func query(_ u: String) -> [String] {
                let beforeFragment = u.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                let halves = beforeFragment.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
                return halves.count < 2 ? [] : halves[1].split(separator: "&", omittingEmptySubsequences: false).map(String.init)
            }
            let pageParameters = query(page)
            let clicks = clickIDs.map { $0.split(separator: "&", omittingEmptySubsequences: false).map(String.init) } ?? []
            let original = query(url)
            if clickIDs == nil { #expect(page == url) } else { #expect((pageParameters + clicks).sorted() == original.sorted(), "\(url)") }
            #expect(url.hasSuffix("#f") == page.hasSuffix("#f"))
        }
    }
}
