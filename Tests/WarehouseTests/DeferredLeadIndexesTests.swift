import Testing
import ChannelKit
import TestSupport
@testable import Warehouse

/// A bulk load of the first leads drops the leads' indexes and answers from memory meanwhile
/// (``DeferredLeadIndexes``): every answer and every row must be what the indexes give.
@Suite struct DeferredLeadIndexesTests {
    let dir = TemporaryDirectory()

    static let indexNames = DeferredLeadIndexes.names.sorted()

    func indexes(_ warehouse: Warehouse) throws -> [String] {
        var sql: [String] = []
        try warehouse.db.query("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads' ORDER BY name") { sql.append($0.text(0) ?? "") }
        return sql
    }

    func writer(_ warehouse: Warehouse) throws -> ImportSink {
        try warehouse.beginImport(.file(source: "test", format: "test", fileName: "t.csv"), bytes: 0, startedAt: 0)
    }

    func finish(_ writer: ImportSink) throws {
        try writer.commit(ImportCounts(), sha256: String(repeating: "0", count: 64), bytes: 0, finishedAt: 0)
    }

    /// A 64-hex-digit hash (what ``IdentifierHasher`` writes) for `n`.
    static func hash(_ kind: Character, _ n: Int) -> String {
        String(repeating: "0", count: 61) + String(kind) + String(n, radix: 16).leftPadded(to: 2)
    }

    @Test func dropsTheIndexesOnlyWhenThereIsNoLead() throws {
        let empty = try Warehouse(path: dir.file("empty.sqlite"), channels: [])
        let before = try indexes(empty)
        #expect(before.count == 3)
        let w = try writer(empty)
        #expect(try w.leads.deferIndexes())
        #expect(try indexes(empty).isEmpty)
        _ = try w.leads.upsert(LeadRecord(key: "A", createdAt: Timestamp(secondsSinceEpoch: 1)), emailHash: Self.hash("e", 1), phoneHash: nil)
        try finish(w)
        #expect(try indexes(empty) == before)

        // Now it has a lead: the next run keeps them.
        let next = try writer(empty)
        #expect(try !next.leads.deferIndexes())
        #expect(try indexes(empty) == before)
    }

    @Test func aRolledBackRunKeepsTheIndexes() throws {
        let warehouse = try Warehouse(path: dir.file("rollback.sqlite"), channels: [])
        let before = try indexes(warehouse)
        let w = try writer(warehouse)
        #expect(try w.leads.deferIndexes())
        _ = try w.leads.upsert(LeadRecord(key: "A", createdAt: Timestamp(secondsSinceEpoch: 1)), emailHash: Self.hash("e", 1), phoneHash: nil)
        w.rollback()
        #expect(try indexes(warehouse) == before)
        #expect(try warehouse.db.scalarInt("SELECT count(*) FROM leads") == 0)
    }

    /// A hash this writer's hasher never writes cannot be a key of the maps: the indexes are
    /// built at once and answer from then on.
    @Test func aHashOfAnotherShapeBuildsTheIndexesAtOnce() throws {
        let warehouse = try Warehouse(path: dir.file("odd.sqlite"), channels: [])
        let w = try writer(warehouse)
        #expect(try w.leads.deferIndexes())
        let usual = try w.leads.upsert(LeadRecord(key: "U", createdAt: Timestamp(secondsSinceEpoch: 1)), emailHash: Self.hash("e", 1), phoneHash: nil).id
        let odd = try w.leads.upsert(LeadRecord(key: "O", createdAt: Timestamp(secondsSinceEpoch: 1)), emailHash: "h-odd", phoneHash: nil).id
        #expect(try indexes(warehouse).count == 3)
        #expect(try w.leads.leadID(forEmailHash: "h-odd") == odd)
        #expect(try w.leads.leadID(forEmailHash: Self.hash("e", 1)) == usual)
        #expect(try w.leads.upsert(LeadRecord(key: "X", createdAt: Timestamp(secondsSinceEpoch: 1)), emailHash: Self.hash("e", 1), phoneHash: nil).id == usual)
    }

    /// Property: the same random upserts (a few keys, emails and phones, shared and missing,
    /// so that leads merge by key, by email and by phone, and a merge meets an email another
    /// lead has) give the same ids, outcomes, lookups and rows with the indexes deferred as with
    /// the indexes kept.
    @Test(arguments: 0..<12) func answersAsTheIndexesDo(seed: UInt64) throws {
        var rng = SplitMix(seed: seed)
        let kept = try Warehouse(path: dir.file("kept-\(seed).sqlite"), channels: [])
        let bulk = try Warehouse(path: dir.file("bulk-\(seed).sqlite"), channels: [])
        let viaIndexes = try writer(kept), viaMemory = try writer(bulk)
        #expect(try viaMemory.leads.deferIndexes())
        for _ in 0..<Int.random(in: 20...120, using: &rng) {
            let key: String? = Int.random(in: 0..<5, using: &rng) == 0 ? nil : "K\(Int.random(in: 0..<30, using: &rng))"
            let email = Int.random(in: 0..<3, using: &rng) == 0 ? nil : Self.hash("e", Int.random(in: 0..<20, using: &rng))
            let phone = Int.random(in: 0..<2, using: &rng) == 0 ? nil : Self.hash("f", Int.random(in: 0..<8, using: &rng))
            let attributes = LeadAttributes(country: Bool.random(using: &rng) ? "VN" : nil, industry: Bool.random(using: &rng) ? "retail" : nil)
            let lead = LeadRecord(key: key, createdAt: Timestamp(secondsSinceEpoch: Int64.random(in: 0..<1_000, using: &rng)), attributes: attributes)
            let a = try viaIndexes.leads.upsert(lead, emailHash: email, phoneHash: phone)
            let b = try viaMemory.leads.upsert(lead, emailHash: email, phoneHash: phone)
            #expect(a.id == b.id && a.outcome == b.outcome)
            let asked = Self.hash("e", Int.random(in: 0..<20, using: &rng))
            #expect(try viaIndexes.leads.leadID(forEmailHash: asked) == viaMemory.leads.leadID(forEmailHash: asked))
        }
        try finish(viaIndexes)
        try finish(viaMemory)
        #expect(try indexes(bulk) == indexes(kept))
        for table in ["leads", "lead_keys", "lead_firsts"] {
            #expect(try rows(of: table, in: bulk) == rows(of: table, in: kept), "\(table)")
        }
    }

    func rows(of table: String, in warehouse: Warehouse) throws -> [String] {
        let columns = try Int(warehouse.db.scalarInt("SELECT count(*) FROM pragma_table_info(?)", [.text(table)]) ?? 0)
        var rows: [String] = []
        try warehouse.db.query("SELECT * FROM \(table) ORDER BY 1") { row in
            rows.append((0..<Int32(columns)).map { row.text($0) ?? "∅" }.joined(separator: "|"))
        }
        return rows
    }
}

private extension String {
    func leftPadded(to length: Int) -> String { String(repeating: "0", count: max(0, length - count)) + self }
}
