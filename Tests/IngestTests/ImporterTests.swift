import Foundation
import Testing
import ChannelKit
import ChannelRegistry
import TestSupport
import ChannelTestKit
@testable import Warehouse
@testable import Ingest

/// A fresh warehouse with every built-in channel.
typealias Fixture = ImportFixture
extension ImportFixture {
    init() throws { try self.init(channels: ChannelRegistry.all) }
}

let leadsCSV = """
    lead_id,created_at,email,phone,country,age_band,gender
    L1,2026-01-05T09:00:00Z,an@example.com,+84 90 123 4567,VN,25-34,female
    L2,2026-01-06T10:00:00Z,binh@example.com,,vn,35-44,male
    L3,2026-01-07T11:00:00Z,chi@example.com,,VNM,25-34,female
    L4,not a date,dung@example.com,,VN,25-34,male
    L5,2026-01-08T12:00:00Z,giang@example.com,,SG,old,female

    """

@Suite struct ImporterTests {
    @Test func badRowsGoToRejectsWithLineAndColumnWhileGoodRowsLand() throws {
        let f = try Fixture()
        let result = try f.importText("leads", "leads.csv", leadsCSV)
        #expect(result.counts == ImportCounts(read: 5, inserted: 2, rejected: 3))
        #expect(result.rejects.map(\.description) == [
            "leads.csv:4:5 (country): \"VNM\" is not an ISO 3166-1 alpha-2 country code such as VN or US",
            "leads.csv:5:2 (created_at): \"not a date\" is not a date-time; expected ISO 8601 such as 2026-01-15T09:30:00Z",
            "leads.csv:6:6 (age_band): \"old\" is not an age band such as 25-34 or 65+",
        ])
        #expect(try f.count("leads") == 2)
        #expect(try f.count("rejects") == 3)
        // The reject keeps the row, but never an email or phone in plain text.
        #expect(try f.warehouse.db.scalarText("SELECT raw_row FROM rejects WHERE line = 4") == "L3,2026-01-07T11:00:00Z,[personal],,VNM,25-34,female")
        #expect(try f.warehouse.db.scalarText("SELECT country FROM leads WHERE id = (SELECT lead_id FROM lead_keys WHERE key = 'L2')") == "VN")
    }

    @Test func aRowWithTheWrongNumberOfFieldsIsRejected() throws {
        let f = try Fixture()
        let result = try f.importText("conversions", "c.csv", "lead_id,converted_at,revenue,currency\nL1,2026-01-05T09:00:00Z,10.00\n")
        #expect(result.rejects.map(\.description) == ["c.csv:2:4 (currency): the row has 3 fields but the header has 4"])
    }

    @Test func importingTheSameFileAgainChangesNothing() throws {
        let f = try Fixture()
        let first = try f.importText("leads", "leads.csv", leadsCSV)
        guard case .imported(let runID) = first.status else { Issue.record("not imported"); return }
        let before = try f.warehouse.rowCounts()
        let second = try f.importText("leads", "leads.csv", leadsCSV)
        #expect(second.status == .alreadyImported(previousRunID: runID, at: second.status.previousAt!))
        #expect(try f.warehouse.rowCounts() == before)
        // Read again on purpose: no fact is duplicated; only the new run and its rejects are recorded.
        let third = try f.importText("leads", "leads.csv", leadsCSV, again: true)
        #expect(third.counts == ImportCounts(read: 5, unchanged: 2, rejected: 3))
        #expect(try f.count("leads") == 2)
    }

    @Test func overlappingFilesNeverDoubleCount() throws {
        let f = try Fixture()
        try f.importText("leads", "leads.csv", leadsCSV)
        let header = "occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event\n"
        let rows = (0..<10).map { "2026-01-10T10:0\($0):00Z,L1,newsletter,email,jan,,,email_open" }
        try f.importText("touches", "week1.csv", header + rows[0..<6].joined(separator: "\n"))
        let second = try f.importText("touches", "week1-and-2.csv", header + rows[3..<10].joined(separator: "\n"))
        #expect(second.counts == ImportCounts(read: 7, inserted: 4, unchanged: 3))
        #expect(try f.count("touchpoints") == 10)
    }

    /// A touch the warehouse refuses in a batch written with one statement: the statement is undone,
    /// the batch is written one by one, and only that row is rejected.
    @Test func aTouchTheWarehouseRefusesIsRejectedAloneInItsBatch() throws {
        let f = try Fixture()
        try f.importText("leads", "leads.csv", leadsCSV)
        try f.warehouse.db.execute("""
            CREATE TEMP TRIGGER refuse_bad_source BEFORE INSERT ON touches
            WHEN NEW.utm_source_tag = (SELECT id FROM touch_tags WHERE value = 'bad')
            BEGIN SELECT RAISE(ABORT, 'no bad sources'); END
            """)
        let header = "occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event\n"
        let rows = (0..<TouchWriter.batchSize * 2).map { i in
            "2026-01-10T1\(i / 60):\(10 + i % 60 / 2):00Z,L\(1 + i % 2),\(i == 70 ? "bad" : "newsletter"),email,jan,,,visit"
        }
        let result = try f.importText("touches", "t.csv", header + rows.joined(separator: "\n") + "\n")
        #expect(result.counts == ImportCounts(read: rows.count, inserted: rows.count - 1, rejected: 1))
        #expect(result.rejects.map(\.description) == ["t.csv:72: refused by the warehouse: no bad sources"])
        #expect(try f.count("touchpoints") == rows.count - 1)
    }

    @Test func touchesOfUnknownLeadsAreRejectedWithAHint() throws {
        let f = try Fixture()
        let r = try f.importText("touches", "t.csv", "occurred_at,lead_id,event\n2026-01-10T10:00:00Z,L404,visit\n")
        #expect(r.rejects.map(\.description) == [
            "t.csv:2:2 (lead_id): no lead \"L404\" is known; import the leads first, then import this file again with --again",
        ])
    }

    @Test func aFileOfAnotherShapeIsRefusedNamingTheExpectedColumns() throws {
        let f = try Fixture()
        let path = f.dir.write("x.csv", "foo,bar\n1,2\n")
        #expect(throws: ImportError.unrecognisedHeader(path: path, source: "conversions", expected: [
            ("Conversions (purchases, won deals)", "\"lead_id\", \"converted_at\", \"revenue\", \"currency\""),
        ])) {
            try f.importer.importFile(source: "conversions", path: path)
        }
        #expect(try f.count("import_runs") == 0)
        #expect(throws: ImportError.unknownSource("tv", known: CoreFormats.sources.map(\.id) + ChannelRegistry.all.map(\.id).sorted())) {
            try f.importer.importFile(source: "tv", path: path)
        }
    }

    @Test func personalIdentifiersAreStoredOnlyAsSaltedHashes() throws {
        let f = try Fixture()
        try f.importText("leads", "leads.csv", leadsCSV)
        try f.warehouse.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: f.dir.file("w.sqlite")))
        #expect(bytes.range(of: Data("an@example.com".utf8)) == nil)
        #expect(bytes.range(of: Data("123 4567".utf8)) == nil)
        let salt = try f.warehouse.identifierSalt()
        let expected = IdentifierHasher(salt: salt).hashEmail(" AN@example.com")
        #expect(try f.warehouse.db.scalarInt("SELECT count(*) FROM leads WHERE email_hash = ?", [.text(expected)]) == 1)
    }

    @Test func webTouchesGetTheirChannelFromThePluginsRules() throws {
        let f = try Fixture()
        try f.importText("leads", "leads.csv", leadsCSV)
        try f.importText("touches", "t.csv", """
            occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event
            2026-01-10T10:00:00Z,L1,facebook,paid_social,Tet Sale,,,visit
            2026-01-10T10:01:00Z,L1,,,,,,visit
            2026-01-10T10:02:00Z,L1,,,,https://www.google.com/,,visit
            2026-01-10T10:02:30Z,L1,partner,banner,,https://partner.example.org/,,visit
            2026-01-10T10:03:00Z,L1,,,,https://l.instagram.com/,,visit
            """)
        var channels: [String] = []
        try f.warehouse.db.query("SELECT channel_id FROM touchpoints ORDER BY occurred_at") { channels.append($0.text(0)!) }
        #expect(channels == ["social", "direct", "seo", "other", "social"])
        #expect(try f.warehouse.db.scalarText("SELECT c.key FROM touchpoints t JOIN campaigns c ON c.id = t.campaign_id") == "tet_sale")
    }
}

