import ChannelKit
import Dispatch
import Parallelism
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// # Lead journeys — each lead's touches and conversions, packed in one row
///
/// Attribution walks every lead's touches in time order. Read from `touches`, that is one
/// index entry per touch: 7.4 M entries for 1 M leads, seconds of SQLite work before a model
/// runs. The derived table `lead_journeys` (migration core.7) holds the same facts as one row
/// per lead that has a touch or a conversion:
///
/// | column | holds |
/// |---|---|
/// | `lead_id` | the lead |
/// | `created_at`, `opportunity_at`, `customer_at` | copies of ``LeadFirsts``' `created_at`, `stage_opportunity_at`, `stage_customer_at` |
/// | `touches` | every touchpoint of the lead in (`occurred_at`, `id`) order, packed |
/// | `conversions` | every conversion of the lead in `converted_at` order, packed |
///
/// **Packing.** A touch is a header byte — bits 0–4 its kind (the index in
/// ``LeadJourneys/kinds``), bit 5 set when its channel differs from the previous touch's, bit 6
/// when its campaign does — then the seconds since the previous touch (since the epoch for the
/// first) as a zigzag varint; then, if bit 5 is set, the channel id (a varint length and its
/// UTF-8 bytes), and, if bit 6 is set, the campaign id + 1 as a varint (0: no campaign). On
/// the generated 1 M-lead data a touch takes 8 bytes (58 MB for 7.4 M). A conversion is the seconds since the previous one (zigzag
/// varint), the revenue in minor units (varint) and the currency's 3 letters.
///
/// A covering index of the rows with a conversion (migration core.8) lets the models that
/// ignore null paths read a fifth of the leads without touching the others.
///
/// **Who keeps it.** An import run brings up to date, when it finishes, the rows of the leads
/// whose touches, conversions, creation time or opportunity/customer stage it changed, packing
/// again only what changed (``DerivedRowTracker``); ``Warehouse/refreshDerivedLeadColumns()`` (after a snapshot import)
/// and the first open after migration core.7 rebuild every row. A property test checks that
/// rows kept run by run equal a full rebuild. The kind codes follow `TouchKind.allCases`: a new
/// touch kind needs a migration anyway (a `touch_kinds` row), and that migration must ask for a
/// rebuild (``LeadJourneys/rebuildSetting``).
public enum LeadJourneys {
    /// Touch kinds by their code in a packed touch.
    public static let kinds = TouchKind.allCases
    /// The `settings` key a migration sets to have the next open rebuild every row.
    public static let rebuildSetting = "lead_journeys.rebuild"

    static let createSQL = """
        CREATE TABLE lead_journeys (
            lead_id INTEGER PRIMARY KEY REFERENCES leads(id),
            created_at INTEGER NOT NULL,
            opportunity_at INTEGER,
            customer_at INTEGER,
            touches BLOB NOT NULL,
            conversions BLOB NOT NULL
        ) STRICT;
        INSERT INTO settings (key, value) VALUES ('\(rebuildSetting)', 'yes') ON CONFLICT (key) DO UPDATE SET value = 'yes';
        """

    /// A covering index of the rows with a conversion (``read(_:leads:convertedOnly:_:)`` with
    /// `convertedOnly` scans it; its WHERE must stay the read's term, word for word).
    static let convertedIndexSQL = """
        CREATE INDEX lead_journeys_converted ON lead_journeys (lead_id, created_at, opportunity_at, customer_at, touches, conversions)
        WHERE length(conversions) > 0;
        """

    /// A kind's code: its place in ``kinds``, which is also its `touch_kinds.code` (core.14).
    static func kindCode(_ kind: TouchKind) -> Int {
        kindCodes[kind]!
    }
    private static let kindCodes = Dictionary(uniqueKeysWithValues: kinds.enumerated().map { ($1, $0) })

    /// The small code of a channel or currency, in the order they are first seen by a rebuild or
    /// a run's ``RunTouches``.
    static func code(_ bytes: UnsafeBufferPointer<UInt8>, in known: inout [[UInt8]]) -> UInt16 {
        if let k = known.firstIndex(where: { Bytes.equal(bytes, $0) }) { return UInt16(k) }
        known.append(Array(bytes))
        return UInt16(known.count - 1)
    }

