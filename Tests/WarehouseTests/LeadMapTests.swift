import Testing
import ChannelKit
import TestSupport
@testable import Warehouse

@Suite struct LeadMapTests {
    @Test func keepsValuesByLeadAndListsThemInIdOrder() {
        var table = LeadMap<String>()
        #expect(table.isEmpty)
        table[42] = "b"
        table[7] = "a"
        table[-3] = "negative"
        table[1 << 40] = "far"
        table.update(7, default: "") { $0 += "!" }
        table.update(9, default: "new") { $0 += "?" }
        #expect(table[7] == "a!")
        #expect(table[9] == "new?")
        #expect(table[8] == nil)
        #expect(table.count == 5)
        #expect(table.leads == [-3, 7, 9, 42, 1 << 40])
        table[42] = nil
        table[42] = nil
        #expect(table.count == 4)
        #expect(table.leads == [-3, 7, 9, 1 << 40])
    }

    /// Second route: a `Dictionary` under the same random operations — sets, removals and
    /// in-place updates of ids dense from 0, scattered over a few pages, beyond 2³¹ or
    /// negative — holds the same values, count and order after every step.
    @Test(arguments: 0..<20) func behavesAsADictionary(seed: Int) {
        var rng = SplitMix(seed: UInt64(seed))
        var table = LeadMap<Int>()
        var model: [Int64: Int] = [:]
        for step in 0..<3_000 {
            let lead: Int64 = switch Int.random(in: 0..<10, using: &rng) {
            case 0: -Int64.random(in: 1...50, using: &rng)
            case 1: Int64.random(in: 4_000...16_000, using: &rng)
            case 2: Int64.random(in: 1 << 40 ... 1 << 41, using: &rng)
            default: Int64.random(in: 0...Int64(step) + 10, using: &rng)
            }
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: table[lead] = nil; model[lead] = nil
            case 1: table.update(lead, default: 100) { $0 += step }; model[lead, default: 100] += step
            default: table[lead] = step; model[lead] = step
            }
            #expect(table[lead] == model[lead])
            if step % 500 == 499 {
                #expect(table.count == model.count)
                var listed: [(Int64, Int)] = []
                table.forEach { listed.append(($0, $1)) }
                #expect(listed.map(\.0) == model.keys.sorted())
                #expect(listed.allSatisfy { model[$0.0] == $0.1 })
            }
        }
    }
}

/// A run keeps the touches it inserts for the journey rows at its end, up to a limit; past it,
/// it reads them back from `touchpoints`. Either way the rows equal a full rebuild — over two
/// runs, the second adding touches (some at the same second as the first run's) to journeys
/// the first one packed.
@Suite struct RunTouchesTests {
    @Test(arguments: [0, 3, 8_000_000])
    func journeyRowsEqualAFullRebuildWhetherTouchesAreKeptOrReadBack(limit: Int) throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: [])
        var rng = SplitMix(seed: UInt64(limit) &+ 11)
        var leads: [Int64] = []
        for run in 0..<2 {
            do {
                let writer = try w.beginImport(.file(source: "touches", format: "web-touches", fileName: "f\(run).csv"), bytes: 0, startedAt: 0)
                writer.scope.derived.keptTouchLimit = limit
                if run == 0 {
                    for k in 0..<6 {
                        leads.append(try writer.leads.upsert(LeadRecord(key: "L\(k)", createdAt: Timestamp(secondsSinceEpoch: 0)), emailHash: nil, phoneHash: nil).id)
                    }
                }
                let channels = ["direct", "other", "direct"]
                func touch() -> TouchRow {
                    TouchRow(leadID: leads[Int(rng.next() % 6)], at: Timestamp(secondsSinceEpoch: Int64(rng.next() % 20)),
                             channel: channels[Int(rng.next() % 3)], campaignID: nil, kind: [.visit, .click][Int(rng.next() % 2)])
                }
                // A batch of more than one statement's worth and a remainder, then single touches.
                _ = try writer.touches.insert((0..<(TouchWriter.batchSize + 9)).map { _ in touch() })
                for _ in 0..<7 { _ = try writer.touches.insert(touch()) }
                try writer.commit(ImportCounts(), sha256: String(repeating: "\(run)", count: 64), bytes: 0, finishedAt: 0)
            }
        }
        let journeys = "SELECT lead_id, hex(touches), hex(conversions) FROM lead_journeys ORDER BY lead_id"
        let kept = try rows(w, journeys)
        #expect(kept.count == 6)
        try w.refreshDerivedLeadColumns()
        #expect(try rows(w, journeys) == kept)
    }

    private func rows(_ w: Warehouse, _ sql: String) throws -> [[String]] {
        var out: [[String]] = []
        try w.db.query(sql) { s in out.append((0..<s.columnCount).map { s.text($0) ?? "∅" }) }
        return out
    }
}