@Suite struct FirstTouchTests {
    /// A later file with an earlier touch moves the lead to that touch's channel.
    @Test func everyImportKeepsTheFirstTouchUpToDate() throws {
        let f = try Fixture()
        try f.importText("leads", "leads.csv", leadsCSV)
        let sql = "SELECT ifnull(first_channel, 'none') || '/' || ifnull((SELECT key FROM campaigns WHERE id = first_campaign_id), '-') FROM lead_firsts WHERE lead_id = (SELECT lead_id FROM lead_keys WHERE key = 'L1')"
        #expect(try f.warehouse.db.scalarText(sql) == "none/-")
        try f.importText("touches", "a.csv", "occurred_at,lead_id,utm_source,utm_medium,utm_campaign,event\n2026-01-10T10:00:00Z,L1,newsletter,email,jan,visit\n")
        #expect(try f.warehouse.db.scalarText(sql) == "email/jan")
        try f.importText("touches", "b.csv", "occurred_at,lead_id,utm_source,utm_medium,utm_campaign,event\n2026-01-09T10:00:00Z,L1,facebook,paid_social,tet,visit\n")
        #expect(try f.warehouse.db.scalarText(sql) == "social/tet")
        try f.importText("touches", "c.csv", "occurred_at,lead_id,utm_source,utm_medium,utm_campaign,event\n2026-01-11T10:00:00Z,L1,google,cpc,brand,visit\n")
        #expect(try f.warehouse.db.scalarText(sql) == "social/tet")
    }
}

