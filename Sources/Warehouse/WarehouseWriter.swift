import ChannelKit

/// What a write did to the warehouse.
public enum WriteOutcome: Sendable, Equatable {
    /// A new fact.
    case inserted
    /// A fact already present, whose values changed (costs and metrics restated by a newer export).
    case updated
    /// A fact already present, identical: nothing changed.
    case unchanged

    /// The stronger of two outcomes of one row's records: inserted > updated > unchanged.
    public func strongest(_ other: WriteOutcome) -> WriteOutcome {
        self == .inserted || other == .inserted ? .inserted : (self == .updated || other == .updated ? .updated : .unchanged)
    }
}

/// One touchpoint to write, as ``WarehouseWriter/insertTouches(_:)`` takes them.
public struct TouchRow: Sendable, Equatable {
    public var leadID: Int64
    public var at: Timestamp
    public var channel: String
    public var campaignID: Int64?
    public var kind: TouchKind
    /// The raw web-touch fields as the export had them (nil for a channel's own touches).
    public var utmSource: String?, utmMedium: String?, utmCampaign: String?, referrer: String?, landingPage: String?

    public init(leadID: Int64, at: Timestamp, channel: String, campaignID: Int64?, kind: TouchKind,
                utmSource: String? = nil, utmMedium: String? = nil, utmCampaign: String? = nil, referrer: String? = nil, landingPage: String? = nil) {
        (self.leadID, self.at, self.channel, self.campaignID, self.kind) = (leadID, at, channel, campaignID, kind)
        (self.utmSource, self.utmMedium, self.utmCampaign, self.referrer, self.landingPage) = (utmSource, utmMedium, utmCampaign, referrer, landingPage)
    }
}

/// Writes the facts of one import run, inside the caller's transaction. Every statement is
/// prepared once and reused for each row; channel and campaign ids are cached.
public final class WarehouseWriter {
    let db: Database
    public let runID: Int64
    private var campaignIDs: [String: Int64] = [:]
    /// Campaign ids by channel, then name as written, so that the key is normalised once per name.
    private var campaignIDsByName: [String: [String: Int64?]] = [:]
    private var knownChannels: Set<String> = []
    /// Every lead key of the warehouse, when ``resolveLeadsFromMemory()`` was called: a large file then
    /// resolves its keys from memory instead of one index probe per row.
    private var leadKeys: [String: Int64]?
    /// Where ``leadID(forEmailHash:)`` looks: the index, or — in a run that read its lead keys (a
    /// large file: an email platform's export names each row's lead by email) — every lead's
    /// email hash, read on the first lookup. Back to the index for good once the run inserts or
    /// merges a lead (a merge may or may not give a lead the hash) or a hash of another shape
    /// turns up. Hashes are kept as their 32 bytes (about 60 bytes a lead with the table's
    /// slack; as `String`s they took 170).
    private var emailLookup = EmailLookup.index
    private enum EmailLookup {
        case index
        case memoryFromFirstLookup
        case memory([HashBytes: Int64])
    }
    /// The leads' indexes this run dropped to build them at its end, and the maps standing in
    /// for them meanwhile (``deferLeadIndexes()``); nil when the run keeps them.
    private var deferredLeadIndexes: DeferredLeadIndexes?
    /// The earliest touchpoint this run inserted for each lead, the first inserted on a tie:
    /// at the end of the run it replaces the lead's first touch if it is earlier.
    private var earliestTouches = LeadTable<EarliestTouch>()
    /// Plain values, its channel by its place in ``earliestChannels``: reading and replacing one
    /// for each of millions of touches retains and releases no string.
    private struct EarliestTouch { var at: Int64; var channel: Int32; var campaignID: Int64? }
    private var earliestChannels: [String] = []
    /// The earliest time this run saw each lead enter each milestone (``LeadMilestones/stageColumns``
    /// then the first conversion; lane `k` milestone `k`, `Int64.max` where none was seen), merged
    /// into ``LeadFirsts`` at the end of the run.
    private var earliestMilestones = LeadTable<SIMD8<Int64>>()
    private static let milestoneCount: Int = {
        let count = LeadFirsts.milestoneColumns.count
        precondition(count <= 8, "a lead's milestones are kept in a SIMD8")
        return count
    }()
    /// Leads whose ``LeadJourneys`` row this run may have changed, and which parts of it: new
    /// touches, new conversions, or only its lead columns (an earlier creation time, an
    /// opportunity or customer stage). Brought up to date at the end of the run.
    private var staleJourneys = LeadTable<LeadJourneys.Parts>()
    /// Every touch this run inserted, for those journey rows (``RunTouches``) — nil once there
    /// are more than ``keptTouchLimit``: the rows are then read back from `touchpoints`.
    private var runTouches: RunTouches? = RunTouches()
    /// How many touches a run keeps in memory for its journey rows: 8 M (256 MB). A larger file
    /// costs 1.4 s per 4 M touches to read them back instead of the memory.
    var keptTouchLimit = 8_000_000
    /// The largest touchpoint id before this run's first touch.
    private var touchIDsBefore: Int64?
    /// The largest touchpoint id after this run's latest insert (``touchIDsBefore`` before its
    /// first): what one statement of ``insertTouches(_:)`` inserted is the rows above the value it
    /// had before (rowids only grow within a transaction that deletes none).
    private var lastTouchID: Int64 = 0

