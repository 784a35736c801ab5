import Foundation
import Testing
import ChannelKit
import ChannelRegistry
import Ingest
import TestSupport
import Warehouse
@testable import Snapshots

/// A merge goes through the same import sink as files: merging a second warehouse's snapshot
/// lands exactly what importing that warehouse's files would have landed — leads merged by key
/// and email (a lead that gained an email and a phone in the second gains them here), touches
/// and stages not doubled, revenue and rates restated, and every derived row the same.
@Suite struct SnapshotMergeTests {
    static let first: [(source: String, name: String, text: String)] = [
        ("leads", "leads1.csv", """
            lead_id,created_at,email,phone,country,industry
            L1,2026-01-10T09:00:00Z,,,VN,
            L2,2026-01-11T09:00:00Z,binh@example.com,+84 90 111 2222,VN,retail
            L3,2026-01-12T09:00:00Z,chi@example.com,,SG,
            """),
        ("touches", "touches1.csv", """
            occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event
            2026-01-10T08:00:00Z,L1,facebook,paid_social,tet_sale,https://l.facebook.com/,https://shop.example.com/?fbclid=A1,visit
            2026-01-11T08:00:00Z,L2,google,organic,,https://www.google.com/,https://shop.example.com/,visit
            2026-01-12T08:00:00Z,L3,newsletter,email,jan_news,,https://shop.example.com/news,visit
            """),
        ("conversions", "conversions1.csv", """
            lead_id,converted_at,revenue,currency,conversion_id
            L2,2026-01-20T10:00:00Z,120.00,USD,ORD-1
            """),
        ("rates", "rates1.csv", """
            day,currency,target,rate
            2026-01-01,VND,USD,0.0000394
            """),
    ]

    static let second: [(source: String, name: String, text: String)] = [
        ("leads", "leads2.csv", """
            lead_id,created_at,email,phone,country,industry
            L1,2026-01-09T09:00:00Z,an@example.com,+84 90 333 4444,,education
            L4,2026-01-15T09:00:00Z,dung@example.com,,VN,
            L5,2026-01-16T09:00:00Z,chi@example.com,,,finance
            """),
        ("touches", "touches2.csv", """
            occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event
            2026-01-09T07:00:00Z,L1,google,cpc,brand,https://www.google.com/,https://shop.example.com/?gclid=G1,click
            2026-01-10T08:00:00Z,L1,facebook,paid_social,tet_sale,https://l.facebook.com/,https://shop.example.com/?fbclid=A1,visit
            2026-01-15T08:00:00Z,L4,facebook,paid_social,tet_sale,https://l.facebook.com/,https://shop.example.com/,form_submit
            2026-01-16T08:00:00Z,L5,newsletter,email,feb_news,,https://shop.example.com/news,visit
            """),
        ("conversions", "conversions2.csv", """
            lead_id,converted_at,revenue,currency,conversion_id
            L4,2026-01-25T10:00:00Z,80.50,USD,ORD-2
            L5,2026-01-26T10:00:00Z,40.00,USD,
            """),
        ("stages", "stages2.csv", """
            lead_id,stage,changed_at
            L1,mql,2026-01-13T10:00:00Z
            L4,customer,2026-01-25T10:00:00Z
            """),
        ("rates", "rates2.csv", """
            day,currency,target,rate
            2026-01-01,VND,USD,0.0000395
            2026-02-01,VND,USD,0.0000391
            """),
    ]

    func importFiles(_ files: [(source: String, name: String, text: String)], into w: Warehouse, dir: TemporaryDirectory) throws {
        let importer = try Importer(warehouse: w, channels: ChannelRegistry.all)
        for file in files {
            let result = try importer.importFile(source: file.source, path: dir.write(file.name, file.text + "\n"))
            #expect(result.counts.rejected == 0, "\(file.name): \(result.rejects)")
        }
    }