extension ImportResult.Status {
    var previousAt: Timestamp? {
        if case .alreadyImported(_, let at) = self { return at }
        return nil
    }
}

/// Property: however a set of touch rows is cut into overlapping files and in whatever order
/// they are imported, the warehouse ends with exactly the distinct facts.
@Suite struct IdempotentImportProperty {
    @Test(arguments: 1...12)
    func anySplitOfOverlappingFilesGivesTheDistinctFacts(_ seed: Int) throws {
        var rng = SplitMix(seed: UInt64(seed))
        let f = try Fixture()
        try f.importText("leads", "leads.csv", leadsCSV)
        let header = "occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event\n"
        let kinds = ["visit", "download", "email_open"]
        let rows = (0..<40).map { i in
            "2026-01-\(10 + i % 5)T10:\(10 + i % 7):00Z,\(["L1", "L2"][i % 2]),newsletter,email,jan,,,\(kinds[i % 3])"
        }
        let distinct = Set(rows).count
        for file in 0..<Int(rng.next() % 5 + 2) {
            let start = Int(rng.next() % 40)
            let length = Int(rng.next() % 25 + 1)
            let slice = (start..<min(40, start + length)).map { rows[$0] }.shuffled(using: &rng)
            try f.importText("touches", "part\(file).csv", header + slice.joined(separator: "\n"))
        }
        try f.importText("touches", "all.csv", header + rows.joined(separator: "\n"))
        try f.importText("touches", "all.csv", header + rows.joined(separator: "\n"))
        #expect(try f.count("touchpoints") == distinct)
    }
}

/// Property: web touches written ``TouchWriter/batchSize`` to a statement count and land
/// exactly as one at a time would: files of a few hundred rows (several batches and a remainder)
/// with repeats inside a file, inside one batch, and across files, in any order. The expected
/// counts come from a set of the keys seen so far, not from the warehouse.
extension IdempotentImportProperty {
    @Test(arguments: 1...8)
    func batchedTouchesCountAsOneAtATimeWould(_ seed: Int) throws {
        var rng = SplitMix(seed: UInt64(seed) &* 15_485_863)
        let f = try Fixture()
        try f.importText("leads", "leads.csv", leadsCSV)
        let header = "occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event\n"
        // One source for every row, so that a row's text is its natural key (time, lead, kind; channel email).
        func row(_ n: Int) -> String {
            "2026-01-\(10 + n % 9)T\(10 + n / 9 % 10):\(10 + n / 90 % 40):00Z,\(["L1", "L2"][n / 3600 % 2]),newsletter,email,jan,,,\(["visit", "email_open"][n / 7200 % 2])"
        }
        var seen = Set<String>()
        for file in 0..<5 {
            // Up to 300 rows drawn from 400 keys: repeats within the file and with earlier files.
            let rows = (0..<Int(rng.next() % 300 + 1)).map { _ in row(Int(rng.next() % 400) * 37) }
            var inserted = 0
            for r in rows where seen.insert(r).inserted { inserted += 1 }
            let result = try f.importText("touches", "f\(file).csv", header + rows.joined(separator: "\n") + "\n")
            #expect(result.counts == ImportCounts(read: rows.count, inserted: inserted, unchanged: rows.count - inserted))
        }
        #expect(try f.count("touchpoints") == seen.count)
        try expectTouchColumnsEqualARebuild(f)
    }