    private let findLeadByKey: Statement
    private let findLeadByEmail: Statement
    private let findLeadByPhone: Statement
    private let insertLeadStatement: Statement
    private let mergeLead: Statement
    private let writeLeadCreation: Statement
    private let insertLeadKey: Statement
    private let insertTouchStatement: Statement
    /// ``touchBatchSize`` rows in one `INSERT`, prepared on first use.
    private var insertTouchBatchStatement: Statement?
    private let findCost: Statement
    private let upsertCostStatement: Statement
    private let findMetric: Statement
    private let upsertMetricStatement: Statement
    private let insertConversionStatement: Statement
    private let findConversionByID: Statement
    private let findConversionByTime: Statement
    private let updateConversionRevenue: Statement
    private let insertRejectStatement: Statement
    private let insertStageStatement: Statement
    private let insertOutreachStatement: Statement


    /// Starts an import run: records it (counts are filled in by ``finish(_:)``).
    public init(warehouse: Warehouse, source: String, format: String, fileName: String, startedAt: Int64) throws {
        db = warehouse.db
        try db.run("""
            INSERT INTO import_runs (source, format, file_name, file_sha256, file_bytes, started_at, finished_at,
                                     rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected)
            VALUES (?, ?, ?, ?, 0, ?, ?, 0, 0, 0, 0, 0)
            """, [.text(source), .text(format), .text(fileName), .text(String(repeating: "0", count: 64)), .integer(startedAt), .integer(startedAt)])
        runID = db.lastInsertedRowID
        var channels = Set<String>()
        try db.query("SELECT id FROM channels") { channels.insert($0.text(0) ?? "") }

        findLeadByKey = try db.prepare("SELECT lead_id FROM lead_keys WHERE key = ?")
        findLeadByEmail = try db.prepare("SELECT id FROM leads WHERE email_hash = ?")
        findLeadByPhone = try db.prepare("SELECT id FROM leads WHERE phone_hash = ? ORDER BY id LIMIT 1")
        insertLeadStatement = try db.prepare("""
            INSERT INTO leads (created_at, email_hash, phone_hash, country, region, age_band, gender, income_band,
                               industry, company_size, interests, source_label, import_run_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
            """)
        // Earliest creation time wins; attributes already known are kept, blanks are filled.
        mergeLead = try db.prepare("""
            UPDATE leads SET
                created_at = min(created_at, ?2),
                email_hash = coalesce(email_hash, ?3), phone_hash = coalesce(phone_hash, ?4),
                country = coalesce(country, ?5), region = coalesce(region, ?6), age_band = coalesce(age_band, ?7),
                gender = coalesce(gender, ?8), income_band = coalesce(income_band, ?9), industry = coalesce(industry, ?10),
                company_size = coalesce(company_size, ?11), interests = coalesce(interests, ?12),
                source_label = coalesce(source_label, ?13)
            WHERE id = ?1 AND (created_at > ?2
                OR (email_hash IS NULL AND ?3 IS NOT NULL) OR (phone_hash IS NULL AND ?4 IS NOT NULL)
                OR (country IS NULL AND ?5 IS NOT NULL) OR (region IS NULL AND ?6 IS NOT NULL)
                OR (age_band IS NULL AND ?7 IS NOT NULL) OR (gender IS NULL AND ?8 IS NOT NULL)
                OR (income_band IS NULL AND ?9 IS NOT NULL) OR (industry IS NULL AND ?10 IS NOT NULL)
                OR (company_size IS NULL AND ?11 IS NOT NULL) OR (interests IS NULL AND ?12 IS NOT NULL)
                OR (source_label IS NULL AND ?13 IS NOT NULL))
            """)
        writeLeadCreation = try db.prepare(LeadFirsts.writeCreationSQL)
        insertLeadKey = try db.prepare("INSERT OR IGNORE INTO lead_keys (key, lead_id) VALUES (?, ?)")
        // The natural key leads with the time (core.9): a file in time order appends to its index.
        insertTouchStatement = try db.prepare("""
            INSERT INTO touchpoints (lead_id, occurred_at, channel_id, campaign_id, kind, utm_source, utm_medium,
                                     utm_campaign, referrer, landing_page, import_run_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
            ON CONFLICT DO NOTHING
            """)
        findCost = try db.prepare("""
            SELECT id, amount_minor, currency, import_run_id FROM costs WHERE day = ?1 AND channel_id = ?2 AND ifnull(campaign_id, 0) = ifnull(?3, 0) AND detail = ?4
            """)
        upsertCostStatement = try db.prepare("""
            INSERT OR REPLACE INTO costs (id, day, channel_id, campaign_id, detail, amount_minor, currency, import_run_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """)
        findMetric = try db.prepare("""
            SELECT id, value, import_run_id FROM channel_metrics
            WHERE day = ?1 AND channel_id = ?2 AND ifnull(campaign_id, 0) = ifnull(?3, 0) AND metric = ?4 AND detail = ?5
            """)
        upsertMetricStatement = try db.prepare("""
            INSERT OR REPLACE INTO channel_metrics (id, day, channel_id, campaign_id, metric, detail, value, import_run_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """)
        insertConversionStatement = try db.prepare("""
            INSERT INTO conversions (lead_id, converted_at, revenue_minor, currency, external_id, import_run_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """)
        findConversionByID = try db.prepare("""
            SELECT id, lead_id, converted_at, revenue_minor, currency, import_run_id FROM conversions WHERE external_id = ?1
            """)
        findConversionByTime = try db.prepare("""
            SELECT id, lead_id, converted_at, revenue_minor, currency, import_run_id FROM conversions
            WHERE lead_id = ?1 AND converted_at = ?2 AND external_id IS NULL
            """)
        updateConversionRevenue = try db.prepare("UPDATE conversions SET revenue_minor = ?2, currency = ?3, import_run_id = ?4 WHERE id = ?1")
        insertRejectStatement = try db.prepare("""
            INSERT INTO rejects (import_run_id, file_name, line, column_number, column_name, reason, raw_row)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """)
        insertStageStatement = try db.prepare("""
            INSERT INTO lifecycle_stages (lead_id, stage, changed_at, import_run_id) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT DO NOTHING
            """)
        insertOutreachStatement = try db.prepare("""
            INSERT INTO outreach_attempts (lead_id, attempted_at, method, responded, import_run_id) VALUES (?1, ?2, ?3, ?4, ?5)
            ON CONFLICT DO NOTHING
            """)
        knownChannels = channels
    }

