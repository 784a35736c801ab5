import ChannelKit

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
    /// table read per touch, many times the scan (docs/benchmarks.md). About 40 bytes
    /// a touch while it runs. The rows are packed on another thread while this one writes them
    /// (``PackedJourneyStream``).
    ///
    /// Touches have no index by lead (their key starts with the time), so a partial rebuild of
    /// touches does not search them: it unpacks the rows' touches and merges in `newTouches` —
    /// every touch an import run inserted, all of them of leads in `leads`: as the run kept them
    /// while writing, or read back as the touches above the largest id before the run. Ids grow,
    /// so on equal times the packed touches stay first, as (`occurred_at`, `id`) order wants.
    static func rebuild(_ db: Database, leads: LeadMap<Parts>?, parts: Parts = .all, newTouches: consuming NewTouches? = nil) throws {
        precondition(leads == nil || !parts.contains(.touches) || newTouches != nil, "a partial rebuild of touches merges the new ones")
        let low = try db.scalarInt("SELECT min(id) FROM leads") ?? 0, high = try db.scalarInt("SELECT max(id) FROM leads") ?? 0
        // The leads of a partial rebuild: when they are at least an eighth of the ids, every row
        // is read and the other leads' skipped (a temporary table of most leads costs more than
        // it saves); when they are few, their rows are searched through a temporary table of them.
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