    /// The same for a channel's export whose rows carry two touches each (an email platform's
    /// opens and clicks, found by email): a row is new when either of its touches is.
    @Test(arguments: 1...6)
    func batchedChannelTouchesCountAsOneAtATimeWould(_ seed: Int) throws {
        var rng = SplitMix(seed: UInt64(seed) &* 32_452_843)
        let f = try Fixture()
        try f.importText("leads", "leads.csv", leadsCSV)
        func time(_ n: UInt64) -> String { "2026-02-\(10 + n % 9)T1\(n / 9 % 10):\(10 + n / 90 % 20):00Z" }
        var seen = Set<String>()
        for file in 0..<4 {
            var rows: [String] = [], inserted = 0
            for _ in 0..<Int(rng.next() % 250 + 1) {
                let email = ["an@example.com", "binh@example.com"][Int(rng.next() % 2)]
                let opened = time(rng.next() % 300), clicked = rng.next() % 3 == 0 ? "" : time(rng.next() % 300)
                rows.append("\(email),Feb Newsletter,\(opened),\(clicked)")
                let new = [seen.insert("\(email) open \(opened)").inserted, clicked.isEmpty ? false : seen.insert("\(email) click \(clicked)").inserted]
                if new.contains(true) { inserted += 1 }
            }
            let result = try f.importText("email", "e\(file).csv", "email,campaign,opened_at,clicked_at\n" + rows.joined(separator: "\n") + "\n")
            #expect(result.counts == ImportCounts(read: rows.count, inserted: inserted, unchanged: rows.count - inserted))
        }
        #expect(try f.count("touchpoints") == seen.count)
        try expectTouchColumnsEqualARebuild(f)
    }

    /// The leads' first touches and journey rows the runs kept up to date equal a full rebuild.
    private func expectTouchColumnsEqualARebuild(_ f: Fixture) throws {
        let derived = "SELECT lead_id, first_channel, first_touch_at FROM lead_firsts ORDER BY lead_id"
        let journeys = "SELECT lead_id, hex(touches) FROM lead_journeys ORDER BY lead_id"
        let incremental = try f.rows(derived), incrementalJourneys = try f.rows(journeys)
        try f.warehouse.refreshDerivedLeadColumns()
        #expect(try f.rows(derived) == incremental)
        #expect(try f.rows(journeys) == incrementalJourneys)
    }
}