    /// What a rebuild packs again; the lead columns are always copied again.
    struct Parts: OptionSet {
        let rawValue: UInt8
        static let touches = Parts(rawValue: 1)
        static let conversions = Parts(rawValue: 2)
        static let all: Parts = [.touches, .conversions]
    }

    /// Brings the rows of the leads in `leads` (every lead when `nil`) up to date, inside
    /// the caller's transaction: their lead columns always, their touches and conversions when in
    /// `parts` (the others are kept as they are). With every lead and every part, the table is rebuilt
    /// from nothing. A lead gets a row when it has a touch or a conversion.
    ///
    /// The touches and conversions are read in table order (a sequential scan for every lead or
    /// for many — the others' rows skipped — and index searches through a temporary table of
    /// the leads for a few) and put in lead and time order in memory
    /// (``LeadFactBuckets``) — reading them in that order from an index would mean one random
    /// table read per touch (27 s for 7.4 M touches, against 0.6 s for the scan). About 40 bytes
    /// a touch while it runs. The rows are packed on another thread while this one writes them
    /// (``PackedJourneyStream``).
    ///
    /// Touches have no index by lead (their key starts with the time), so a partial rebuild of
    /// touches does not search them: it unpacks the rows' touches and merges in `newTouches` —
    /// every touch an import run inserted, all of them of leads in `leads`: as the run kept them
    /// while writing, or read back as the touches above the largest id before the run. Ids grow,
    /// so on equal times the packed touches stay first, as (`occurred_at`, `id`) order wants.
    static func rebuild(_ db: Database, leads: LeadTable<Parts>?, parts: Parts = .all, newTouches: consuming NewTouches? = nil) throws {
        precondition(leads == nil || !parts.contains(.touches) || newTouches != nil, "a partial rebuild of touches merges the new ones")
        let low = try db.scalarInt("SELECT min(id) FROM leads") ?? 0, high = try db.scalarInt("SELECT max(id) FROM leads") ?? 0
        // The leads of a partial rebuild: when they are at least an eighth of the ids, every row
        // is read and the other leads' skipped (after a 3.95 M-touch import 990 k of 1 M leads
        // change: putting them in a temporary table, one insert each, and searching every row
        // through it took 0.4 s more); when they are few, their rows are searched through a
        // temporary table of them.
        if let leads, leads.isEmpty { return }
        func isStale(_ lead: Int64) -> Bool { leads.map { $0[lead] != nil } ?? true }
        var leadFilter = ""
        if let leads, Int64(leads.count) * 8 <= high &- low {
            try db.execute("CREATE TEMP TABLE IF NOT EXISTS lead_journeys_pending (id INTEGER PRIMARY KEY); DELETE FROM temp.lead_journeys_pending;")
            let add = try db.prepare("INSERT INTO temp.lead_journeys_pending (id) VALUES (?1)")
            try leads.forEach { id, _ in
                add.reset()
                try add.bind(id, at: 1)
                try add.step()
            }
            leadFilter = " WHERE lead_id IN (SELECT id FROM temp.lead_journeys_pending)"
        }
        let fromNothing = leads == nil && parts == .all
        if fromNothing { try db.execute("DELETE FROM lead_journeys") }

        // Channels and currencies get small codes as they are first seen (``code(_:in:)``).
        var channels: [[UInt8]] = [], currencies: [[UInt8]] = []
        var touches = LeadFactBuckets(low: low, high: high), conversions = LeadFactBuckets(low: low, high: high)
        if parts.contains(.touches) {
            var touchFilter = ""
            if leads != nil, let newTouches = newTouches.take() {
                // A partial rebuild: the rows' packed touches, then the run's new ones.
                try db.query("SELECT lead_id, touches FROM lead_journeys\(leadFilter) ORDER BY lead_id") { s in
                    let lead = s.int(0)
                    guard isStale(lead) else { return }
                    s.withBlobBytes(1) { bytes in
                        var packed = PackedTouches(bytes)
                        while packed.next() {
                            touches.append(LeadFact(lead: lead, at: packed.at, value: packed.campaignID ?? -1, kind: UInt8(packed.kind),
                                                    code: code(packed.channel, in: &channels)))
                        }
                    }
                }
                switch consume newTouches {
                case .kept(var kept):
                    let codes = kept.channels.map { channel in channel.withUnsafeBufferPointer { code($0, in: &channels) } }
                    kept.drain { fact in
                        var fact = fact
                        fact.code = codes[Int(fact.code)]
                        touches.append(fact)
                    }
                case .above(let id):
                    touchFilter = " WHERE id > \(id)"
                }
            }
            if leads == nil || !touchFilter.isEmpty {
                // In the store's key order; ties at the same second go by id (``LeadFact/order``).
                var channelOf: [Int64: UInt16] = [:]
                var channelIDs: [Int64: String] = [:]
                try db.query("SELECT code, channel_id FROM channel_codes") { channelIDs[$0.int(0)] = $0.text(1) ?? "" }
                try db.query("SELECT lead_id, occurred_at, kind_code, campaign_id, channel_code, id FROM touches\(touchFilter)") { s in
                    let channelCode = s.int(4)
                    let local = channelOf[channelCode] ?? {
                        var name = channelIDs[channelCode] ?? ""
                        let local = name.withUTF8 { code($0, in: &channels) }
                        channelOf[channelCode] = local
                        return local
                    }()
                    touches.append(LeadFact(lead: s.int(0), at: s.int(1), value: s.isNull(3) ? -1 : s.int(3), kind: UInt8(s.int(2)),
                                            code: local, order: s.int(5)))
                }
            }
        }
        if parts.contains(.conversions) {
            try db.query("SELECT lead_id, converted_at, revenue_minor, currency FROM conversions\(leadFilter) ORDER BY id") { s in
                guard isStale(s.int(0)) else { return }
                conversions.append(LeadFact(lead: s.int(0), at: s.int(1), value: s.int(2), code: s.withTextBytes(3) { code($0, in: &currencies) }))
            }
        }
        guard channels.count <= Int(UInt16.max), currencies.count <= Int(UInt16.max) else {
            throw WarehouseError.sql(message: "too many distinct channels or currencies to pack journeys", sql: "")
        }

        let insert = try db.prepare("""
            INSERT INTO lead_journeys (lead_id, created_at, opportunity_at, customer_at, touches, conversions)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """)
        // A part not packed again keeps its bytes; a lead without a row has none of that part
        // (every lead with a touch or a conversion has a row).
        let update = try db.prepare("""
            UPDATE lead_journeys SET created_at = ?2, opportunity_at = ?3, customer_at = ?4,
                touches = iif(?7, ?5, touches), conversions = iif(?8, ?6, conversions)
            WHERE lead_id = ?1
            """)
        // Packed on another thread while this one writes (``PackedJourneyStream``).
        let packed = PackedJourneyStream(touches: consume touches, conversions: consume conversions, channels: channels, currencies: currencies)
        defer { packed.stop() }
        try db.query("SELECT lead_id, created_at, stage_opportunity_at, stage_customer_at FROM lead_firsts\(leadFilter) ORDER BY lead_id") { s in
            let lead = s.int(0)
            guard isStale(lead) else { return }
            let journey = packed.journey(of: lead)
            if !fromNothing {
                update.reset()
                try bind(update)
                try update.bind(Int64(parts.contains(.touches) ? 1 : 0), at: 7)
                try update.bind(Int64(parts.contains(.conversions) ? 1 : 0), at: 8)
                try update.step()
                if db.changes > 0 { return }
            }
            guard !journey.touches.isEmpty || !journey.conversions.isEmpty else { return }
            insert.reset()
            try bind(insert)
            try insert.step()

            func bind(_ statement: Statement) throws {
                try statement.bind(lead, at: 1)
                try statement.bind(s.int(1), at: 2)
                try statement.bind(s.optionalInt(2), at: 3)
                try statement.bind(s.optionalInt(3), at: 4)
                try statement.bind(blob: journey.touches, at: 5)
                try statement.bind(blob: journey.conversions, at: 6)
            }
        }
        if !leadFilter.isEmpty { try db.execute("DELETE FROM temp.lead_journeys_pending") }
    }