    /// Every table that holds facts or rows derived from them, with ids that differ between two
    /// warehouses (leads, campaigns, runs) replaced by what they stand for.
    static let comparisons: [String: String] = {
        let lead = { (column: String) in "(SELECT min(key) FROM lead_keys k WHERE k.lead_id = \(column))" }
        let campaign = { (column: String) in "(SELECT channel_id || '/' || key FROM campaigns c WHERE c.id = \(column))" }
        return [
            "leads": "SELECT \(lead("id")), created_at, email_hash, phone_hash, country, region, age_band, gender, income_band, industry, company_size, interests, source_label FROM leads",
            "lead_keys": "SELECT key, \(lead("lead_id")) FROM lead_keys",
            "campaigns": "SELECT channel_id, key, name, external_id FROM campaigns",
            "touchpoints": "SELECT \(lead("lead_id")), occurred_at, channel_id, \(campaign("campaign_id")), kind, utm_source, utm_medium, utm_campaign, referrer, landing_page FROM touchpoints",
            "conversions": "SELECT \(lead("lead_id")), converted_at, revenue_minor, currency, external_id FROM conversions",
            "lifecycle_stages": "SELECT \(lead("lead_id")), stage, changed_at FROM lifecycle_stages",
            "exchange_rates": "SELECT day, currency, target, rate FROM exchange_rates",
            "lead_firsts": "SELECT \(lead("lead_id")), created_at, first_channel, \(campaign("first_campaign_id")), first_touch_at, stage_mql_at, stage_sql_at, stage_opportunity_at, stage_customer_at, first_converted_at FROM lead_firsts",
            "lead_journeys": "SELECT \(lead("lead_id")), created_at, opportunity_at, customer_at, hex(touches), hex(conversions) FROM lead_journeys",
        ]
    }()

    func rows(_ w: Warehouse, _ sql: String) throws -> [String] {
        var rows: [String] = []
        try w.db.query(sql) { row in rows.append((0..<row.columnCount).map { row.text($0) ?? "∅" }.joined(separator: "|")) }
        return rows.sorted()
    }

    @Test func mergingASecondWarehouseLandsWhatItsFilesWould() throws {
        let dir = TemporaryDirectory()
        let merged = try Warehouse(path: dir.file("merged.sqlite"), channels: ChannelRegistry.all)
        // The other warehouses share its identifier salt (a merge needs it): each starts from its empty snapshot.
        try Snapshot.export(merged, to: dir.file("empty"), options: SnapshotOptions(), version: "test")
        let second = try Warehouse(path: dir.file("second.sqlite"), channels: ChannelRegistry.all)
        let byFiles = try Warehouse(path: dir.file("files.sqlite"), channels: ChannelRegistry.all)
        for w in [second, byFiles] { _ = try Snapshot.restore(dir.file("empty"), into: w, merge: false) }

        try importFiles(Self.first, into: merged, dir: dir)
        try importFiles(Self.second, into: second, dir: dir)
        try Snapshot.export(second, to: dir.file("second"), options: SnapshotOptions(), version: "test")
        let restored = try Snapshot.restore(dir.file("second"), into: merged, merge: true)
        #expect(restored.refusals.isEmpty)

        try importFiles(Self.first + Self.second, into: byFiles, dir: dir)

        for (table, sql) in Self.comparisons.sorted(by: { $0.key < $1.key }) {
            #expect(try rows(merged, sql) == rows(byFiles, sql), "\(table)")
        }
        // What the issue saw: the lead that gained an email and a phone in the second warehouse has them.
        let l1 = "SELECT email_hash IS NOT NULL AND phone_hash IS NOT NULL AND industry = 'education' FROM leads WHERE id = (SELECT lead_id FROM lead_keys WHERE key = 'L1')"
        #expect(try merged.db.scalarInt(l1) == 1)
        // L5 is L3 by email: one lead with both keys.
        #expect(try merged.db.scalarInt("SELECT count(DISTINCT lead_id) FROM lead_keys WHERE key IN ('L3', 'L5')") == 1)
        var problems = 0
        try merged.db.query("PRAGMA foreign_key_check") { _ in problems += 1 }
        #expect(problems == 0)
        // Merging the same snapshot again adds and changes nothing.
        let before = try Self.comparisons.values.map { try rows(merged, $0) }
        let again = try Snapshot.restore(dir.file("second"), into: merged, merge: true)
        #expect(again.rowsAdded.values.reduce(0, +) == 0 && again.rowsUpdated.values.reduce(0, +) == 0)
        #expect(try Self.comparisons.values.map { try rows(merged, $0) } == before)
    }

