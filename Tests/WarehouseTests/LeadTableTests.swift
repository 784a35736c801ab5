import Testing
import TestSupport
@testable import Warehouse

@Suite struct LeadTableTests {
    @Test func keepsValuesByLeadAndListsThemInIdOrder() {
        var table = LeadTable<String>()
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
        var table = LeadTable<Int>()
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