    /// Calls `body` with every row of the leads in `leads` (all when nil) — only those with a
    /// conversion when `convertedOnly` — in lead order. A row's packed bytes are valid only inside `body`.
    public static func read(_ db: Database, leads: Range<Int64>? = nil, convertedOnly: Bool = false, _ body: (Row) throws -> Void) throws {
        let range = leads ?? Int64.min..<Int64.max
        try db.query(readSQL(convertedOnly: convertedOnly), [.integer(range.lowerBound), .integer(range.upperBound)]) { s in
            try s.withBlobBytes(4) { touches in
                try s.withBlobBytes(5) { conversions in
                    try body(Row(lead: s.int(0), createdAt: s.int(1), opportunityAt: s.optionalInt(2), customerAt: s.optionalInt(3),
                                 touches: PackedTouches(touches), conversions: PackedConversions(conversions)))
                }
            }
        }
    }

    static func readSQL(convertedOnly: Bool) -> String {
        """
        SELECT lead_id, created_at, opportunity_at, customer_at, touches, conversions FROM lead_journeys
        WHERE lead_id >= ?1 AND lead_id < ?2 \(convertedOnly ? "AND length(conversions) > 0" : "") ORDER BY lead_id
        """
    }

    /// One lead's journey facts, as read by ``LeadJourneys/read(_:_:)``.
    public struct Row {
        public let lead: Int64
        public let createdAt: Int64
        public let opportunityAt: Int64?
        public let customerAt: Int64?
        public let touches: PackedTouches
        public let conversions: PackedConversions
    }
}

