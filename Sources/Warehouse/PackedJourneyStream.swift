import Dispatch
import Parallelism

/// The journeys of the leads in a rebuild's fact buckets, packed on another thread, in lead
/// order, while the rebuild writes them on its own: packing is a large share of a rebuild's
/// work, and the other core is otherwise idle at the end of an import (docs/benchmarks.md,
/// "Why the code is shaped so"). At most a few chunks of
/// ``chunkSize`` leads wait at a time; the buckets go back to memory as they are packed.
final class PackedJourneyStream: @unchecked Sendable {
    /// Several leads' packed journeys: lead `k`'s touches end at `ends[2k]` in `bytes`, its
    /// conversions (which follow them) at `ends[2k + 1]`.
    struct Chunk: Sendable {
        var leads: [Int64] = []
        var ends: [Int] = []
        var bytes: [UInt8] = []
    }

    static let chunkSize = 4_096
    private let handoff = Handoff<Chunk?>(capacity: 8)
    private let packed = DispatchSemaphore(value: 0)
    // The packing thread's, from the start on.
    private var facts: (touches: LeadFactBuckets, conversions: LeadFactBuckets)?
    private let channels: [[UInt8]], currencies: [[UInt8]]
    // The writing thread's.
    private var chunk = Chunk()
    private var position = 0
    private var ended = false

    /// Starts packing the journeys of every lead with a fact in `touches` or `conversions`,
    /// whose codes are indexes in `channels` and `currencies`.
    init(touches: consuming LeadFactBuckets, conversions: consuming LeadFactBuckets, channels: [[UInt8]], currencies: [[UInt8]]) {
        facts = (touches, conversions)
        self.channels = channels
        self.currencies = currencies
        startThread { [self] in pack() }
    }

    /// The packed touches and conversions of `lead` (empty when it has none of either). Leads
    /// must come in increasing order; the journeys of leads skipped are dropped.
    func journey(of lead: Int64) -> (touches: ArraySlice<UInt8>, conversions: ArraySlice<UInt8>) {
        while !ended {
            if position < chunk.leads.count {
                let next = chunk.leads[position]
                if next > lead { break }
                position += 1
                guard next == lead else { continue }
                let k = position - 1
                let start = k == 0 ? 0 : chunk.ends[2 * k - 1]
                return (chunk.bytes[start ..< chunk.ends[2 * k]], chunk.bytes[chunk.ends[2 * k] ..< chunk.ends[2 * k + 1]])
            }
            if let next = handoff.pop() {
                chunk = next
                position = 0
            } else {
                ended = true
            }
        }
        return ([], [])
    }

    /// Stops the packing thread if it is not done (the writer failed, or needs no more) and
    /// waits until it has ended, its memory given back.
    func stop() {
        handoff.cancel()
        packed.wait()
    }

    private func pack() {
        defer { packed.signal() }
        guard var (touches, conversions) = facts.take() else { return }
        var packer = JourneyPacker()
        var chunk = Chunk()
        while true {
            let lead = min(touches.nextLead() ?? .max, conversions.nextLead() ?? .max)
            if lead == .max { break }
            packer.reset()
            touches.forEach(of: lead) { f in
                channels[Int(f.code)].withUnsafeBufferPointer { channel in
                    packer.addTouch(at: f.at, kind: Int(f.kind), channel: channel, campaignID: f.value < 0 ? nil : f.value)
                }
            }
            conversions.forEach(of: lead) { f in
                currencies[Int(f.code)].withUnsafeBufferPointer { packer.addConversion(at: f.at, revenueMinor: f.value, currency: $0) }
            }
            chunk.leads.append(lead)
            chunk.bytes.append(contentsOf: packer.touches)
            chunk.ends.append(chunk.bytes.count)
            chunk.bytes.append(contentsOf: packer.conversions)
            chunk.ends.append(chunk.bytes.count)
            if chunk.leads.count == Self.chunkSize {
                guard handoff.push(chunk) else { return }
                chunk = Chunk()
            }
        }
        if !chunk.leads.isEmpty { guard handoff.push(chunk) else { return } }
        _ = handoff.push(nil)
    }
}