    /// Whether `channel` is registered in this warehouse.
    public func hasChannel(_ channel: String) -> Bool { knownChannels.contains(channel) }

    /// The id of the campaign `ref` in `channel`, created on first sight.
    public func campaignID(channel: String, campaign ref: CampaignRef) throws -> Int64? {
        if let id = campaignIDsByName[channel]?[ref.name] { return id }
        let id = try campaignID(channel: channel, key: ref.key, ref: ref)
        campaignIDsByName[channel, default: [:]][ref.name] = id
        return id
    }

    private func campaignID(channel: String, key: String, ref: CampaignRef) throws -> Int64? {
        guard !key.isEmpty else { return nil }
        let cacheKey = channel + "\u{1F}" + key
        if let id = campaignIDs[cacheKey] { return id }
        try db.run("""
            INSERT INTO campaigns (channel_id, key, name, external_id) VALUES (?, ?, ?, ?)
            ON CONFLICT (channel_id, key) DO UPDATE SET external_id = coalesce(campaigns.external_id, excluded.external_id)
            """, [.text(channel), .text(key), .text(ref.name), SQLValue(ref.externalID)])
        let id = try db.scalarInt("SELECT id FROM campaigns WHERE channel_id = ? AND key = ?", [.text(channel), .text(key)])!
        campaignIDs[cacheKey] = id
        return id
    }

    /// Reads every lead key into memory for the rest of the run (worth it for large files:
    /// about 60 bytes per key, a fraction of a second per million keys), and has the first
    /// lookup by email hash read every lead's hash the same way (an email platform's 2.6 M rows
    /// named by email: 47–49 s with an index probe each, 34 s from memory; docs/benchmarks.md).
    public func resolveLeadsFromMemory() throws {
        var keys: [String: Int64] = [:]
        keys.reserveCapacity(Int(try db.scalarInt("SELECT count(*) FROM lead_keys") ?? 0))
        try db.query("SELECT key, lead_id FROM lead_keys") { keys[$0.text(0) ?? ""] = $0.int(1) }
        leadKeys = keys
        emailLookup = .memoryFromFirstLookup
    }

    /// When the warehouse has no lead yet, drops the leads' secondary indexes for this run and
    /// builds them at its end (``DeferredLeadIndexes``), finding leads by email and phone hash
    /// from memory meanwhile: for a large file, whose leads would otherwise each go into three
    /// indexes at random places. Returns whether it did.
    @discardableResult
    public func deferLeadIndexes() throws -> Bool {
        guard deferredLeadIndexes == nil else { return true }
        deferredLeadIndexes = try DeferredLeadIndexes.drop(in: db)
        return deferredLeadIndexes != nil
    }

    /// Builds the indexes ``deferLeadIndexes()`` dropped, if any; lookups go back to them.
    private func buildDeferredLeadIndexes() throws {
        guard let deferred = deferredLeadIndexes else { return }
        deferredLeadIndexes = nil
        try deferred.build(in: db)
    }

    /// Every lead key and its lead as ``resolveLeadsFromMemory()`` read them (nil before, or in a
    /// run that did not), for another thread to resolve keys ahead of the writes. A run only adds
    /// keys, so a key found there names the same lead for the whole run.
    public var leadKeysInMemory: [String: Int64]? { leadKeys }

    /// Every lead's email hash as the run's first lookup by email read them (nil before that,
    /// or in a run that looks them up in the index), for another thread to find leads ahead of
    /// the writes. A lead's email hash is only ever set where it had none, and the index keeps
    /// it unique: a hash found there names the same lead for the whole run (one not found may
    /// be given to a lead later, and is looked up again when its record is written).
    public var leadEmailsInMemory: [HashBytes: Int64]? {
        if case .memory(let hashes) = emailLookup { hashes } else { nil }
    }

    /// The lead known by `key`, if any.
    public func leadID(forKey key: String) throws -> Int64? {
        if let leadKeys { return leadKeys[key] }
        return try lookup(findLeadByKey, key)
    }

