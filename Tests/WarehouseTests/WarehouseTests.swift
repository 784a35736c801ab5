import Foundation
import Testing
import ChannelKit
import TestSupport
@testable import Warehouse

/// A channel plugin with its own table, to check that plugin migrations run.
struct TableOwningChannel: ChannelPlugin {
    let id = "bookfair"
    let displayName = "Book fair"
    let summary = "A test channel"
    let metrics: [MetricDefinition] = []
    let formats: [ExportFormat] = []
    let touchRule: TouchRule? = nil
    var migrations: [ChannelMigration] {
        [ChannelMigration(id: "1.stands", sql: "CREATE TABLE bookfair_stands (id INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT")]
    }
}

@Suite struct WarehouseSchemaTests {
    @Test func createsTheSchemaOnceAndReopensWithoutChanges() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("w.sqlite")
        var told: [[String]] = []
        let first = try Warehouse(path: path, channels: [TableOwningChannel()]) { told.append($0) }
        #expect(told.isEmpty, "creating a warehouse is not an upgrade")
        #expect(try first.appliedMigrations() == ["core.1.initial", "core.2.details", "core.3.exchange-rates", "core.4.first-touch", "core.5.first-touch-time", "core.6.lead-milestones", "core.7.lead-journeys", "core.8.converted-lead-journeys", "core.9.touchpoints-in-time-order", "core.10.checks-without-in-lists", "core.11.lead-firsts", "core.12.conversions-keyed-by-id", "core.13.rejects-without-personal-values", "core.14.narrow-touch-store", "core.15.fact-sources", "core.16.custom-channels", "bookfair.1.stands"])
        let salt = try first.identifierSalt()
        #expect(salt.count > 16)
        let again = try Warehouse(path: path, channels: [TableOwningChannel()]) { told.append($0) }
        #expect(told.isEmpty, "nothing to apply")
        #expect(try again.appliedMigrations() == ["core.1.initial", "core.2.details", "core.3.exchange-rates", "core.4.first-touch", "core.5.first-touch-time", "core.6.lead-milestones", "core.7.lead-journeys", "core.8.converted-lead-journeys", "core.9.touchpoints-in-time-order", "core.10.checks-without-in-lists", "core.11.lead-firsts", "core.12.conversions-keyed-by-id", "core.13.rejects-without-personal-values", "core.14.narrow-touch-store", "core.15.fact-sources", "core.16.custom-channels", "bookfair.1.stands"])
        #expect(try again.identifierSalt() == salt)
        #expect(try again.db.scalarInt("SELECT count(*) FROM bookfair_stands") == 0)
        var channels: [String] = []
        try again.db.query("SELECT id FROM channels ORDER BY id") { channels.append($0.text(0)!) }
        #expect(channels == ["bookfair", "direct", "other"])
    }

    /// Another application's SQLite file is refused and left byte for byte as it was; a
    /// command that only reads refuses a missing or empty file instead of creating a warehouse.
    @Test func onlyANewOrEmptyFileBecomesAWarehouse() throws {
        let dir = TemporaryDirectory()
        let foreign = dir.file("crm.sqlite")
        do {
            let other = try Database(path: foreign)
            try other.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO contacts (name) VALUES ('Jill')")
        }
        let before = try #require(FileManager.default.contents(atPath: foreign))
        #expect(throws: WarehouseError.notAWarehouse(path: foreign)) { try Warehouse(path: foreign, channels: []) }
        #expect(throws: WarehouseError.notAWarehouse(path: foreign)) { try Warehouse(path: foreign, channels: [], mustExist: true) }
        #expect(FileManager.default.contents(atPath: foreign) == before)
        #expect(!FileManager.default.fileExists(atPath: foreign + "-wal"))
        // A file that is not SQLite at all.
        let text = dir.write("notes.sqlite", "not a database, but someone's notes\n")
        #expect(throws: WarehouseError.notAWarehouse(path: text)) { try Warehouse(path: text, channels: []) }
        #expect(String(decoding: FileManager.default.contents(atPath: text)!, as: UTF8.self) == "not a database, but someone's notes\n")
        // Missing or empty, for a reading command: refused, nothing created.
        let missing = dir.file("typo.sqlite")
        #expect(throws: WarehouseError.missing(path: missing)) { try Warehouse(path: missing, channels: [], mustExist: true) }
        #expect(!FileManager.default.fileExists(atPath: missing))
        let empty = dir.write("empty.sqlite", "")
        #expect(throws: WarehouseError.missing(path: empty)) { try Warehouse(path: empty, channels: [], mustExist: true) }
        // … and an empty file does become one for a command that creates.
        #expect(try Warehouse(path: empty, channels: []).appliedMigrations().first == "core.1.initial")
        #expect(try Warehouse(path: empty, channels: [], mustExist: true).appliedMigrations().first == "core.1.initial")
    }

    /// A command opened while a large import holds the warehouse with a rollback journal waits
    /// for it to commit (up to 5 s) instead of failing at once: SQLite calls no busy handler for
    /// the switch back to WAL.
    @Test func aCommandWaitsForALargeImportToCommit() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("w.sqlite")
        let writer = try Warehouse(path: path, channels: [])
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var opened: Result<Warehouse, any Error>?
        try writer.withRollbackJournal {
            try writer.db.execute("BEGIN IMMEDIATE")
            try writer.db.run("INSERT INTO settings (key, value) VALUES ('held', 'by the import')")
            Thread.detachNewThread {
                opened = Result { try Warehouse(path: path, channels: []) }
                done.signal()
            }
            usleep(300_000)
            try writer.db.execute("COMMIT")
        }
        done.wait()
        let reader = try #require(try opened?.get())
        #expect(try reader.db.scalarText("SELECT value FROM settings WHERE key = 'held'") == "by the import")
    }

    @Test func upgradesAWarehouseFromTheFirstSchema() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("old.sqlite")
        do {
            let db = try Database(path: path)
            var first = Migrations()
            let all = Warehouse.migrations(for: [])
            first.register(all.steps[0].id, sql: all.steps[0].sql)
            try first.migrate(db)
            try db.run("INSERT INTO import_runs VALUES (1, 'social', 'meta-ads', 'a.csv', ?, 1, 0, 0, 1, 1, 0, 0, 0)", [.text(String(repeating: "a", count: 64))])
            try db.run("INSERT INTO costs (day, channel_id, amount_minor, currency, import_run_id) VALUES ('2026-01-05', 'direct', 500, 'USD', 1)")
            // A lead with two touches, stage changes and two conversions, for the derived columns.
            try db.execute("""
                INSERT INTO leads (id, created_at, country, import_run_id) VALUES (1, 1000, 'VN', 1), (2, 1100, NULL, 1);
                INSERT INTO touchpoints (lead_id, occurred_at, channel_id, kind, import_run_id) VALUES (1, 900, 'other', 'visit', 1), (1, 800, 'direct', 'visit', 1);
                INSERT INTO lifecycle_stages (lead_id, stage, changed_at, import_run_id) VALUES (1, 'mql', 2000, 1), (1, 'mql', 1500, 1), (1, 'customer', 4000, 1);
                INSERT INTO conversions (lead_id, converted_at, revenue_minor, currency, import_run_id) VALUES (1, 5000, 1, 'USD', 1), (1, 3000, 1, 'USD', 1);
                INSERT INTO rejects (import_run_id, file_name, line, reason, raw_row) VALUES
                    (1, 'a.csv', 2, '"jill.doe@@corp.test" is not an email address', ''),
                    (1, 'a.csv', 3, '"+84 90 abc" is not a phone number (6 to 15 digits)', '');
                """)
        }
        var told: [[String]] = []
        let w = try Warehouse(path: path, channels: []) { told.append($0) }
        #expect(told == [Array(Warehouse.migrations(for: []).steps.dropFirst().map(\.id))])
        #expect(try w.appliedMigrations() == ["core.1.initial", "core.2.details", "core.3.exchange-rates", "core.4.first-touch",
                                              "core.5.first-touch-time", "core.6.lead-milestones", "core.7.lead-journeys",
                                              "core.8.converted-lead-journeys", "core.9.touchpoints-in-time-order",
                                              "core.10.checks-without-in-lists", "core.11.lead-firsts", "core.12.conversions-keyed-by-id", "core.13.rejects-without-personal-values",
                                              "core.14.narrow-touch-store", "core.15.fact-sources", "core.16.custom-channels"])
        // core.13 took the personal values out of the reasons older versions stored.
        #expect(try w.db.scalarText("SELECT group_concat(reason, '|') FROM rejects") == "is not an email address|is not a phone number (6 to 15 digits)")
        // core.10 rebuilt touchpoints and lifecycle_stages: the same rows and ids, their CHECKs
        // without IN lists, foreign keys enforced again afterwards.
        #expect(try w.db.scalarText("SELECT group_concat(id || ':' || occurred_at || ':' || channel_id, ' ') FROM (SELECT * FROM touchpoints ORDER BY id)") == "1:900:other 2:800:direct")
        #expect(try w.db.scalarText("SELECT group_concat(id || ':' || stage || ':' || changed_at, ' ') FROM (SELECT * FROM lifecycle_stages ORDER BY id)") == "1:mql:2000 2:mql:1500 3:customer:4000")
        #expect(try w.db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name = 'lifecycle_stages' AND sql LIKE '% IN (%'") == 0)
        #expect(try w.db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try w.db.scalarInt("SELECT count(*) FROM pragma_foreign_key_check") == 0)
        // core.14: touches keyed by their natural key in time order, and no other index.
        var touchIndexes: [String] = []  // the first column of each
        try w.db.query("SELECT (SELECT i.name FROM pragma_index_info(l.name) i WHERE i.seqno = 0) || ':' || l.origin FROM pragma_index_list('touches') l ORDER BY 1") {
            touchIndexes.append($0.text(0) ?? "")
        }
        #expect(touchIndexes == ["occurred_at:pk"])
        #expect(try w.db.scalarText("SELECT amount_minor || '/' || detail || '/' FROM costs") == "500//")
        let derived = """
            SELECT group_concat(lead_id || ' ' || created_at || ' ' || ifnull(first_channel, '-') || '@' || ifnull(first_touch_at, '-')
                   || ' mql ' || ifnull(stage_mql_at, '-') || ' sql ' || ifnull(stage_sql_at, '-') || ' customer ' || ifnull(stage_customer_at, '-')
                   || ' converted ' || ifnull(first_converted_at, '-'), '; ') FROM (SELECT * FROM lead_firsts ORDER BY lead_id)
            """
        #expect(try w.db.scalarText(derived) == "1 1000 direct@800 mql 1500 sql - customer 4000 converted 3000; 2 1100 -@- mql - sql - customer - converted -")
        // core.11 moved those columns out of `leads` (rebuilt: the same rows and ids, its indexes
        // again, the reports' index gone) into `lead_firsts`, a row for every lead.
        #expect(try w.db.scalarText("SELECT group_concat(id || ':' || created_at || ':' || ifnull(country, '-'), ' ') FROM (SELECT * FROM leads ORDER BY id)") == "1:1000:VN 2:1100:-")
        #expect(try w.db.scalarInt("SELECT count(*) FROM pragma_table_info('leads') WHERE name LIKE 'first%' OR name LIKE 'stage%'") == 0)
        #expect(try w.db.scalarText("SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema WHERE tbl_name = 'leads' AND type = 'index' AND sql IS NOT NULL ORDER BY name)")
                == "leads_by_created_at leads_by_email leads_by_phone")

        // The lead's journey row, packed by hand (see LeadJourneys): touch = header (kind 2 `visit`,
        // 0x20 new channel), zigzag varint of the seconds since the previous touch (800 → 1600 →
        // C0 0C; 100 → 200 → C8 01), channel length and bytes; conversion = zigzag varint time
        // (3000 → F0 2E; +2000 → A0 1F), revenue varint, currency.
        #expect(try w.db.scalarText("""
            SELECT created_at || ' ' || ifnull(opportunity_at, '-') || ' ' || customer_at || ' ' || hex(touches) || ' ' || hex(conversions) FROM lead_journeys
            """) == "1000 - 4000 22C00C06646972656374" + "22C801056F74686572 F02E01555344A01F01555344")
        #expect(try w.db.scalarText("SELECT value FROM settings WHERE key = ?", [.text(LeadJourneys.rebuildSetting)]) == nil)
        var decoded: [String] = []
        try LeadJourneys.read(w.db) { row in
            var t = row.touches
            while t.next() { decoded.append("\(LeadJourneys.kinds[t.kind].rawValue) \(String(decoding: t.channel, as: UTF8.self))@\(t.at)") }
            var c = row.conversions
            while c.next() { decoded.append("\(c.revenueMinor) \(String(decoding: c.currency, as: UTF8.self))@\(c.at)") }
        }
        #expect(decoded == ["visit direct@800", "visit other@900", "1 USD@3000", "1 USD@5000"])
    }

    /// Reading only converted leads' journeys is a scan of the covering index, not of the table.
    @Test func convertedJourneysComeFromTheirIndex() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: [])
        var plan: [String] = []
        try w.db.query("EXPLAIN QUERY PLAN " + LeadJourneys.readSQL(convertedOnly: true), [1, 9]) { plan.append($0.text(3) ?? "") }
        #expect(plan.count == 1 && plan[0].contains("COVERING INDEX lead_journeys_converted"))
    }

    /// A damaged blob ends the walk instead of reading past its end.
    @Test func aTruncatedJourneyRowStopsEarly() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: [])
        try w.db.execute("""
            INSERT INTO import_runs VALUES (1, 'core', 'leads', 'a.csv', '\(String(repeating: "a", count: 64))', 1, 0, 0, 1, 1, 0, 0, 0);
            INSERT INTO leads (id, created_at, import_run_id) VALUES (1, 1000, 1);
            INSERT INTO lead_journeys VALUES (1, 1000, NULL, NULL, X'22C00C0664697265637422C801FF', X'F02E0155');
            """)
        var touches = 0, conversions = 0
        try LeadJourneys.read(w.db) { row in
            var t = row.touches
            while t.next() { touches += 1 }
            var c = row.conversions
            while c.next() { conversions += 1 }
        }
        #expect(touches == 1 && conversions == 0)
    }

    @Test func runsInWALModeWithForeignKeys() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: [])
        #expect(try w.db.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try w.db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(throws: WarehouseError.self) {
            try w.db.run("INSERT INTO lead_keys (key, lead_id) VALUES ('x', 424242)")
        }
    }

    @Test func refusesAWarehouseFromANewerVersion() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("w.sqlite")
        let w = try Warehouse(path: path, channels: [])
        try w.db.run("INSERT INTO schema_migrations (id, applied_at) VALUES ('core.99.future', 0)")
        #expect(throws: WarehouseError.newerSchema(path: path, migration: "core.99.future")) {
            _ = try Warehouse(path: path, channels: [])
        }
    }

    @Test func refusesAFileThatIsNotADatabase() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("notes.sqlite", String(repeating: "not a database at all ", count: 40))
        #expect(throws: WarehouseError.notAWarehouse(path: path)) {
            _ = try Warehouse(path: path, channels: [])
        }
    }

    @Test func schemaRefusesBadValues() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: [])
        let writer = try w.beginImport(.file(source: "test", format: "test", fileName: "t.csv"), bytes: 0, startedAt: 0)
        try writer.commit()
        #expect(throws: WarehouseError.self) {
            try w.db.run("INSERT INTO costs (day, channel_id, amount_minor, currency, import_run_id) VALUES ('2026-01-01', 'direct', -1, 'USD', ?)", [.integer(writer.runID!)])
        }
        #expect(throws: WarehouseError.self) {
            try w.db.run("INSERT INTO costs (day, channel_id, amount_minor, currency, import_run_id) VALUES ('Jan 1', 'direct', 1, 'USD', ?)", [.integer(writer.runID!)])
        }
        #expect(throws: WarehouseError.self) {
            try w.db.run("INSERT INTO costs (day, channel_id, amount_minor, currency, import_run_id) VALUES ('2026-01-01', 'nowhere', 1, 'USD', ?)", [.integer(writer.runID!)])
        }
        // The kinds, one code each (core.14) in ``LeadJourneys/kinds`` order, and the stages in their CHECK (core.10).
        var kinds: [String] = []
        try w.db.query("SELECT name FROM touch_kinds ORDER BY code") { kinds.append($0.text(0) ?? "") }
        #expect(kinds == LeadJourneys.kinds.map(\.rawValue))
        try w.db.run("INSERT INTO leads (id, created_at, import_run_id) VALUES (1, 0, ?)", [.integer(writer.runID!)])
        for (i, stage) in (["lead"] + LeadMilestones.stages).enumerated() {
            try w.db.run("INSERT INTO lifecycle_stages (lead_id, stage, changed_at, import_run_id) VALUES (1, ?, ?, ?)",
                         [.text(stage), .integer(Int64(i)), .integer(writer.runID!)])
        }
        // A touch's kind and channel are codes the code tables hold.
        let direct = try #require(try w.db.scalarInt("SELECT code FROM channel_codes WHERE channel_id = 'direct'"))
        try w.db.run("INSERT INTO touches (occurred_at, lead_id, kind_code, channel_code, id, import_run_id) VALUES (1, 1, 2, ?, 1, ?)",
                     [.integer(direct), .integer(writer.runID!)])
        #expect(throws: WarehouseError.constraint(message: "FOREIGN KEY constraint failed")) {
            try w.db.run("INSERT INTO touches (occurred_at, lead_id, kind_code, channel_code, id, import_run_id) VALUES (2, 1, 99, ?, 2, ?)",
                         [.integer(direct), .integer(writer.runID!)])
        }
        #expect(throws: WarehouseError.constraint(message: "FOREIGN KEY constraint failed")) {
            try w.db.run("INSERT INTO touches (occurred_at, lead_id, kind_code, channel_code, id, import_run_id) VALUES (3, 1, 2, 999, 3, ?)",
                         [.integer(writer.runID!)])
        }
        // The natural key is the table's key: the same touch again is refused.
        #expect(throws: WarehouseError.self) {
            try w.db.run("INSERT INTO touches (occurred_at, lead_id, kind_code, channel_code, id, import_run_id) VALUES (1, 1, 2, ?, 4, ?)",
                         [.integer(direct), .integer(writer.runID!)])
        }
        #expect(throws: WarehouseError.self) {
            try w.db.run("INSERT INTO lifecycle_stages (lead_id, stage, changed_at, import_run_id) VALUES (1, 'won', 99, ?)", [.integer(writer.runID!)])
        }
    }
}

@Suite struct ImportSinkTests {
    let dir = TemporaryDirectory()
    let warehouse: Warehouse
    let writer: ImportSink
    let usd = Currency("USD")!

    init() throws {
        warehouse = try Warehouse(path: dir.file("w.sqlite"), channels: [TableOwningChannel()])
        writer = try warehouse.beginImport(.file(source: "test", format: "test", fileName: "t.csv"), bytes: 0, startedAt: 0)
    }

    @Test func mergesALeadKnownByAnotherKeyThroughItsEmail() throws {
        let t0 = Timestamp(secondsSinceEpoch: 1_000_000)
        let crm = LeadRecord(key: "L1", createdAt: t0, attributes: LeadAttributes(country: "VN"))
        let (id, outcome) = try writer.leads.upsert(crm, emailHash: "h-ann", phoneHash: nil)
        #expect(outcome == .inserted)
        // The same person from a lead form, earlier, with an industry the CRM lacked.
        let form = LeadRecord(key: "meta:9", createdAt: Timestamp(secondsSinceEpoch: 900_000), attributes: LeadAttributes(country: "SG", industry: "retail"))
        let merged = try writer.leads.upsert(form, emailHash: "h-ann", phoneHash: nil)
        #expect(merged.id == id && merged.outcome == .updated)
        #expect(try writer.leads.leadID(forKey: "meta:9") == id)
        #expect(try warehouse.db.scalarInt("SELECT created_at FROM leads WHERE id = ?", [.integer(id)]) == 900_000)
        #expect(try warehouse.db.scalarText("SELECT country || '/' || industry FROM leads WHERE id = ?", [.integer(id)]) == "VN/retail")
        // The same record again changes nothing.
        #expect(try writer.leads.upsert(form, emailHash: "h-ann", phoneHash: nil).outcome == .unchanged)
        #expect(try warehouse.db.scalarInt("SELECT count(*) FROM leads") == 1)
    }

    /// A lead the writer inserts gets its `lead_firsts` row; a merge moves its creation time
    /// there only to an earlier one, as in `leads`.
    @Test func everyLeadHasItsFirstsRow() throws {
        let firsts = "SELECT group_concat(f.lead_id || ':' || f.created_at || ':' || l.created_at, ' ') FROM (SELECT * FROM lead_firsts ORDER BY lead_id) f JOIN leads l ON l.id = f.lead_id"
        let a = try writer.leads.upsert(LeadRecord(key: "L1", createdAt: Timestamp(secondsSinceEpoch: 500)), emailHash: "h-a", phoneHash: nil).id
        let b = try writer.leads.upsert(LeadRecord(key: "L2", createdAt: Timestamp(secondsSinceEpoch: 600)), emailHash: "h-b", phoneHash: nil).id
        #expect(try warehouse.db.scalarText(firsts) == "\(a):500:500 \(b):600:600")
        _ = try writer.leads.upsert(LeadRecord(key: "L1", createdAt: Timestamp(secondsSinceEpoch: 400)), emailHash: "h-a", phoneHash: nil)
        _ = try writer.leads.upsert(LeadRecord(key: "L1", createdAt: Timestamp(secondsSinceEpoch: 450), attributes: LeadAttributes(country: "VN")), emailHash: "h-a", phoneHash: nil)
        _ = try writer.leads.upsert(LeadRecord(key: "L2", createdAt: Timestamp(secondsSinceEpoch: 700), attributes: LeadAttributes(country: "VN")), emailHash: "h-b", phoneHash: nil)
        #expect(try warehouse.db.scalarText(firsts) == "\(a):400:400 \(b):600:600")
    }

    @Test func aSharedPhoneMergesOnlyARecordWithoutEmail() throws {
        let t = Timestamp(secondsSinceEpoch: 0)
        let a = try writer.leads.upsert(LeadRecord(key: "L1", createdAt: t), emailHash: "h-a", phoneHash: "p-office")
        let b = try writer.leads.upsert(LeadRecord(key: "L2", createdAt: t), emailHash: "h-b", phoneHash: "p-office")
        #expect(a.id != b.id && b.outcome == .inserted)
        let phoneOnly = try writer.leads.upsert(LeadRecord(key: "meta:7", createdAt: t), emailHash: nil, phoneHash: "p-office")
        #expect(phoneOnly.id == a.id && phoneOnly.outcome == .updated)
    }

    @Test func aTouchIsStoredOnce() throws {
        let lead = try writer.leads.upsert(LeadRecord(key: "L1", createdAt: Timestamp(secondsSinceEpoch: 0)), emailHash: nil, phoneHash: nil).id
        let at = Timestamp(secondsSinceEpoch: 500)
        #expect(try writer.touches.insert(TouchRow(leadID: lead, at: at, channel: "direct", campaignID: nil, kind: .visit)) == .inserted)
        #expect(try writer.touches.insert(TouchRow(leadID: lead, at: at, channel: "direct", campaignID: nil, kind: .visit)) == .unchanged)
        #expect(try writer.touches.insert(TouchRow(leadID: lead, at: at, channel: "direct", campaignID: nil, kind: .download)) == .inserted)
        #expect(try warehouse.db.scalarInt("SELECT count(*) FROM touchpoints") == 2)
    }

    /// The touch writer writes a batch with `INSERT OR IGNORE` and counts every row SQLite passes
    /// over as a taken natural key. That holds while the only NOT NULL columns are ones the writer
    /// always fills (from `TouchRow`'s non-optional fields, codes and ids) and `touches` has no
    /// CHECK: a constraint added to the table fails this test until the batch learns to tell its
    /// refusals apart.
    @Test func batchedTouchesCanOnlyBeIgnoredForATakenKey() throws {
        var notNull: [String] = []
        try warehouse.db.query("SELECT name FROM pragma_table_info('touches') WHERE \"notnull\" ORDER BY cid") { notNull.append($0.text(0) ?? "") }
        #expect(notNull == ["occurred_at", "lead_id", "kind_code", "channel_code", "id", "import_run_id"])
        let table = try #require(try warehouse.db.scalarText("SELECT sql FROM sqlite_schema WHERE name = 'touches'"))
        #expect(!table.contains("CHECK"))
    }

    /// Another import run: a later file.
    func laterFile() throws -> ImportSink {
        try warehouse.beginImport(.file(source: "test", format: "test", fileName: "later.csv"), bytes: 0, startedAt: 1)
    }

    @Test func aRestatedCostReplacesTheAmount() throws {
        let day = Day(year: 2026, month: 1, day: 5)!
        let ledger = FactSource(format: "test", account: nil)
        let campaign = CampaignRef(name: "Tet Sale")
        let cost = CostRecord(day: day, campaign: campaign, amount: Money(minorUnits: 8437, currency: usd))
        #expect(try writer.facts.upsertCost(channel: "bookfair", cost, source: ledger) == .inserted)
        // The same file giving the same key again is refused (400 + 600 became 600 before).
        #expect(throws: WarehouseError.duplicateInFile("an earlier row of this file already gave a cost for this day, campaign and item")) {
            try writer.facts.upsertCost(channel: "bookfair", cost, source: ledger)
        }
        // Channel-level cost (no campaign) is a different fact from the campaign's.
        #expect(try writer.facts.upsertCost(channel: "bookfair", CostRecord(day: day, campaign: nil, amount: Money(minorUnits: 1, currency: usd)), source: ledger) == .inserted)
        try writer.commit()
        let later = try laterFile()
        #expect(try later.facts.upsertCost(channel: "bookfair", cost, source: ledger) == .unchanged)
        let restated = CostRecord(day: day, campaign: CampaignRef(name: "tet_sale"), amount: Money(minorUnits: 9000, currency: usd))
        #expect(try later.facts.upsertCost(channel: "bookfair", restated, source: ledger) == .updated)
        #expect(try later.facts.upsertCost(channel: "bookfair", CostRecord(day: day, campaign: nil, amount: Money(minorUnits: 1, currency: usd)), source: ledger) == .unchanged)
        try later.commit()
        #expect(try warehouse.db.scalarInt("SELECT sum(amount_minor) FROM costs") == 9001)
        #expect(try warehouse.db.scalarInt("SELECT count(*) FROM campaigns") == 1)
    }

    /// Issue #25: the same campaign name on two platforms the same day is two costs that add up;
    /// each platform's later download restates only its own, and only what it gives.
    @Test func costsOfTwoSourcesAreBothKeptAndEachRestatesItsOwn() throws {
        let day = Day(year: 2026, month: 1, day: 5)!
        let google = FactSource(format: "google-ads-campaigns", account: "123-456-7890")
        let bing = FactSource(format: "microsoft-ads-campaigns", account: nil)
        let brand = CampaignRef(name: "Brand Search")
        func cost(_ cents: Int64, _ campaign: CampaignRef? = CampaignRef(name: "Brand Search")) -> CostRecord {
            CostRecord(day: day, campaign: campaign, amount: Money(minorUnits: cents, currency: usd))
        }
        #expect(try writer.facts.upsertCost(channel: "bookfair", cost(10_000), source: google) == .inserted)
        #expect(try writer.facts.upsertCost(channel: "bookfair", cost(2_500, CampaignRef(name: "Generic")), source: google) == .inserted)
        try writer.commit()
        let second = try laterFile()
        #expect(try second.facts.upsertCost(channel: "bookfair", cost(5_000), source: bing) == .inserted)
        try second.commit()
        #expect(try warehouse.db.scalarInt("SELECT sum(amount_minor) FROM costs") == 17_500)
        // Google's next download, filtered to Brand Search, restates it (90.00) and leaves
        // Generic as it was; Microsoft's row is not Google's to restate.
        let third = try laterFile()
        #expect(try third.facts.upsertCost(channel: "bookfair", cost(9_000, brand), source: google) == .updated)
        try third.commit()
        #expect(try warehouse.db.scalarInt("SELECT sum(amount_minor) FROM costs") == 16_500)
        #expect(try warehouse.db.scalarInt("SELECT count(*) FROM costs WHERE source_key = 'microsoft-ads-campaigns'") == 1)
        // Another Google account is another source.
        let fourth = try laterFile()
        let other = FactSource(format: "google-ads-campaigns", account: "999-000-1111")
        #expect(try fourth.facts.upsertCost(channel: "bookfair", cost(1_000), source: other) == .inserted)
        try fourth.commit()
        #expect(try warehouse.db.scalarInt("SELECT sum(amount_minor) FROM costs") == 17_500)
    }

    @Test func aConversionIsKnownByItsIdElseByLeadAndSecond() throws {
        let lead = try writer.leads.upsert(LeadRecord(key: "L1", createdAt: Timestamp(secondsSinceEpoch: 0)), emailHash: nil, phoneHash: nil).id
        let other = try writer.leads.upsert(LeadRecord(key: "L2", createdAt: Timestamp(secondsSinceEpoch: 0)), emailHash: nil, phoneHash: nil).id
        let revenue = Money(minorUnits: 129_000, currency: usd)
        let at = Timestamp(secondsSinceEpoch: 10)
        #expect(try writer.facts.insertConversion(leadID: lead, at: at, revenue: revenue, externalID: "ORD-1") == .inserted)
        // Another order of the same lead in the same second is another conversion (it was dropped as "unchanged").
        #expect(try writer.facts.insertConversion(leadID: lead, at: at, revenue: revenue, externalID: "ORD-2") == .inserted)
        #expect(try writer.facts.insertConversion(leadID: lead, at: at, revenue: revenue, externalID: nil) == .inserted)
        #expect(throws: WarehouseError.duplicateInFile("an earlier row of this file already gave a conversion of this lead at this second")) {
            try writer.facts.insertConversion(leadID: lead, at: at, revenue: revenue, externalID: nil)
        }
        #expect(throws: WarehouseError.duplicateInFile("an earlier row of this file already gave this conversion id")) {
            try writer.facts.insertConversion(leadID: lead, at: at, revenue: revenue, externalID: "ORD-1")
        }
        try writer.commit()
        let later = try laterFile()
        #expect(try later.facts.insertConversion(leadID: lead, at: at, revenue: revenue, externalID: "ORD-1") == .unchanged)
        #expect(try later.facts.insertConversion(leadID: lead, at: at, revenue: Money(minorUnits: 99_000, currency: usd), externalID: "ORD-2") == .updated)
        // The same id on another lead, or at another time, is refused rather than ignored.
        #expect(throws: WarehouseError.duplicateInFile("this conversion id is already recorded for another lead")) {
            try later.facts.insertConversion(leadID: other, at: at, revenue: revenue, externalID: "ORD-1")
        }
        #expect(throws: WarehouseError.self) { try later.facts.insertConversion(leadID: lead, at: Timestamp(secondsSinceEpoch: 99), revenue: revenue, externalID: "ORD-1") }
        #expect(try warehouse.db.scalarInt("SELECT count(*) FROM conversions") == 3)
        #expect(try warehouse.db.scalarInt("SELECT sum(revenue_minor) FROM conversions") == 129_000 * 2 + 99_000)
    }
}

/// A large file's email lookups come from a map of every lead's email hash (``LeadIdentity/resolveFromMemory()``
/// turns it on): it answers as the index does, and a lead inserted or merged in the same run is found.
@Suite struct EmailHashMapTests {
    let dir = TemporaryDirectory()
    let warehouse: Warehouse
    let t = Timestamp(secondsSinceEpoch: 0)

    init() throws {
        warehouse = try Warehouse(path: dir.file("w.sqlite"), channels: [])
    }

    /// A 64-hex-digit hash, like the ones ``IdentifierHasher`` writes, differing in word `word`.
    static func hash(_ n: Int, word: Int = 3) -> String {
        var digits = Array(repeating: Character("a"), count: 64)
        digits[word * 16 + 15] = Character(String(n, radix: 16))
        return String(digits)
    }

    func writer(inMemory: Bool) throws -> ImportSink {
        let w = try warehouse.beginImport(.file(source: "test", format: "test", fileName: "t.csv"), bytes: 0, startedAt: 0)
        if inMemory { try w.leads.resolveFromMemory() }
        return w
    }

    @Test func answersAsTheIndexDoes() throws {
        let setUp = try writer(inMemory: false)
        var ids: [Int64] = []
        for word in 0..<4 { ids.append(try setUp.leads.upsert(LeadRecord(key: "L\(word)", createdAt: t), emailHash: Self.hash(1, word: word), phoneHash: nil).id) }
        let asked = (0..<4).map { Self.hash(1, word: $0) } + [Self.hash(2), Self.hash(1).uppercased(), "not a hash", ""]
        let fromIndex = try asked.map { try setUp.leads.leadID(forEmailHash: $0) }
        #expect(fromIndex == ids + [nil, nil, nil, nil])
        try setUp.commit()
        let fromMemory = try writer(inMemory: true)
        #expect(try asked.map { try fromMemory.leads.leadID(forEmailHash: $0) } == fromIndex)
    }

    @Test func aLeadWrittenInTheRunIsFound() throws {
        let w = try writer(inMemory: true)
        let a = try w.leads.upsert(LeadRecord(key: "A", createdAt: t), emailHash: Self.hash(1), phoneHash: nil).id
        #expect(try w.leads.leadID(forEmailHash: Self.hash(1)) == a)
        // Inserted after the map was read…
        let b = try w.leads.upsert(LeadRecord(key: "B", createdAt: t), emailHash: Self.hash(2), phoneHash: nil).id
        #expect(try w.leads.leadID(forEmailHash: Self.hash(2)) == b)
        // …and a lead known only by key that gains an email by a merge.
        let c = try w.leads.upsert(LeadRecord(key: "C", createdAt: t), emailHash: nil, phoneHash: nil).id
        #expect(try w.leads.leadID(forEmailHash: Self.hash(3)) == nil)
        #expect(try w.leads.upsert(LeadRecord(key: "C", createdAt: t), emailHash: Self.hash(3), phoneHash: nil).outcome == .updated)
        #expect(try w.leads.leadID(forEmailHash: Self.hash(3)) == c)
    }

    /// A hash that is not 64 lowercase hex digits (written by something else) cannot be a key
    /// of the map: the lookups go to the index.
    @Test func aHashOfAnotherShapeSendsLookupsToTheIndex() throws {
        let setUp = try writer(inMemory: false)
        let odd = try setUp.leads.upsert(LeadRecord(key: "O", createdAt: t), emailHash: "h-odd", phoneHash: nil).id
        let usual = try setUp.leads.upsert(LeadRecord(key: "U", createdAt: t), emailHash: Self.hash(1), phoneHash: nil).id
        try setUp.commit()
        let w = try writer(inMemory: true)
        #expect(try w.leads.leadID(forEmailHash: Self.hash(1)) == usual)
        #expect(try w.leads.leadID(forEmailHash: "h-odd") == odd)
    }

    @Test func hashBytesKeepEveryDigit() {
        let keys = (0..<4).map { HashBytes(hex: Self.hash(1, word: $0)) } + [HashBytes(hex: Self.hash(1, word: 0))]
        #expect(keys.allSatisfy { $0 != nil })
        #expect(Set(keys.compactMap { $0 }).count == 4)
        for bad in [String(Self.hash(1).dropLast()), Self.hash(1) + "a", Self.hash(1).uppercased(), String(repeating: "g", count: 64)] {
            #expect(HashBytes(hex: bad) == nil)
        }
    }
}

@Suite struct LeadKeyMapTests {
    /// With the keys read into memory, lookups and keys added by the run agree with the table.
    @Test func keysInMemoryResolveLikeTheTable() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: [])
        do {
            let writer = try w.beginImport(.file(source: "leads", format: "crm-leads", fileName: "a.csv"), bytes: 0, startedAt: 0)
            let a = try writer.leads.upsert(LeadRecord(key: "A", createdAt: Timestamp(secondsSinceEpoch: 10)), emailHash: nil, phoneHash: nil)
            try writer.leads.resolveFromMemory()
            #expect(try writer.leads.leadID(forKey: "A") == a.id)
            #expect(try writer.leads.leadID(forKey: "B") == nil)
            let b = try writer.leads.upsert(LeadRecord(key: "B", createdAt: Timestamp(secondsSinceEpoch: 20)), emailHash: nil, phoneHash: nil)
            #expect(b.outcome == .inserted)
            #expect(try writer.leads.leadID(forKey: "B") == b.id)
            let again = try writer.leads.upsert(LeadRecord(key: "B", createdAt: Timestamp(secondsSinceEpoch: 5)), emailHash: nil, phoneHash: nil)
            #expect(again.id == b.id && again.outcome == .updated)
            try writer.commit()
        }
        #expect(try w.db.scalarInt("SELECT count(*) FROM lead_keys") == 2)
    }
}

@Suite struct RollbackJournalTests {
    func modes(_ db: Database) throws -> [String] {
        [try db.scalarText("PRAGMA journal_mode") ?? "", String(try db.scalarInt("PRAGMA synchronous") ?? -1)]
    }

    /// Inside, a rollback journal and `synchronous = FULL` (2); after, the WAL and `NORMAL` (1)
    /// again — also when the body throws.
    @Test func theBodyRunsWithARollbackJournalAndTheWALComesBack() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: [])
        #expect(try modes(w.db) == ["wal", "1"])
        let inside = try w.withRollbackJournal { try modes(w.db) }
        #expect(inside == ["delete", "2"])
        #expect(try modes(w.db) == ["wal", "1"])
        struct Failure: Error {}
        #expect(throws: Failure.self) { try w.withRollbackJournal { throw Failure() } }
        #expect(try modes(w.db) == ["wal", "1"])
    }

    /// While the transaction writes, another connection is locked out (and told so) instead of
    /// reading pages half written; rolled back, the file is as it was.
    @Test func readersAreLockedOutAndARollbackRestoresTheFile() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: [])
        try w.db.run("INSERT INTO settings (key, value) VALUES ('kept', 'yes')")
        try w.withRollbackJournal {
            try w.db.execute("BEGIN IMMEDIATE")
            try w.db.run("DELETE FROM settings")
            try w.db.execute("PRAGMA cache_size = 1")  // spill: the deletion reaches the file itself
            for i in 0..<2_000 { try w.db.run("INSERT INTO settings (key, value) VALUES (?, ?)", [.text("k\(i)"), .text(String(repeating: "x", count: 500))]) }
            // A second connection sees the file locked or unchanged, never the deletion.
            let other = try Database(path: dir.file("w.sqlite"))
            try other.execute("PRAGMA busy_timeout = 0")
            #expect(throws: WarehouseError.busy(path: dir.file("w.sqlite"))) { try other.scalarInt("SELECT count(*) FROM settings") }
            try w.db.execute("ROLLBACK")
        }
        #expect(try w.db.scalarText("SELECT value FROM settings WHERE key = 'kept'") == "yes")
        #expect(try w.db.scalarInt("SELECT count(*) FROM settings WHERE key LIKE 'k%' AND key <> 'kept'") == 0)
    }

    /// With another connection open, SQLite refuses the switch at once and the body runs with
    /// the WAL, readable by the other connection throughout.
    @Test func anotherConnectionKeepsTheWAL() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: [])
        let reader = try Database(path: dir.file("w.sqlite"))
        #expect(try reader.scalarInt("SELECT count(*) FROM settings WHERE key = 'identifier_salt'") == 1)
        let inside = try w.withRollbackJournal { try modes(w.db) }
        #expect(inside == ["wal", "1"])
        #expect(try modes(w.db) == ["wal", "1"])
        let memory = try Warehouse(path: ":memory:", channels: [])
        #expect(try memory.withRollbackJournal { try memory.db.scalarText("PRAGMA journal_mode") } == "memory")
    }

    /// A command that opens the warehouse while a large import holds it says so, not that the
    /// file is no warehouse (this waits out the 5 s busy timeout).
    @Test func openingALockedWarehouseSaysItIsBusy() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("w.sqlite")
        let w = try Warehouse(path: path, channels: [])
        try w.withRollbackJournal {
            try w.db.execute("BEGIN IMMEDIATE")
            try w.db.run("INSERT INTO settings (key, value) VALUES ('k', 'v')")
            #expect(throws: WarehouseError.busy(path: path)) { try Warehouse(path: path, channels: []) }
            try w.db.execute("COMMIT")
        }
        #expect(WarehouseError.busy(path: path).description.contains("locked by another command"))
    }
}
