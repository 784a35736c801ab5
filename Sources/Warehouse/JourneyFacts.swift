import ChannelKit

/// Where a partial rebuild of touches finds an import run's new touches.
enum NewTouches {
    /// As the run kept them.
    case kept(RunTouches)
    /// In `touches`, above this id (the largest before the run).
    case above(id: Int64)
}

/// The touches an import run inserted, in the order it inserted them (touchpoint id order),
/// kept as it writes them for the journey rows it brings up to date at its end, rather than
/// read back from the table (docs/benchmarks.md, "Why the code is shaped so"). 32 bytes a
/// touch, in blocks of 64 k (no array of millions copied as it grows), each block let go as the
/// rebuild takes it. The writer stops keeping them past ``DerivedRowTracker/keptTouchLimit``.
struct RunTouches {
    private var blocks: [[LeadFact]] = []
    /// Channel ids by their code in the facts (``LeadFact/code``).
    private(set) var channels: [[UInt8]] = []
    /// Those codes by the channel's code in the store.
    private var codesByStoreCode: [UInt16?] = []
    private static let blockSize = 1 << 16
    private(set) var count = 0

    /// `channelCode` (the store's) finds the channel's code here without comparing its name.
    mutating func append(lead: Int64, at: Int64, kind: TouchKind, channelCode: Int64, channel: String, campaignID: Int64?, id: Int64) {
        let code: UInt16
        if channelCode >= 0, channelCode < Int64(codesByStoreCode.count), let known = codesByStoreCode[Int(channelCode)] {
            code = known
        } else {
            var channel = channel
            code = channel.withUTF8 { LeadJourneys.code($0, in: &channels) }
            if channelCode >= 0, channelCode < 4_096 {
                if Int(channelCode) >= codesByStoreCode.count { codesByStoreCode += Array(repeating: nil, count: Int(channelCode) + 1 - codesByStoreCode.count) }
                codesByStoreCode[Int(channelCode)] = code
            }
        }
        if blocks.isEmpty || blocks[blocks.count - 1].count == Self.blockSize {
            blocks.append([])
            blocks[blocks.count - 1].reserveCapacity(Self.blockSize)
        }
        count += 1
        blocks[blocks.count - 1].append(LeadFact(lead: lead, at: at, value: campaignID ?? -1, kind: UInt8(LeadJourneys.kindCode(kind)), code: code, order: id))
    }

    /// Calls `body` with every fact in order, letting each block go once it is done.
    mutating func drain(_ body: (LeadFact) -> Void) {
        blocks.reverse()
        while let block = blocks.popLast() { block.forEach(body) }
    }
}

/// One touch or conversion of a rebuild, as read in table (id) order: the lead, the time, a
/// value (touches: the campaign id or -1; conversions: the revenue), the kind code (touches)
/// and the channel or currency code.
struct LeadFact {
    var lead: Int64
    var at: Int64
    var value: Int64
    var kind: UInt8 = 0
    var code: UInt16
    /// What orders facts of one lead at the same second: a touch's id (0 for facts already in
    /// order, such as packed touches read back, which stay before new ones), then the read order.
    var order: Int64 = 0
}

/// Facts put in (lead, time, id) order without one random memory access per fact: appended as
/// read into buckets of consecutive lead ids (256 of them), then each bucket — small enough for
/// the CPU caches — ordered by a counting sort on the lead when the walk reaches it.
struct LeadFactBuckets {
    private let low: Int64
    private let shift: Int64
    private var buckets: [[LeadFact]]
    private var bucket = -1, position = 0
    private var order: [Int32] = []

    /// Buckets for leads `low...high`.
    init(low: Int64, high: Int64) {
        self.low = low
        let span = UInt64(bitPattern: max(0, high &- low)) + 1
        shift = Int64(max(0, UInt64.bitWidth - span.leadingZeroBitCount - 8))
        buckets = Array(repeating: [], count: Int((span - 1) >> UInt64(shift)) + 1)
    }

    mutating func append(_ fact: LeadFact) {
        // Leads outside the range cannot exist (foreign keys); the end buckets take them if they do.
        let b = fact.lead < low ? 0 : min(buckets.count - 1, Int((fact.lead &- low) >> shift))
        buckets[b].append(fact)
    }

    /// Calls `body` with the facts of `lead`, in time order (ties in table order), skipping
    /// those of smaller leads. Leads must come in increasing order.
    mutating func forEach(of lead: Int64, _ body: (LeadFact) -> Void) {
        while let next = nextLead(), next <= lead {
            let f = buckets[bucket][Int(order[position])]
            if next == lead { body(f) }
            position += 1
        }
    }

    /// The lead of the next fact not walked yet (the smallest lead left), nil after the last.
    mutating func nextLead() -> Int64? {
        while bucket < buckets.count {
            if bucket >= 0 && position < order.count { return buckets[bucket][Int(order[position])].lead }
            // The next bucket: the finished one's memory goes back.
            if bucket >= 0 { buckets[bucket] = [] }
            bucket += 1
            order = bucket < buckets.count ? Self.leadTimeOrder(buckets[bucket]) : []
            position = 0
        }
        return nil
    }

    /// Positions in (lead, time, id) order: a counting sort by lead, then each lead's few facts
    /// by time, ties by their ``LeadFact/order`` then in read order.
    static func leadTimeOrder(_ facts: [LeadFact]) -> [Int32] {
        guard let low = facts.lazy.map(\.lead).min(), let high = facts.lazy.map(\.lead).max() else { return [] }
        var starts = [Int](repeating: 0, count: Int(high - low) + 2)
        for f in facts { starts[Int(f.lead - low) + 1] += 1 }
        for k in 1..<starts.count { starts[k] += starts[k - 1] }
        var order = [Int32](repeating: 0, count: facts.count)
        var next = starts
        for (i, f) in facts.enumerated() {
            order[next[Int(f.lead - low)]] = Int32(i)
            next[Int(f.lead - low)] += 1
        }
        for k in 0..<(starts.count - 1) where starts[k + 1] - starts[k] > 1 {
            order[starts[k]..<starts[k + 1]].sort { (facts[Int($0)].at, facts[Int($0)].order, $0) < (facts[Int($1)].at, facts[Int($1)].order, $1) }
        }
        return order
    }
}