    /// The lead whose email has this hash, if any.
    public func leadID(forEmailHash hash: String) throws -> Int64? {
        if let deferred = deferredLeadIndexes {
            if let bytes = HashBytes(hex: hash) { return deferred.lead(email: bytes) }
            try buildDeferredLeadIndexes()
        }
        switch emailLookup {
        case .index:
            return try lookup(findLeadByEmail, hash)
        case .memory(let hashes):
            return HashBytes(hex: hash).flatMap { hashes[$0] }
        case .memoryFromFirstLookup:
            var hashes: [HashBytes: Int64] = [:]
            hashes.reserveCapacity(Int(try db.scalarInt("SELECT count(email_hash) FROM leads") ?? 0))
            var exact = true
            try db.query("SELECT email_hash, id FROM leads WHERE email_hash IS NOT NULL") { row in
                guard let bytes = row.withTextBytes(0, HashBytes.init(hex:)) else { exact = false; return }
                hashes[bytes] = row.int(1)
            }
            // A hash this writer did not write (not 64 hex digits) is left to the index.
            emailLookup = exact ? .memory(hashes) : .index
            return try leadID(forEmailHash: hash)
        }
    }

    /// Inserts a lead, or merges it into the lead it already is: the one known by the same
    /// key, else by the same email hash, else — only for a record without an email — by the
    /// same phone hash (colleagues and family share phones far more often than emails).
    public func upsertLead(_ lead: LeadRecord, emailHash: String?, phoneHash: String?) throws -> (id: Int64, outcome: WriteOutcome) {
        emailLookup = .index
        let bytes = try deferredLookupBytes(email: emailHash, phone: phoneHash)
        var existing = try lead.key.flatMap { try leadID(forKey: $0) }
        var newKey = existing == nil && lead.key != nil
        if existing == nil, let emailHash {
            existing = try bytes.email.map { deferredLeadIndexes!.lead(email: $0) } ?? lookup(findLeadByEmail, emailHash)
        }
        if existing == nil, emailHash == nil, let phoneHash {
            existing = try bytes.phone.map { deferredLeadIndexes!.lead(phone: $0) } ?? lookup(findLeadByPhone, phoneHash)
        }
        let a = lead.attributes
        let values: [String?] = [a.country, a.region, a.ageBand, a.gender, a.incomeBand, a.industry, a.companySize, a.interests, lead.sourceLabel]
        let id: Int64
        let outcome: WriteOutcome
        if let existing {
            let s = mergeLead
            func merge(identifiers: Bool) throws(WarehouseError) {
                s.reset()
                try s.bind(existing, at: 1)
                try s.bind(lead.createdAt.secondsSinceEpoch, at: 2)
                if identifiers {
                    try s.bind(emailHash, at: 3)
                    try s.bind(phoneHash, at: 4)
                }
                for (i, v) in values.enumerated() { try s.bind(v, at: Int32(5 + i)) }
                try s.step()
            }
            // The email hash may belong to another lead already: this lead's identifiers then stay
            // as they are. The unique index refuses the update; with it deferred, the map tells.
            let emailTaken = try isEmailTakenWhileDeferred(bytes.email, mergingInto: existing)
            do {
                try merge(identifiers: !emailTaken)
            } catch {
                guard case .constraint = error else { throw error }
                try merge(identifiers: false)
            }
            let changed = db.changes > 0
            id = existing
            outcome = changed || newKey ? .updated : .unchanged
            if changed {
                noteStaleJourney(of: existing, parts: [])
                try writeCreation(of: existing, at: lead.createdAt)
                try noteMergedContactsWhileDeferred(of: existing)
            }
        } else {
            let s = insertLeadStatement
            s.reset()
            try s.bind(lead.createdAt.secondsSinceEpoch, at: 1)
            try s.bind(emailHash, at: 2)
            try s.bind(phoneHash, at: 3)
            for (i, v) in values.enumerated() { try s.bind(v, at: Int32(4 + i)) }
            try s.bind(runID, at: 13)
            try s.step()
            id = db.lastInsertedRowID
            outcome = .inserted
            newKey = lead.key != nil
            deferredLeadIndexes?.note(lead: id, email: bytes.email, phone: bytes.phone)
            try writeCreation(of: id, at: lead.createdAt)
        }
        if newKey, let key = lead.key {
            insertLeadKey.reset()
            try insertLeadKey.bind(key, at: 1)
            try insertLeadKey.bind(id, at: 2)
            try insertLeadKey.step()
            leadKeys?[key] = id
        }
        return (id, outcome)
    }

    /// With the leads' indexes deferred, the bytes of the hashes ``upsertLead(_:emailHash:phoneHash:)``
    /// finds leads by (nil for a hash not given, and both nil when the indexes are kept). A hash of
    /// another shape (not written by this writer's hasher) builds the indexes, which answer from then on.
    private func deferredLookupBytes(email: String?, phone: String?) throws -> (email: HashBytes?, phone: HashBytes?) {
        guard deferredLeadIndexes != nil else { return (nil, nil) }
        let bytes = (email: email.flatMap(HashBytes.init(hex:)), phone: phone.flatMap(HashBytes.init(hex:)))
        guard (email == nil) == (bytes.email == nil), (phone == nil) == (bytes.phone == nil) else {
            try buildDeferredLeadIndexes()
            return (nil, nil)
        }
        return bytes
    }