/// Property: the ``LeadFirsts`` rows that import runs keep up to date as they go (creation time,
/// first touch, stage milestones, first conversion) equal a full recomputation from the fact
/// tables, however the facts arrive; and no imported row breaks a foreign key (import runs switch
/// SQLite's per-row checks off and rely on writing only ids they looked up or created).
///
/// The same holds for ``LeadJourneys``' rows, which a run brings up to date by merging its new
/// touches into the packed ones (times repeat across files here, so equal times from different
/// runs must keep table order); with bystander leads (no facts) the run leaves their rows alone.
@Suite struct DerivedLeadColumnsProperty {
    @Test(arguments: 1...8, [false, true])
    func incrementalUpdatesEqualAFullRecomputation(_ seed: Int, _ bystanders: Bool) throws {
        var rng = SplitMix(seed: UInt64(seed) &* 7919)
        let f = try Fixture()
        try f.importText("leads", "leads.csv", leadsCSV)
        if bystanders {
            try f.importText("leads", "bystanders.csv", "lead_id,created_at\n" + (10..<40).map { "B\($0),2026-01-02T00:00:00Z\n" }.joined())
        }
        let leads = ["L1", "L2"]
        let sources = [("facebook", "paid_social", "tet"), ("google", "cpc", "brand"), ("newsletter", "email", "jan"), ("", "", "")]
        func time(_ r: inout SplitMix) -> String { "2026-01-\(10 + Int(r.next() % 9))T\(10 + Int(r.next() % 3)):00:00Z" }
        var touches: [String] = [], stages: [String] = [], conversions: [String] = []
        for _ in 0..<30 {
            let s = sources[Int(rng.next() % 4)]
            touches.append("\(time(&rng)),\(leads[Int(rng.next() % 2)]),\(s.0),\(s.1),\(s.2),,,visit")
        }
        for _ in 0..<12 {
            stages.append("\(leads[Int(rng.next() % 2)]),\(["lead", "mql", "sql", "opportunity", "customer"][Int(rng.next() % 5)]),\(time(&rng))")
        }
        for i in 0..<5 { conversions.append("\(leads[Int(rng.next() % 2)]),\(time(&rng)),10.00,USD,O\(i)") }
        var files: [(String, String, [String])] = []
        for part in 0..<3 {
            func cut(_ rows: [String]) -> [String] { rows.filter { _ in rng.next() % 3 == 0 || part == 2 } }
            files.append(("touches", "occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event", cut(touches)))
            files.append(("stages", "lead_id,stage,changed_at", cut(stages)))
            files.append(("conversions", "lead_id,converted_at,revenue,currency,conversion_id", cut(conversions)))
        }
        // The CRM learns that L2 was created earlier than it said.
        files.append(("leads", "lead_id,created_at", ["L2,2026-01-0\(1 + rng.next() % 5)T08:00:00Z"]))
        for (i, (source, header, rows)) in files.shuffled(using: &rng).enumerated() {
            try f.importText(source, "f\(i).csv", ([header] + rows.shuffled(using: &rng)).joined(separator: "\n") + "\n")
        }
        let derived = """
            SELECT f.lead_id, f.created_at, l.created_at, first_channel, first_campaign_id, first_touch_at, stage_mql_at, stage_sql_at,
                   stage_opportunity_at, stage_customer_at, first_converted_at FROM lead_firsts f JOIN leads l ON l.id = f.lead_id ORDER BY f.lead_id
            """
        let journeys = """
            SELECT lead_id, created_at, ifnull(opportunity_at, '-'), ifnull(customer_at, '-'), hex(touches), hex(conversions)
            FROM lead_journeys ORDER BY lead_id
            """
        let incremental = try f.rows(derived), incrementalJourneys = try f.rows(journeys)
        #expect(incrementalJourneys.count == 2)
        #expect(incremental.count == (bystanders ? 32 : 2) && incremental.allSatisfy { $0[1] == $0[2] })
        try f.warehouse.refreshDerivedLeadColumns()
        #expect(try f.rows(derived) == incremental)
        #expect(try f.rows(journeys) == incrementalJourneys)
        #expect(try f.rows("PRAGMA foreign_key_check").isEmpty)
        #expect(try f.warehouse.db.scalarInt("PRAGMA foreign_keys") == 1)
    }
}

