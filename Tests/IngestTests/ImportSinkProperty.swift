import Foundation
import Testing
import ChannelKit
import ChannelRegistry
import TestSupport
import ChannelTestKit
@testable import Warehouse
@testable import Ingest

/// Property of the import sink: whatever the order of the files — leads, lead merges (the same
/// person under another key with the same email), touches and conversions in overlapping
/// chunks, files read again, runs rolled back half way (what a kill leaves) — once every file
/// has landed the tables are those of one clean import in the natural order.
@Suite struct ImportSinkProperty {
    struct DataSet {
        var leads: [String] = [], touches: [String] = [], conversions: [String] = []
    }

    /// Order-free data: a lead's attributes are the same in every record that has them, touch
    /// times are distinct per lead, a conversion's revenue the same wherever it appears.
    static func dataSet(_ rng: inout SplitMix) -> DataSet {
        var d = DataSet()
        let sources = [("google", "organic"), ("facebook", "paid_social"), ("newsletter", "email"), ("", ""), ("partner", "referral")]
        let kinds = ["visit", "click", "form_submit", "download"]
        for n in 1...40 {
            let email = n % 7 == 0 ? "" : "p\(n)@example.com"
            let country = ["VN", "SG", ""][n % 3]
            let created = 1_767_225_600 + n * 3_600
            let record = { (key: String, day: Int, full: Bool) in
                "\(key),\(Timestamp(secondsSinceEpoch: Int64(created + day * 86_400))),\(email),\(full ? country : ""),\(full ? "25-34" : "")"
            }
            d.leads.append(record("L\(n)", Int(rng.next() % 3), rng.next() % 2 == 0))
            // The same person again under a form's key: merged by email (or a second lead when there is none).
            if rng.next() % 3 == 0 { d.leads.append(record("F\(n)", Int(rng.next() % 3), rng.next() % 2 == 0)) }
            var second = created
            for _ in 0..<Int(rng.next() % 5) {
                second += 1 + Int(rng.next() % 200_000)
                let (source, medium) = sources[Int(rng.next() % UInt64(sources.count))]
                let page = rng.next() % 2 == 0 ? "https://shop.test/p?utm_source=\(source)&gclid=G\(rng.next() % 1000)" : "https://shop.test/"
                d.touches.append("\(Timestamp(secondsSinceEpoch: Int64(second))),L\(n),\(source),\(medium),,,\(page),\(kinds[Int(rng.next() % 4)])")
            }
            if rng.next() % 4 == 0 {
                d.conversions.append("L\(n),\(Timestamp(secondsSinceEpoch: Int64(second + 3_600))),\(n).50,USD,ORD-\(n)")
            }
        }
        return d
    }

    static let headers = (leads: "lead_id,created_at,email,country,age_band", touches: "occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event",
                          conversions: "lead_id,converted_at,revenue,currency,conversion_id")

    /// Every table that holds facts or rows derived from them, ids replaced by what they stand for.
    static let comparisons: [String] = {
        let lead = { (column: String) in "(SELECT min(key) FROM lead_keys k WHERE k.lead_id = \(column))" }
        return [
            // Hashes are salted per warehouse: whether a lead has one, and how many leads share none.
            "SELECT \(lead("id")), created_at, email_hash IS NOT NULL, country, age_band FROM leads",
            "SELECT key, \(lead("lead_id")) FROM lead_keys",
            "SELECT \(lead("lead_id")), occurred_at, channel_id, kind, utm_source, utm_medium, landing_page, click_ids FROM touchpoints",
            "SELECT \(lead("lead_id")), converted_at, revenue_minor, external_id FROM conversions",
            "SELECT \(lead("lead_id")), created_at, first_channel, first_touch_at, first_converted_at FROM lead_firsts",
            "SELECT \(lead("lead_id")), created_at, hex(touches), hex(conversions) FROM lead_journeys",
        ]
    }()

    func tables(_ f: Fixture) throws -> [[String]] {
        try Self.comparisons.map { sql in try f.rows(sql).map { $0.joined(separator: "|") }.sorted() }
    }