    /// Whether merging `email` into `lead` would give it an email hash another lead has — what
    /// the unique index refuses, asked of the map while the index is deferred (false otherwise).
    private func isEmailTakenWhileDeferred(_ email: HashBytes?, mergingInto lead: Int64) throws -> Bool {
        guard let email, let owner = deferredLeadIndexes?.lead(email: email), owner != lead else { return false }
        return try db.scalarInt("SELECT email_hash IS NULL FROM leads WHERE id = ?", [.integer(lead)]) == 1
    }

    /// Tells the deferred indexes' maps the hashes a merge left `lead` with.
    private func noteMergedContactsWhileDeferred(of lead: Int64) throws {
        guard deferredLeadIndexes != nil else { return }
        try db.query("SELECT email_hash, phone_hash FROM leads WHERE id = ?", [.integer(lead)]) { row in
            deferredLeadIndexes?.note(lead: lead, email: row.text(0).flatMap(HashBytes.init(hex:)), phone: row.text(1).flatMap(HashBytes.init(hex:)))
        }
    }

    /// A new lead's ``LeadFirsts`` row, or a merged lead's creation time there if `at` is earlier.
    private func writeCreation(of lead: Int64, at: Timestamp) throws {
        writeLeadCreation.reset()
        try writeLeadCreation.bind(lead, at: 1)
        try writeLeadCreation.bind(at.secondsSinceEpoch, at: 2)
        try writeLeadCreation.step()
    }

    /// Inserts a touchpoint unless the same lead already has a touch of the same kind, on the
    /// same channel, at the same second.
    public func insertTouch(_ touch: TouchRow) throws -> WriteOutcome {
        try noteRunTouches()
        let s = insertTouchStatement
        s.reset()
        try bind(touch, to: s, from: 1)
        try s.step()
        guard db.changes > 0 else { return .unchanged }
        lastTouchID = db.lastInsertedRowID
        noteInserted(touch)
        return .inserted
    }

    /// How many touches ``insertTouches(_:)`` writes with one statement. One `INSERT` of 64 rows
    /// costs SQLite about 60 % of 64 single-row ones (cursors opened, the statement run and
    /// halted once): 3.95 M web touches took 13.2 s instead of 21.5 s in a C loop over the
    /// same rows (docs/benchmarks.md).
    public static let touchBatchSize = 64

    /// Inserts `touches` ``touchBatchSize`` to a statement (the rest one at a time), with
    /// ``insertTouch(_:)``'s rule: each one's outcome, in order, as if they had been inserted one
    /// by one — a touch whose natural key an earlier one took is unchanged. A touch the
    /// warehouse refuses (a trigger's `RAISE(ABORT)`) fails alone: its batch is then written one
    /// by one, and that touch's result is its error.
    ///
    /// The batch is `INSERT OR IGNORE`, not `ON CONFLICT DO NOTHING`: a statement of many rows
    /// that may abort halfway makes SQLite keep a statement journal (every page the statement
    /// changes copied out first — 3 M of the import's 4.4 M writes for the benchmark's 3.95 M
    /// touches; docs/benchmarks.md, sixth round); one that cannot abort needs none. `OR IGNORE`
    /// would also pass over a row that breaks a NOT NULL or CHECK constraint, and this count
    /// would take it for a taken key; none can: the NOT NULL columns are bound from `TouchRow`'s
    /// non-optional fields and the one CHECK is on `kind`, a ``TouchKind``. A test holds the
    /// table to exactly those constraints (`batchedTouchesCanOnlyBeIgnoredForATakenKey`).
    public func insertTouches(_ touches: [TouchRow]) throws -> [Result<WriteOutcome, WarehouseError>] {
        var results: [Result<WriteOutcome, WarehouseError>] = []
        results.reserveCapacity(touches.count)
        var start = 0
        while touches.count - start >= Self.touchBatchSize {
            results += try insertTouchBatch(touches[start ..< start + Self.touchBatchSize])
            start += Self.touchBatchSize
        }
        results += try touches[start...].map(insertTouchAlone)
        return results
    }

    private func insertTouchBatch(_ touches: ArraySlice<TouchRow>) throws -> [Result<WriteOutcome, WarehouseError>] {
        try noteRunTouches()
        let s = try insertTouchBatchStatement ?? prepareTouchBatch()
        s.reset()
        // By index, not by copying the rows out: each copy retains and releases six strings.
        let first = touches.startIndex
        for i in touches.indices { try bind(touches[i], to: s, from: Int32((i - first) * 11 + 1)) }
        do {
            try s.step()
        } catch {
            guard case .constraint = error else { throw error }
            // The statement was undone as a whole: find the refused touch by writing them singly.
            return try touches.map(insertTouchAlone)
        }
        let inserted = db.changes
        if inserted == touches.count {
            lastTouchID = db.lastInsertedRowID
            for i in touches.indices { noteInserted(touches[i]) }
            return Array(repeating: .success(.inserted), count: touches.count)
        }
        let touches = Array(touches)
        var outcomes = [Result<WriteOutcome, WarehouseError>](repeating: .success(.unchanged), count: touches.count)
        if inserted > 0 {
            // Some keys were taken: read back which rows went in (they are the new ids, in the
            // statement's order) and match them to the touches in order.
            var i = 0
            try db.query("SELECT lead_id, occurred_at, kind, channel_id FROM touchpoints WHERE id > ? ORDER BY id", [.integer(lastTouchID)]) { row in
                while i < touches.count {
                    let t = touches[i]
                    defer { i += 1 }
                    if t.leadID == row.int(0) && t.at.secondsSinceEpoch == row.int(1) && t.kind.rawValue == row.text(2) && t.channel == row.text(3) {
                        noteInserted(t)
                        outcomes[i] = .success(.inserted)
                        break
                    }
                }
            }
        }
        if inserted > 0 { lastTouchID = db.lastInsertedRowID }
        return outcomes
    }

