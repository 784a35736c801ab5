import Testing
import Dispatch
import TestSupport
@testable import Warehouse

/// The pieces a partial ``LeadJourneys`` rebuild runs on two threads with: the queue between
/// them and the packing side. That the rows they write equal a full rebuild is the property test
/// `DerivedLeadColumnsProperty` (with bystander leads the few changed ones are searched through a
/// temporary table, without them a scan picks them out) and `RunTouchesTests`.
@Suite struct PackedJourneyStreamTests {
    /// Second route: each lead's journey as ``JourneyPacker`` packs its facts in time order,
    /// over more leads than the queue holds at once; leads asked out of the list, or skipped,
    /// get nothing or are dropped.
    @Test(arguments: 0..<4) func packsEveryLeadAsThePackerDoes(seed: Int) {
        var rng = SplitMix(seed: UInt64(seed) &+ 5)
        let channels: [[UInt8]] = [Array("direct".utf8), Array("paid_social".utf8)], currencies: [[UInt8]] = [Array("USD".utf8)]
        let high: Int64 = 60_000
        var touches = LeadFactBuckets(low: 1, high: high), conversions = LeadFactBuckets(low: 1, high: high)
        var facts: [Int64: (touches: [LeadFact], conversions: [LeadFact])] = [:]
        for _ in 0..<90_000 {
            let lead = Int64(rng.next() % UInt64(high)) + 1
            let fact = LeadFact(lead: lead, at: Int64(rng.next() % 1_000), value: Int64(rng.next() % 3) - 1, kind: UInt8(rng.next() % 4),
                                code: UInt16(rng.next() % 2))
            if rng.next() % 5 == 0 {
                let conversion = LeadFact(lead: lead, at: fact.at, value: fact.at * 100, code: 0)
                conversions.append(conversion)
                facts[lead, default: ([], [])].conversions.append(conversion)
            } else {
                touches.append(fact)
                facts[lead, default: ([], [])].touches.append(fact)
            }
        }
        let stream = PackedJourneyStream(touches: touches, conversions: conversions, channels: channels, currencies: currencies)
        defer { stream.stop() }
        var packer = JourneyPacker()
        for lead in stride(from: Int64(1), through: high + 5, by: 1) where lead % 7 != 3 {
            let journey = stream.journey(of: lead)
            packer.reset()
            // Ties on time keep the order the facts came in (a stable sort).
            for f in facts[lead]?.touches.enumerated().sorted(by: { ($0.1.at, $0.0) < ($1.1.at, $1.0) }).map(\.1) ?? [] {
                channels[Int(f.code)].withUnsafeBufferPointer { packer.addTouch(at: f.at, kind: Int(f.kind), channel: $0, campaignID: f.value < 0 ? nil : f.value) }
            }
            for f in facts[lead]?.conversions.enumerated().sorted(by: { ($0.1.at, $0.0) < ($1.1.at, $1.0) }).map(\.1) ?? [] {
                currencies[0].withUnsafeBufferPointer { packer.addConversion(at: f.at, revenueMinor: f.value, currency: $0) }
            }
            #expect(Array(journey.touches) == packer.touches && Array(journey.conversions) == packer.conversions, "lead \(lead)")
        }
    }

    /// The writer may stop early (it failed): the packing thread must not stay blocked.
    @Test func stoppingEarlyEndsThePackingThread() {
        var touches = LeadFactBuckets(low: 1, high: 100_000)
        for lead in 1...Int64(100_000) { touches.append(LeadFact(lead: lead, at: 0, value: -1, code: 0)) }
        let stream = PackedJourneyStream(touches: touches, conversions: LeadFactBuckets(low: 1, high: 100_000),
                                         channels: [Array("direct".utf8)], currencies: [])
        #expect(!stream.journey(of: 1).touches.isEmpty)
        let stopped = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            stream.stop()
            stopped.signal()
        }
        // A deadlock guard, not a timing assertion: it stops long before.
        #expect(stopped.wait(timeout: .now() + 30) == .success)
    }
}

/// A count several threads add to.