/// Where a partial rebuild of touches finds an import run's new touches.
enum NewTouches {
    /// As the run kept them.
    case kept(RunTouches)
    /// In `touches`, above this id (the largest before the run).
    case above(id: Int64)
}

/// The touches an import run inserted, in the order it inserted them (touchpoint id order),
/// kept as it writes them for the journey rows it brings up to date at its end: reading them
/// back from the table took 1.4 s of the 10 s end of a 3.95 M-touch import. 32 bytes a
/// touch, in blocks of 64 k (no array of millions copied as it grows), each block let go as the
/// rebuild takes it. The writer stops keeping them past ``DerivedRowTracker/keptTouchLimit``.
struct RunTouches {
    private var blocks: [[LeadFact]] = []
    /// Channel ids by their code in the facts (``LeadFact/code``).
    private(set) var channels: [[UInt8]] = []
    private static let blockSize = 1 << 16
    private(set) var count = 0

    mutating func append(lead: Int64, at: Int64, kind: TouchKind, channel: String, campaignID: Int64?, id: Int64) {
        var channel = channel
        let code = channel.withUTF8 { LeadJourneys.code($0, in: &channels) }
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

/// The journeys of the leads in a rebuild's fact buckets, packed on another thread, in lead
/// order, while the rebuild writes them on its own: packing (walking each bucket in lead and
/// time order, the varints, the channel comparisons) was about a third of the writing
/// thread's time when 990 k rows were written at the end of a 3.95 M-touch import, with the
/// other core idle (docs/benchmarks.md, tenth round). At most a few chunks of
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

/// Packs one lead's touches and conversions (see ``LeadJourneys``).
struct JourneyPacker {
    private(set) var touches: [UInt8] = []
    private(set) var conversions: [UInt8] = []
    private var lastAt: Int64 = 0
    private var lastChannel: [UInt8] = []
    private var lastCampaignCode: UInt64 = 0
    private var lastConversionAt: Int64 = 0

    mutating func reset() {
        touches.removeAll(keepingCapacity: true)
        conversions.removeAll(keepingCapacity: true)
        lastAt = 0
        lastChannel.removeAll(keepingCapacity: true)
        lastCampaignCode = 0
        lastConversionAt = 0
    }

    mutating func addTouch(at: Int64, kind: Int, channel: UnsafeBufferPointer<UInt8>, campaignID: Int64?) {
        let campaignCode = campaignID.map { UInt64($0) + 1 } ?? 0
        let newChannel = !channel.elementsEqual(lastChannel)
        let newCampaign = campaignCode != lastCampaignCode
        touches.append(UInt8(kind) | (newChannel ? 0x20 : 0) | (newCampaign ? 0x40 : 0))
        Varint.appendSigned(at &- lastAt, to: &touches)
        lastAt = at
        if newChannel {
            Varint.append(UInt64(channel.count), to: &touches)
            touches.append(contentsOf: channel)
            lastChannel.removeAll(keepingCapacity: true)
            lastChannel.append(contentsOf: channel)
        }
        if newCampaign {
            Varint.append(campaignCode, to: &touches)
            lastCampaignCode = campaignCode
        }
    }

    mutating func addConversion(at: Int64, revenueMinor: Int64, currency: UnsafeBufferPointer<UInt8>) {
        Varint.appendSigned(at &- lastConversionAt, to: &conversions)
        lastConversionAt = at
        Varint.append(UInt64(max(0, revenueMinor)), to: &conversions)
        for i in 0..<3 { conversions.append(i < currency.count ? currency[i] : 0x20) }
    }
}

/// The touches of one ``LeadJourneys`` row, decoded one at a time:
/// `while touches.next() { … touches.at … }`. A malformed blob ends the walk early.
public struct PackedTouches {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0
    /// The current touch's time (seconds since the epoch), kind code (index in ``LeadJourneys/kinds``),
    /// channel id (UTF-8) and campaign id.
    public private(set) var at: Int64 = 0
    public private(set) var kind = 0
    public private(set) var channel = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    public private(set) var campaignID: Int64?
    /// Whether the channel, and the campaign, differ from the previous touch's (the channel always does for the first).
    public private(set) var channelChanged = false
    public private(set) var campaignChanged = false

    /// The touches packed in `bytes` (a `touches` column of `lead_journeys`).
    public init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    public mutating func next() -> Bool {
        guard offset < bytes.count else { return false }
        let header = bytes[offset]
        offset += 1
        kind = Int(header & 0x1F)
        guard let delta = Varint.readSigned(bytes, &offset) else { return end() }
        at &+= delta
        channelChanged = header & 0x20 != 0
        campaignChanged = header & 0x40 != 0
        if channelChanged {
            guard let length = Varint.read(bytes, &offset), length <= UInt64(bytes.count - offset) else { return end() }
            channel = UnsafeBufferPointer(rebasing: bytes[offset..<offset + Int(length)])
            offset += Int(length)
        }
        if campaignChanged {
            guard let code = Varint.read(bytes, &offset) else { return end() }
            campaignID = code == 0 ? nil : Int64(truncatingIfNeeded: code - 1)
        }
        return true
    }

    private mutating func end() -> Bool {
        offset = bytes.count
        return false
    }
}

/// The conversions of one ``LeadJourneys`` row, decoded one at a time like ``PackedTouches``.
public struct PackedConversions {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0
    public private(set) var at: Int64 = 0
    public private(set) var revenueMinor: Int64 = 0
    /// The ISO 4217 code's 3 bytes.
    public private(set) var currency = UnsafeBufferPointer<UInt8>(start: nil, count: 0)

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    public mutating func next() -> Bool {
        guard offset < bytes.count, let delta = Varint.readSigned(bytes, &offset), let revenue = Varint.read(bytes, &offset),
              bytes.count - offset >= 3 else {
            offset = bytes.count
            return false
        }
        at &+= delta
        revenueMinor = Int64(truncatingIfNeeded: revenue)
        currency = UnsafeBufferPointer(rebasing: bytes[offset..<offset + 3])
        offset += 3
        return true
    }
}

/// LEB128 varints; signed values zigzag-encoded (small magnitudes, either sign, stay short).
enum Varint {
    @inline(__always)
    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    @inline(__always)
    static func appendSigned(_ value: Int64, to bytes: inout [UInt8]) {
        append(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: &bytes)
    }

    @inline(__always)
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count && shift < 64 {
            let b = bytes[offset]
            offset += 1
            value |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    @inline(__always)
    static func readSigned(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: inout Int) -> Int64? {
        guard let z = read(bytes, &offset) else { return nil }
        return Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1)
    }
}

/// Byte strings compared without making Strings.
public enum Bytes {
    @inline(__always)
    public static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard let p = a.baseAddress, a.count > 0 else { return true }
        return b.withUnsafeBufferPointer { memcmp(p, $0.baseAddress!, a.count) == 0 }
    }
}