    private func insertTouchAlone(_ touch: TouchRow) throws -> Result<WriteOutcome, WarehouseError> {
        do {
            return .success(try insertTouch(touch))
        } catch let error as WarehouseError {
            guard case .constraint = error else { throw error }
            return .failure(error)
        }
    }

    private func prepareTouchBatch() throws -> Statement {
        let row = "(" + (1...11).map { _ in "?" }.joined(separator: ", ") + ")"
        let s = try db.prepare("""
            INSERT OR IGNORE INTO touchpoints (lead_id, occurred_at, channel_id, campaign_id, kind, utm_source, utm_medium,
                                     utm_campaign, referrer, landing_page, import_run_id)
            VALUES \(Array(repeating: row, count: Self.touchBatchSize).joined(separator: ", "))
            """)
        insertTouchBatchStatement = s
        return s
    }

    /// Binds `touch` to the eleven parameters of a touchpoint row starting at `first`.
    private func bind(_ touch: TouchRow, to s: Statement, from first: Int32) throws {
        try s.bind(touch.leadID, at: first)
        try s.bind(touch.at.secondsSinceEpoch, at: first + 1)
        try s.bind(touch.channel, at: first + 2)
        try s.bind(touch.campaignID, at: first + 3)
        try s.bind(touch.kind.rawValue, at: first + 4)
        try s.bind(touch.utmSource, at: first + 5)
        try s.bind(touch.utmMedium, at: first + 6)
        try s.bind(touch.utmCampaign, at: first + 7)
        try s.bind(touch.referrer, at: first + 8)
        try s.bind(touch.landingPage, at: first + 9)
        try s.bind(runID, at: first + 10)
    }

    /// Before the run's first touch: where its touchpoint ids start.
    private func noteRunTouches() throws {
        guard touchIDsBefore == nil else { return }
        let before = try db.scalarInt("SELECT coalesce(max(id), 0) FROM touchpoints") ?? 0
        (touchIDsBefore, lastTouchID) = (before, before)
    }

    /// What the end of the run needs from an inserted touch: its lead's journey row is stale,
    /// and it may be the lead's new first touch.
    private func noteInserted(_ touch: TouchRow) {
        noteStaleJourney(of: touch.leadID, parts: .touches)
        runTouches?.append(lead: touch.leadID, at: touch.at.secondsSinceEpoch, kind: touch.kind, channel: touch.channel, campaignID: touch.campaignID)
        if let kept = runTouches?.count, kept > keptTouchLimit { runTouches = nil }
        let seconds = touch.at.secondsSinceEpoch
        if let known = earliestTouches[touch.leadID], known.at <= seconds { return }
        let channel = earliestChannels.firstIndex(of: touch.channel) ?? {
            earliestChannels.append(touch.channel)
            return earliestChannels.count - 1
        }()
        earliestTouches[touch.leadID] = EarliestTouch(at: seconds, channel: Int32(channel), campaignID: touch.campaignID)
    }

    /// `lead`'s journey row needs `parts` packed again at the end of the run (none: only its lead columns).
    private func noteStaleJourney(of lead: Int64, parts: LeadJourneys.Parts) {
        staleJourneys.update(lead, default: []) { $0.formUnion(parts) }
    }

    /// Records a day's cost. A newer export restating the same day and campaign replaces the
    /// amount (platforms restate spend); the same amount again changes nothing.
    public func upsertCost(channel: String, _ cost: CostRecord) throws -> WriteOutcome {
        let campaignID = try cost.campaign.flatMap { try self.campaignID(channel: channel, campaign: $0) }
        return try restate(findCost, upsertCostStatement,
                           key: [.text(cost.day.description), .text(channel), SQLValue(campaignID), .text(cost.detail ?? "")],
                           values: [.integer(cost.amount.minorUnits), .text(cost.amount.currency.code)], runColumn: 3,
                           what: "a cost for this day, campaign and item") { found in
            found.int(1) == cost.amount.minorUnits && found.text(2) == cost.amount.currency.code
        }
    }

    /// Records a day's value of a channel metric; same replace-on-restatement rule as costs.
    public func upsertMetric(channel: String, _ metric: MetricRecord) throws -> WriteOutcome {
        let campaignID = try metric.campaign.flatMap { try self.campaignID(channel: channel, campaign: $0) }
        return try restate(findMetric, upsertMetricStatement,
                           key: [.text(metric.day.description), .text(channel), SQLValue(campaignID), .text(metric.metric), .text(metric.detail?.stored ?? "")],
                           values: [.real(metric.value)], runColumn: 2, what: "this metric for this day and campaign") { found in
            found.double(1) == metric.value
        }
    }

