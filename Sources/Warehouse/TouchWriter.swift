import ChannelKit

/// One touchpoint to write, as ``TouchWriter`` takes them.
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

/// Writes an import's touchpoints (``ImportSink/touches``): a touch is new unless the same lead
/// already has a touch of the same kind, on the same channel, at the same second.
public final class TouchWriter {
    private let scope: ImportScope
    private var db: Database { scope.db }
    private let insertStatement: Statement
    /// ``batchSize`` rows in one `INSERT`, prepared on first use.
    private var insertBatchStatement: Statement?
    /// The largest touchpoint id after the run's latest insert: what one statement inserted is
    /// the rows above the value it had before (rowids only grow within a transaction that
    /// deletes none).
    private var lastTouchID: Int64 = 0

    /// How many touches ``insert(_:)-([TouchRow])`` writes with one statement: one `INSERT` of 64
    /// rows costs SQLite about 60 % of 64 single-row ones (docs/benchmarks.md, "Touch batches").
    public static let batchSize = 64

    init(_ scope: ImportScope) throws {
        self.scope = scope
        insertStatement = try scope.db.prepare("""
            INSERT INTO touchpoints (lead_id, occurred_at, channel_id, campaign_id, kind, utm_source, utm_medium,
                                     utm_campaign, referrer, landing_page, import_run_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
            ON CONFLICT DO NOTHING
            """)
    }

    /// Inserts one touchpoint: inserted, or unchanged when its natural key is taken.
    public func insert(_ touch: TouchRow) throws -> WriteOutcome {
        try noteStart()
        let s = insertStatement
        s.reset()
        try bind(touch, to: s, from: 1)
        try s.step()
        guard db.changes > 0 else { return .unchanged }
        lastTouchID = db.lastInsertedRowID
        scope.derived.noteInserted(touch)
        return .inserted
    }

    /// Inserts `touches` ``batchSize`` to a statement (the rest one at a time), with
    /// ``insert(_:)-(TouchRow)``'s rule: each one's outcome, in order, as if they had been
    /// inserted one by one — a touch whose natural key an earlier one took is unchanged. A touch
    /// the warehouse refuses (a trigger's `RAISE(ABORT)`) fails alone: its batch is then written
    /// one by one, and that touch's result is its error.
    ///
    /// The batch is `INSERT OR IGNORE`, not `ON CONFLICT DO NOTHING`: a statement of many rows
    /// that may abort halfway makes SQLite keep a statement journal; one that cannot abort needs
    /// none. `OR IGNORE` would also pass over a row that breaks a NOT NULL or CHECK constraint,
    /// and this count would take it for a taken key; none can: the NOT NULL columns are bound
    /// from `TouchRow`'s non-optional fields and the one CHECK is on `kind`, a ``TouchKind``. A
    /// test holds the table to exactly those constraints (`batchedTouchesCanOnlyBeIgnoredForATakenKey`).
    public func insert(_ touches: [TouchRow]) throws -> [Result<WriteOutcome, WarehouseError>] {
        var results: [Result<WriteOutcome, WarehouseError>] = []
        results.reserveCapacity(touches.count)
        var start = 0
        while touches.count - start >= Self.batchSize {
            results += try insertBatch(touches[start ..< start + Self.batchSize])
            start += Self.batchSize
        }
        results += try touches[start...].map(insertAlone)
        return results
    }

    private func insertBatch(_ touches: ArraySlice<TouchRow>) throws -> [Result<WriteOutcome, WarehouseError>] {
        try noteStart()
        let s = try insertBatchStatement ?? prepareBatch()
        s.reset()
        // By index, not by copying the rows out: each copy retains and releases six strings.
        let first = touches.startIndex
        for i in touches.indices { try bind(touches[i], to: s, from: Int32((i - first) * 11 + 1)) }
        do {
            try s.step()
        } catch {
            guard case .constraint = error else { throw error }
            // The statement was undone as a whole: find the refused touch by writing them singly.
            return try touches.map(insertAlone)
        }
        let inserted = db.changes
        if inserted == touches.count {
            lastTouchID = db.lastInsertedRowID
            for i in touches.indices { scope.derived.noteInserted(touches[i]) }
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
                        scope.derived.noteInserted(t)
                        outcomes[i] = .success(.inserted)
                        break
                    }
                }
            }
            lastTouchID = db.lastInsertedRowID
        }
        return outcomes
    }

    private func insertAlone(_ touch: TouchRow) throws -> Result<WriteOutcome, WarehouseError> {
        do {
            return .success(try insert(touch))
        } catch let error as WarehouseError {
            guard case .constraint = error else { throw error }
            return .failure(error)
        }
    }

    private func prepareBatch() throws -> Statement {
        let row = "(" + (1...11).map { _ in "?" }.joined(separator: ", ") + ")"
        let s = try db.prepare("""
            INSERT OR IGNORE INTO touchpoints (lead_id, occurred_at, channel_id, campaign_id, kind, utm_source, utm_medium,
                                     utm_campaign, referrer, landing_page, import_run_id)
            VALUES \(Array(repeating: row, count: Self.batchSize).joined(separator: ", "))
            """)
        insertBatchStatement = s
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
        try s.bind(scope.stamp, at: first + 10)
    }

    /// Before the run's first touch: where its touchpoint ids start.
    private func noteStart() throws {
        guard scope.derived.touchIDsBefore == nil else { return }
        try scope.derived.noteTouchesStart(db)
        lastTouchID = scope.derived.touchIDsBefore ?? 0
    }
}