    /// A conflict the file rules refuse (an order id the warehouse knows on another lead) is
    /// reported as a refusal of that row; the rest of the snapshot lands.
    @Test func aConflictingRowIsRefusedAndNamed() throws {
        let dir = TemporaryDirectory()
        let target = try Warehouse(path: dir.file("target.sqlite"), channels: ChannelRegistry.all)
        try Snapshot.export(target, to: dir.file("empty"), options: SnapshotOptions(), version: "test")
        let other = try Warehouse(path: dir.file("other.sqlite"), channels: ChannelRegistry.all)
        _ = try Snapshot.restore(dir.file("empty"), into: other, merge: false)
        try importFiles(Array(Self.first.prefix(3)), into: target, dir: dir)
        try importFiles([Self.first[0], ("conversions", "c.csv", "lead_id,converted_at,revenue,currency,conversion_id\nL3,2026-01-21T10:00:00Z,5.00,USD,ORD-1")],
                        into: other, dir: dir)
        try Snapshot.export(other, to: dir.file("other"), options: SnapshotOptions(), version: "test")
        let restored = try Snapshot.restore(dir.file("other"), into: target, merge: true)
        #expect(restored.refusals == ["conversions row 1: this conversion id is already recorded for another lead"])
        #expect(try target.db.scalarInt("SELECT count(*) FROM conversions") == 1)
    }
}

/// Snapshots of format 1 (before the narrow touch store) still restore: their landing pages
/// lose their click ids to `click_ids` as a migrated warehouse's do.
@Suite struct FormatOneSnapshotTests {
    func rows(_ w: Warehouse, _ sql: String) throws -> [String] {
        var rows: [String] = []
        try w.db.query(sql) { row in rows.append((0..<row.columnCount).map { row.text($0) ?? "∅" }.joined(separator: "|")) }
        return rows
    }

    @Test func aFormatOneSnapshotRestoresAsTheMigratedWarehouseReads() throws {
        let dir = TemporaryDirectory()
        let fixtures = packageRoot() + "/Tests/Fixtures"
        try FileManager.default.copyItem(atPath: fixtures + "/core13-warehouse.sqlite", toPath: dir.file("migrated.sqlite"))
        let migrated = try Warehouse(path: dir.file("migrated.sqlite"), channels: ChannelRegistry.all)
        #expect(try Snapshot.verify(fixtures + "/core13-snapshot").manifest.formatVersion == 1)
        let restored = try Warehouse(path: dir.file("restored.sqlite"), channels: ChannelRegistry.all)
        _ = try Snapshot.restore(fixtures + "/core13-snapshot", into: restored, merge: false)
        for sql in ["SELECT * FROM touchpoints ORDER BY id", "SELECT * FROM lead_firsts ORDER BY lead_id",
                    "SELECT lead_id, hex(touches), hex(conversions) FROM lead_journeys ORDER BY lead_id",
                    "SELECT value FROM settings WHERE key = 'next_touch_id'"] {
            #expect(try rows(restored, sql) == rows(migrated, sql), "\(sql)")
        }
        #expect(try rows(restored, "SELECT count(*) FROM touchpoints WHERE click_ids IS NOT NULL") == ["114"])
        // Exported again it is format 2, and restores to the same rows.
        try Snapshot.export(restored, to: dir.file("two"), options: SnapshotOptions(), version: "test")
        #expect(try Snapshot.verify(dir.file("two")).manifest.formatVersion == Manifest.currentFormatVersion)
        let again = try Warehouse(path: dir.file("again.sqlite"), channels: ChannelRegistry.all)
        _ = try Snapshot.restore(dir.file("two"), into: again, merge: false)
        #expect(try rows(again, "SELECT * FROM touchpoints ORDER BY id") == rows(migrated, "SELECT * FROM touchpoints ORDER BY id"))
    }
}