    /// Replace-on-restatement for daily facts. `find` takes the natural `key` and returns the
    /// existing row's id, its values, and (column `runColumn`) the run that wrote it; `write`
    /// takes the id (or NULL for a new row), the key, the `values` and the run id, in that order.
    /// A later file restates a key; one file giving a key twice is refused
    /// (``WarehouseError/duplicateInFile(_:)``), never summed or overwritten in silence.
    private func restate(_ find: Statement, _ write: Statement, key: [SQLValue], values: [SQLValue], runColumn: Int32, what: String,
                         isSame: (Statement) -> Bool) throws -> WriteOutcome {
        find.reset()
        defer { find.reset() }
        try find.bind(key)
        var existingID: Int64?
        if try find.step() {
            if find.int(runColumn) == runID { throw WarehouseError.duplicateInFile("an earlier row of this file already gave \(what)") }
            existingID = find.int(0)
            if isSame(find) { return .unchanged }
        }
        write.reset()
        try write.bind(SQLValue(existingID), at: 1)
        for (i, v) in (key + values + [.integer(runID)]).enumerated() { try write.bind(v, at: Int32(i + 2)) }
        try write.step()
        return existingID == nil ? .inserted : .updated
    }

    /// Records a conversion. One with an order or deal id is known by it, one without by its
    /// lead and second. Known again: unchanged when equal, its revenue restated when a later
    /// file says otherwise; refused (``WarehouseError/duplicateInFile(_:)``) when the same file
    /// gives it twice, or when an id comes back on another lead or at another time.
    public func insertConversion(leadID: Int64, at: Timestamp, revenue: Money, externalID: String?) throws -> WriteOutcome {
        let find = externalID == nil ? findConversionByTime : findConversionByID
        find.reset()
        defer { find.reset() }
        if let externalID { try find.bind(externalID, at: 1) } else {
            try find.bind(leadID, at: 1)
            try find.bind(at.secondsSinceEpoch, at: 2)
        }
        if try find.step() {
            let what = externalID == nil ? "a conversion of this lead at this second" : "this conversion id"
            if find.int(5) == runID { throw WarehouseError.duplicateInFile("an earlier row of this file already gave \(what)") }
            if find.int(1) != leadID { throw WarehouseError.duplicateInFile("this conversion id is already recorded for another lead") }
            if find.int(2) != at.secondsSinceEpoch {
                throw WarehouseError.duplicateInFile("this conversion id is already recorded at another time; a restatement may change only the revenue")
            }
            if find.int(3) == revenue.minorUnits && find.text(4) == revenue.currency.code { return .unchanged }
            let u = updateConversionRevenue
            u.reset()
            try u.bind(find.int(0), at: 1)
            try u.bind(revenue.minorUnits, at: 2)
            try u.bind(revenue.currency.code, at: 3)
            try u.bind(runID, at: 4)
            try u.step()
            noteStaleJourney(of: leadID, parts: .conversions)
            return .updated
        }
        let s = insertConversionStatement
        s.reset()
        try s.bind(leadID, at: 1)
        try s.bind(at.secondsSinceEpoch, at: 2)
        try s.bind(revenue.minorUnits, at: 3)
        try s.bind(revenue.currency.code, at: 4)
        try s.bind(externalID, at: 5)
        try s.bind(runID, at: 6)
        try s.step()
        noteStaleJourney(of: leadID, parts: .conversions)
        noteMilestone(Self.milestoneCount - 1, of: leadID, at: at)
        return .inserted
    }

    /// Records a lead entering a lifecycle stage, once per lead, stage and second.
    public func insertStage(leadID: Int64, stage: String, at: Timestamp) throws -> WriteOutcome {
        let s = insertStageStatement
        s.reset()
        try s.bind(leadID, at: 1)
        try s.bind(stage, at: 2)
        try s.bind(at.secondsSinceEpoch, at: 3)
        try s.bind(runID, at: 4)
        try s.step()
        guard db.changes > 0 else { return .unchanged }
        if let k = LeadMilestones.stages.firstIndex(of: stage) { noteMilestone(k, of: leadID, at: at) }
        if stage == "opportunity" || stage == "customer" { noteStaleJourney(of: leadID, parts: []) }
        return .inserted
    }

    /// Records an outreach attempt, once per lead, second and method.
    public func insertOutreach(leadID: Int64, at: Timestamp, method: String, responded: Bool) throws -> WriteOutcome {
        let s = insertOutreachStatement
        s.reset()
        try s.bind(leadID, at: 1)
        try s.bind(at.secondsSinceEpoch, at: 2)
        try s.bind(method, at: 3)
        try s.bind(Int64(responded ? 1 : 0), at: 4)
        try s.bind(runID, at: 5)
        try s.step()
        return db.changes > 0 ? .inserted : .unchanged
    }

    private func noteMilestone(_ k: Int, of lead: Int64, at: Timestamp) {
        let seconds = at.secondsSinceEpoch
        earliestMilestones.update(lead, default: SIMD8(repeating: .max)) { $0[k] = min($0[k], seconds) }
    }