    @Test(arguments: 0..<6) func anyInterleavingLandsWhatOneCleanImportDoes(seed: Int) throws {
        var rng = SplitMix(seed: UInt64(seed) &+ 2_024)
        let d = Self.dataSet(&rng)
        let clean = try Fixture()
        try clean.importText("leads", "leads.csv", ([Self.headers.leads] + d.leads).joined(separator: "\n") + "\n")
        try clean.importText("touches", "touches.csv", ([Self.headers.touches] + d.touches).joined(separator: "\n") + "\n")
        try clean.importText("conversions", "conversions.csv", ([Self.headers.conversions] + d.conversions).joined(separator: "\n") + "\n")

        // The same rows in overlapping chunks, in a shuffled order.
        var files: [(source: String, name: String, text: String)] = []
        for (source, header, rows) in [("leads", Self.headers.leads, d.leads), ("touches", Self.headers.touches, d.touches),
                                       ("conversions", Self.headers.conversions, d.conversions)] {
            var start = 0
            while start < rows.count {
                let end = min(rows.count, start + 1 + Int(rng.next() % 12))
                let from = max(0, start - Int(rng.next() % 3))  // overlapping the chunk before
                files.append((source, "\(source)-\(files.count).csv", ([header] + rows[from..<end]).joined(separator: "\n") + "\n"))
                start = end
            }
        }
        files.shuffle(using: &rng)
        let mixed = try Fixture()
        for (i, file) in files.enumerated() {
            try mixed.importText(file.source, file.name, file.text)
            if rng.next() % 4 == 0 { try mixed.importText(file.source, file.name, file.text, again: rng.next() % 2 == 0) }
            if rng.next() % 3 == 0 {
                // A run killed half way: some of a later file's facts written, then undone.
                let before = try tables(mixed)
                let sink = try mixed.warehouse.beginImport(.file(source: "touches", format: "web-touches", fileName: "killed-\(i).csv"),
                                                           bytes: rng.next() % 2 == 0 ? 0 : .max)
                let lead = try sink.leads.upsert(LeadRecord(key: "K\(i)", createdAt: Timestamp(secondsSinceEpoch: 5)), emailHash: nil, phoneHash: nil).id
                _ = try sink.touches.insert((0..<70).map { TouchRow(leadID: lead, at: Timestamp(secondsSinceEpoch: Int64($0)), channel: "direct", campaignID: nil, kind: .visit) })
                if let known = try sink.leads.leadID(forKey: "L1") {
                    _ = try sink.facts.insertConversion(leadID: known, at: Timestamp(secondsSinceEpoch: 9), revenue: Money(minorUnits: 1, currency: Currency("USD")!), externalID: "X\(i)")
                }
                sink.rollback()
                #expect(try tables(mixed) == before)
            }
        }
        // Rows refused while their lead was unknown land once the files are read again.
        for file in files where file.source != "leads" { try mixed.importText(file.source, file.name, file.text, again: true) }

        let expected = try tables(clean), got = try tables(mixed)
        for (i, sql) in Self.comparisons.enumerated() { #expect(got[i] == expected[i], "\(sql)") }
        #expect(try mixed.rows("SELECT count(DISTINCT email_hash) FROM leads") == clean.rows("SELECT count(DISTINCT email_hash) FROM leads"))
        #expect(try mixed.rows("PRAGMA foreign_key_check").isEmpty)
        // Second route for the derived rows: plain SQL for the first touch, a full rebuild for the rest.
        #expect(try mixed.rows("""
            SELECT count(*) FROM lead_firsts f WHERE f.first_touch_at IS NOT (SELECT min(occurred_at) FROM touchpoints t WHERE t.lead_id = f.lead_id)
               OR f.first_channel IS NOT (SELECT channel_id FROM touchpoints t WHERE t.lead_id = f.lead_id ORDER BY occurred_at, id LIMIT 1)
            """) == [["0"]])
        let derived = try tables(mixed)
        try mixed.warehouse.refreshDerivedLeadColumns()
        #expect(try tables(mixed) == derived)
        #expect(try clean.count("touchpoints") == d.touches.count)
    }
}