/// Large files take another path (lead keys from a map read once, a rollback journal): they must
/// land exactly what the small-file path lands.
@Suite struct LargeFilePathTests {
    @Test(arguments: 1...4)
    func largeFilePathsLandTheSameFacts(_ seed: Int) throws {
        var rng = SplitMix(seed: UInt64(seed) &* 104_729)
        let header = "occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event"
        let sources = ["facebook,paid_social,tet", "google,cpc,brand", "newsletter,email,jan", ",,"]
        var rows: [String] = []
        for _ in 0..<60 {
            let t = "2026-01-\(10 + Int(rng.next() % 5))T10:\(10 + Int(rng.next() % 3)):00Z"
            rows.append("\(t),\(["L1", "L2"][Int(rng.next() % 2)]),\(sources[Int(rng.next() % 4)]),,,\(["visit", "click"][Int(rng.next() % 2)])")
        }
        let text = ([header] + rows).joined(separator: "\n") + "\n"
        var landed: [[[String]]] = []
        var counts: [ImportCounts] = []
        for large in [false, true] {
            let f = try Fixture()
            if large { f.warehouse.largeImportBytes = 0 }
            try f.importText("leads", "leads.csv", leadsCSV)
            counts.append(try f.importText("touches", "t.csv", text).counts)
            // The touch store's only index is its key (WITHOUT ROWID): nothing else to drop or build.
            #expect(try f.rows("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'touches' ORDER BY name")
                    .isEmpty)
            // A second file, into a table that is no longer empty: every row already there.
            counts.append(try f.importText("touches", "again.csv", text, again: true).counts)
            landed.append(try f.rows("""
                SELECT lead_id, occurred_at, kind, channel_id, ifnull(campaign_id, '-') FROM touchpoints ORDER BY lead_id, occurred_at, kind, channel_id
                """) + f.rows("SELECT lead_id, first_channel, first_touch_at FROM lead_firsts ORDER BY lead_id"))
            #expect(try f.rows("PRAGMA integrity_check") == [["ok"]])
        }
        #expect(landed[0] == landed[1])
        #expect(counts[0] == counts[2] && counts[1] == counts[3])
        #expect(counts[0].inserted == Set(rows).count && counts[0].unchanged == rows.count - Set(rows).count)
    }

    /// The first leads file on the large-file path is written with the leads' indexes dropped
    /// and built at the end (``LeadIdentity/deferIndexes()``): the same leads, merges
    /// (by key, email and phone), counts and rejects as the small-file path, and the indexes back.
    @Test func aFirstLeadsFileLandsTheSameLeadsWithItsIndexesBuiltAtTheEnd() throws {
        let text = """
            lead_id,created_at,email,phone,country
            L1,2026-01-05T09:00:00Z,an@example.com,+84 90 123 4567,VN
            L2,2026-01-06T10:00:00Z,binh@example.com,,
            L3,2026-01-07T11:00:00Z,,+84 90 123 4567,SG
            L4,2026-01-04T11:00:00Z,AN@example.com ,,US
            L1,2026-01-03T09:00:00Z,,+84 91 000 0000,
            L5,2026-01-08T12:00:00Z,not an email,,
            L6,2026-01-09T12:00:00Z,,,
            L6,2026-01-02T12:00:00Z,binh@example.com,,VN

            """
        var landed: [[[String]]] = []
        var results: [[String]] = []
        for large in [false, true] {
            let f = try Fixture()
            if large { f.warehouse.largeImportBytes = 0 }
            let result = try f.importText("leads", "leads.csv", text)
            results.append(["\(result.counts)", "\(result.rejects.map(\.line))"])
            landed.append(try f.rows("""
                SELECT k.key, l.id, l.created_at, l.email_hash IS NOT NULL, l.phone_hash IS NOT NULL, ifnull(l.country, '-'), f.created_at
                FROM lead_keys k JOIN leads l ON l.id = k.lead_id JOIN lead_firsts f ON f.lead_id = l.id ORDER BY k.key
                """))
            #expect(try f.rows("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads' ORDER BY name")
                    == [["leads_by_created_at"], ["leads_by_email"], ["leads_by_phone"]])
            #expect(try f.rows("PRAGMA integrity_check") == [["ok"]])
        }
        #expect(landed[0] == landed[1])
        #expect(results[0] == results[1])
        // L4 is L1 by its email, L3 is L1 by its phone; L6 takes no email that L2 has.
        #expect(Set(landed[1].filter { ["L1", "L3", "L4"].contains($0[0]) }.map { $0[1] }).count == 1)
        #expect(landed[1].first { $0[0] == "L6" }?[3] == "0")
    }

    /// A channel's export whose rows find their leads by email (from memory on this path) gives
    /// them their first touch and journey rows.
    @Test func aPluginExportFindingLeadsByEmailSetsTheirFirstTouch() throws {
        let f = try Fixture()
        f.warehouse.largeImportBytes = 0
        try f.importText("leads", "leads.csv", leadsCSV)
        let result = try f.importText("email", "engagement.csv", """
            email,campaign,opened_at,clicked_at
            an@example.com,Jan Newsletter,2026-01-10T08:00:00Z,2026-01-10T08:05:00Z
            binh@example.com,Jan Newsletter,2026-01-11T09:00:00Z,
            an@example.com,Jan Newsletter,2026-01-10T08:00:00Z,2026-01-10T08:05:00Z

            """)
        #expect(result.rejects.isEmpty)
        #expect(try f.count("touchpoints") == 3)
        #expect(try f.rows("""
            SELECT k.key, f.first_channel, datetime(f.first_touch_at, 'unixepoch') FROM lead_firsts f JOIN lead_keys k ON k.lead_id = f.lead_id ORDER BY k.key
            """) == [["L1", "email", "2026-01-10 08:00:00"], ["L2", "email", "2026-01-11 09:00:00"]])
        #expect(try f.count("lead_journeys") == 2)
    }

    /// An email platform's export of many batches on the large-file path: once the writer
    /// has read the leads' email hashes, the parsing side finds each row's lead. The same
    /// touches, counts and rejects (an email no lead has) as the small-file path, where the
    /// writer looks each one up in the index.
    @Test func anEmailExportOfManyBatchesLandsTheSameTouchesOnBothPaths() throws {
        let emails = ["an@example.com", "BINH@example.com", "chi@example.com", "nobody@example.com"]
        var lines = ["email,campaign,opened_at,clicked_at"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        // More batches than the queue between the threads holds, so that the parsing side
        // cannot be done before the writer has read the hashes.
        for i in 0..<(16 * RowPipeline.batchSize) {
            let at = "2026-01-\(two(10 + i / 1_440))T\(two(i / 60 % 24)):\(two(i % 60))"
            lines.append("\(emails[i % emails.count]),Jan Newsletter,\(at):00Z,\(i % 3 == 0 ? "\(at):30Z" : "")")
        }
        let text = lines.joined(separator: "\n") + "\n"
        var landed: [[[String]]] = []
        var results: [[String]] = []
        for large in [false, true] {
            let f = try Fixture()
            if large { f.warehouse.largeImportBytes = 0 }
            try f.importText("leads", "leads.csv", leadsCSV)
            let result = try f.importText("email", "engagement.csv", text)
            results.append(["\(result.counts)", "\(result.rejects.count)"])
            landed.append(try f.rows("""
                SELECT k.key, t.occurred_at, t.kind FROM touchpoints t JOIN lead_keys k ON k.lead_id = t.lead_id ORDER BY t.occurred_at, t.kind, k.key
                """) + f.rows("SELECT lead_id, first_touch_at FROM lead_firsts ORDER BY lead_id"))
        }
        #expect(landed[0] == landed[1])
        #expect(results[0] == results[1])
        #expect(landed[1].count > 8 * RowPipeline.batchSize)
    }

    /// A large file is written with a rollback journal (seen from inside the run, through the
    /// progress callback), and the warehouse is in WAL mode again after it; a small one, or a
    /// large one while another connection has the warehouse open, keeps the WAL. The rows are
    /// the same either way.
    @Test func largeFilesAreWrittenWithARollbackJournal() throws {
        func journalModeDuringImport(largeFileBytes: Int64, otherConnection: Bool = false) throws -> (during: Set<String>, after: String?, rows: [[String]]) {
            let f = try Fixture()
            let other = otherConnection ? try Database(path: f.warehouse.path) : nil
            _ = try other?.scalarInt("SELECT count(*) FROM leads")
            f.warehouse.largeImportBytes = largeFileBytes
            f.importer.progressInterval = 1
            var during: Set<String> = []
            f.importer.progress = { _ in during.insert((try? f.warehouse.db.scalarText("PRAGMA journal_mode")) ?? "?") }
            let result = try f.importText("leads", "leads.csv", leadsCSV)
            #expect(result.counts == ImportCounts(read: 5, inserted: 2, rejected: 3))
            return (during, try f.warehouse.db.scalarText("PRAGMA journal_mode"),
                    try f.rows("SELECT k.key, l.created_at, l.country FROM leads l JOIN lead_keys k ON k.lead_id = l.id ORDER BY k.key"))
        }
        let large = try journalModeDuringImport(largeFileBytes: 0)
        #expect(large.during == ["delete"] && large.after == "wal")
        let small = try journalModeDuringImport(largeFileBytes: 1 << 20)
        #expect(small.during == ["wal"] && small.after == "wal")
        let shared = try journalModeDuringImport(largeFileBytes: 0, otherConnection: true)
        #expect(shared.during == ["wal"] && shared.after == "wal")
        #expect(large.rows == small.rows && large.rows == shared.rows && large.rows.count == 2)
    }

    /// A run rolled back after its end-of-run updates (a killed import) leaves every derived row
    /// as it was.
    @Test func aRolledBackRunKeepsTheDerivedRows() throws {
        let f = try Fixture()
        try f.importText("leads", "leads.csv", leadsCSV)
        let lead = try #require(try f.warehouse.db.scalarInt("SELECT lead_id FROM lead_keys WHERE key = 'L1'"))
        let derived = "SELECT lead_id, created_at, first_channel, first_touch_at FROM lead_firsts ORDER BY lead_id"
        let before = try f.rows(derived)
        let writer = try f.warehouse.beginImport(.file(source: "touches", format: "web-touches", fileName: "t.csv"), bytes: 0, startedAt: 0)
        #expect(try writer.touches.insert(TouchRow(leadID: lead, at: Timestamp(secondsSinceEpoch: 100), channel: "direct", campaignID: nil, kind: .visit)) == .inserted)
        #expect(try writer.touches.insert(TouchRow(leadID: lead, at: Timestamp(secondsSinceEpoch: 100), channel: "direct", campaignID: nil, kind: .visit)) == .unchanged)
        try writer.scope.derived.apply(f.warehouse.db)  // what a commit does before COMMIT
        #expect(try f.rows(derived) != before)
        writer.rollback()
        #expect(try f.rows(derived) == before)
        #expect(try f.count("touchpoints") == 0)
        #expect(try f.count("lead_journeys") == 0)
    }
}

/// A channel whose rows carry a touch of one lead, then a touch of another or the day's cost:
/// rows that are partly batched touches and turn out not to be, or fail halfway.
struct MixedRowChannel: ChannelPlugin {
    let id = "mixed"
    let displayName = "Mixed rows"
    let summary = "A test channel"
    let metrics: [MetricDefinition] = []
    let touchRule: TouchRule? = nil
    var formats: [ExportFormat] {
        [ExportFormat(id: "mixed", title: "Mixed rows", summary: "", columns: [
            ColumnSpec("first", names: ["first"], description: ""),
            ColumnSpec("second", names: ["second"], required: false, description: ""),
            ColumnSpec("at", names: ["at"], description: ""),
            ColumnSpec("spend", names: ["spend"], required: false, description: ""),
        ], example: "first,second,at,spend\nL1,L2,2026-01-10T08:00:00Z,\n") { (row) throws(RowError) in
            let at = try row.timestamp("at")
            var records: [ChannelRecord] = [.touch(TouchRecord(lead: .key(try row.required("first")), at: at, kind: .click, campaign: nil))]
            if let second = row.value("second"), !second.isEmpty {
                records.append(.touch(TouchRecord(lead: .key(second), at: at, kind: .click, campaign: nil)))
            }
            if let spend = row.value("spend"), !spend.isEmpty {
                records.append(.cost(CostRecord(day: at.day, campaign: nil, amount: try row.money("spend", currency: Currency("USD")!))))
            }
            return records
        }]
    }
}

@Suite struct MixedRowTests {
    /// A row whose second touch names no known lead is refused whole (its first touch is not
    /// written); a row of a touch and a cost is written record by record, its touch once; the
    /// rows around them land. The same on the large-file path, where the parsing side resolves
    /// the lead keys.
    @Test(arguments: [false, true])
    func batchedRowsThatFailOrAreNotAllTouchesLeaveNoTouchBehind(large: Bool) throws {
        let f = try ImportFixture(channels: ChannelRegistry.all + [MixedRowChannel()])
        if large { f.warehouse.largeImportBytes = 0 }
        try f.importText("leads", "leads.csv", leadsCSV)
        let result = try f.importText("mixed", "mixed.csv", """
            first,second,at,spend
            L1,L2,2026-01-10T08:00:00Z,
            L1,NOPE,2026-01-11T08:00:00Z,
            L2,,2026-01-12T08:00:00Z,5.00
            L1,,2026-01-13T08:00:00Z,

            """)
        #expect(result.counts == ImportCounts(read: 4, inserted: 3, rejected: 1))
        #expect(result.rejects.map(\.line) == [3])
        #expect(try f.rows("SELECT k.key, t.occurred_at FROM touchpoints t JOIN lead_keys k ON k.lead_id = t.lead_id ORDER BY t.occurred_at, k.key") == [
            ["L1", "1768032000"], ["L2", "1768032000"], ["L2", "1768204800"], ["L1", "1768291200"],
        ])
        #expect(try f.rows("SELECT day, amount_minor FROM costs WHERE channel_id = 'mixed'") == [["2026-01-12", "500"]])
    }
}