    /// Records an exchange rate; a restated rate for the same day and pair replaces the old one.
    public func upsertRate(day: Day, currency: String, target: String, rate: Double) throws -> WriteOutcome {
        var existing: (rate: Double, run: Int64)?
        try db.query("SELECT rate, import_run_id FROM exchange_rates WHERE day = ? AND currency = ? AND target = ?",
                     [.text(day.description), .text(currency), .text(target)]) { existing = ($0.double(0), $0.int(1)) }
        if let existing {
            if existing.run == runID { throw WarehouseError.duplicateInFile("an earlier row of this file already gave this day's rate for this pair") }
            if existing.rate == rate { return .unchanged }
            try db.run("UPDATE exchange_rates SET rate = ?, import_run_id = ? WHERE day = ? AND currency = ? AND target = ?",
                       [.real(rate), .integer(runID), .text(day.description), .text(currency), .text(target)])
            return .updated
        }
        try db.run("INSERT INTO exchange_rates (day, currency, target, rate, import_run_id) VALUES (?, ?, ?, ?, ?)",
                   [.text(day.description), .text(currency), .text(target), .real(rate), .integer(runID)])
        return .inserted
    }

    /// Keeps a refused row with where it was and why.
    public func reject(fileName: String, line: Int, column: Int?, columnName: String?, reason: String, rawRow: String) throws {
        let s = insertRejectStatement
        s.reset()
        try s.bind(runID, at: 1)
        try s.bind(fileName, at: 2)
        try s.bind(Int64(line), at: 3)
        try s.bind(column.map(Int64.init), at: 4)
        try s.bind(columnName, at: 5)
        try s.bind(reason, at: 6)
        try s.bind(rawRow, at: 7)
        try s.step()
    }

    /// Writes the file's checksum and size (known once it is read) and the run's final counts,
    /// builds the leads' indexes if the run deferred them, and brings the first touch, milestones
    /// and journey row of every lead the run touched up to date.
    public func finish(_ counts: ImportCounts, sha256: String, bytes: Int64, finishedAt: Int64) throws {
        try buildDeferredLeadIndexes()
        try updateFirstTouches()
        try updateMilestones()
        try updateJourneys()
        try db.run("""
            UPDATE import_runs SET file_sha256 = ?, file_bytes = ?, finished_at = ?, rows_read = ?, rows_inserted = ?,
                rows_updated = ?, rows_unchanged = ?, rows_rejected = ?
            WHERE id = ?
            """, [.text(sha256), .integer(bytes), .integer(finishedAt), .integer(Int64(counts.read)), .integer(Int64(counts.inserted)), .integer(Int64(counts.updated)),
                  .integer(Int64(counts.unchanged)), .integer(Int64(counts.rejected)), .integer(runID)])
    }

    /// A lead's first touch becomes this run's earliest one where that is strictly earlier (on a
    /// tie the touch imported before, with the smaller id, stays first), in lead order.
    private func updateFirstTouches() throws {
        guard !earliestTouches.isEmpty else { return }
        let update = try LeadFirsts.prepareFirstTouchUpdate(db)
        try earliestTouches.forEach { lead, touch in
            update.reset()
            try update.bind(lead, at: 1)
            try update.bind(earliestChannels[Int(touch.channel)], at: 2)
            try update.bind(touch.campaignID, at: 3)
            try update.bind(touch.at, at: 4)
            try update.step()
        }
    }

    /// Each milestone of `leads` becomes the earlier of what it was and what this run saw.
    private func updateMilestones() throws {
        guard !earliestMilestones.isEmpty else { return }
        let update = try LeadFirsts.prepareMilestonesUpdate(db)
        try earliestMilestones.forEach { lead, times in
            update.reset()
            try update.bind(lead, at: 1)
            for i in 0..<Self.milestoneCount { try update.bind(times[i] == .max ? nil : times[i], at: Int32(i + 2)) }
            try update.step()
        }
    }

    /// Brings the ``LeadJourneys`` rows of the leads this run changed up to date, packing again
    /// only the parts it changed: the run's new touches are merged into the packed ones, which
    /// reads this run's touchpoints and never searches the others.
    private func updateJourneys() throws {
        guard !staleJourneys.isEmpty else { return }
        var parts: LeadJourneys.Parts = []
        staleJourneys.forEach { _, stale in parts.formUnion(stale) }
        let newTouches: NewTouches? = if let kept = runTouches.take() { .kept(kept) } else { touchIDsBefore.map { .above(id: $0) } }
        try LeadJourneys.rebuild(db, leads: staleJourneys, parts: parts, newTouches: newTouches)
        runTouches = RunTouches()
        staleJourneys = LeadTable()
    }

    /// The first column of `s`'s first row for `value`. The statement is reset before it returns:
    /// one left on a row is an active read, which holds its cursor and its shared lock until reset.
    private func lookup(_ s: Statement, _ value: String) throws -> Int64? {
        s.reset()
        defer { s.reset() }
        try s.bind(value, at: 1)
        return try s.step() ? s.int(0) : nil
    }
}

/// How many rows an import read and what became of them. A row counts once, by the
/// strongest thing that happened to any of its records (inserted > updated > unchanged).
public struct ImportCounts: Sendable, Equatable {
    public var read = 0
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var rejected = 0
    /// Rows that landed with an amount rounded to its currency's minor unit (not stored with the run).
    public var rounded = 0

    public init(read: Int = 0, inserted: Int = 0, updated: Int = 0, unchanged: Int = 0, rejected: Int = 0) {
        self.read = read
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
        self.rejected = rejected
    }

    /// Counts a row by its strongest outcome (``WriteOutcome/strongest(_:)``).
    public mutating func count(_ outcome: WriteOutcome) {
        switch outcome {
        case .inserted: inserted += 1
        case .updated: updated += 1
        case .unchanged: unchanged += 1
        }
    }
}
