import ChannelKit

/// One touchpoint to write, as ``TouchWriter`` takes them.
public struct TouchRow: Sendable, Equatable {
    public var leadID: Int64
    public var at: Timestamp
    public var channel: String
    public var campaignID: Int64?
    public var kind: TouchKind
    /// The raw web-touch fields as the export had them (nil for a channel's own touches), the
    /// landing page without its click identifiers, which are in ``clickIDs`` (``ClickIDs``).
    public var utmSource: String?, utmMedium: String?, utmCampaign: String?, referrer: String?, landingPage: String?
    public var clickIDs: String?
    /// The touch's id when it has one already (a snapshot being restored); nil: the next.
    public var id: Int64?

    /// A touch whose landing page is given whole: its click identifiers are taken out here.
    public init(leadID: Int64, at: Timestamp, channel: String, campaignID: Int64?, kind: TouchKind,
                utmSource: String? = nil, utmMedium: String? = nil, utmCampaign: String? = nil, referrer: String? = nil, landingPage: String? = nil,
                id: Int64? = nil) {
        let split = landingPage.map(ClickIDs.split)
        self.init(leadID: leadID, at: at, channel: channel, campaignID: campaignID, kind: kind, utmSource: utmSource, utmMedium: utmMedium,
                  utmCampaign: utmCampaign, referrer: referrer, page: split?.page, clickIDs: split?.clickIDs, id: id)
    }

    /// A touch whose landing page was split already (``ClickIDs/split(_:)``) or comes split (a snapshot).
    public init(leadID: Int64, at: Timestamp, channel: String, campaignID: Int64?, kind: TouchKind,
                utmSource: String?, utmMedium: String?, utmCampaign: String?, referrer: String?, page: String?, clickIDs: String?,
                id: Int64? = nil) {
        (self.leadID, self.at, self.channel, self.campaignID, self.kind) = (leadID, at, channel, campaignID, kind)
        (self.utmSource, self.utmMedium, self.utmCampaign, self.referrer, self.landingPage) = (utmSource, utmMedium, utmCampaign, referrer, page)
        (self.clickIDs, self.id) = (clickIDs, id)
    }
}

/// Writes an import's touches into the touch store (``TouchStore``; ``ImportSink/touches``): a
/// touch is new unless the same lead already has a touch of the same kind, on the same channel,
/// at the same second. Kinds and channels become their codes, raw tags their dictionary ids
/// (``TouchTags``), and a landing page's click identifiers go to a column of their own.
public final class TouchWriter {
    private let scope: ImportScope
    private var db: Database { scope.db }
    private let tags: TouchTags
    private var channelCodes: [String: Int64]
    private let insertStatement: Statement
    /// ``batchSize`` rows in one `INSERT`, prepared on first use.
    private var insertBatchStatement: Statement?
    private var findID: Statement?
    /// The id the next touch gets (``TouchStore/nextIDSetting``), read before the run's first
    /// touch. Ids of touches not inserted (their key taken) are given again by a later run.
    private var nextID: Int64?
    /// The largest id of a touch the run inserted: the setting becomes the next one at commit.
    private var largestInserted: Int64?

    /// How many touches ``insert(_:)-([TouchRow])`` writes with one statement: one `INSERT` of 64
    /// rows costs SQLite about 60 % of 64 single-row ones (docs/benchmarks.md, "Touch batches").
    public static let batchSize = 64
    static let columnCount: Int32 = 13
    static let columns = """
        occurred_at, lead_id, kind_code, channel_code, id, campaign_id, utm_source_tag, utm_medium_tag, utm_campaign_tag,
        referrer_tag, landing_page_tag, click_ids, import_run_id
        """

    init(_ scope: ImportScope) throws {
        self.scope = scope
        tags = try TouchTags(scope.db)
        var codes: [String: Int64] = [:]
        try scope.db.query("SELECT channel_id, code FROM channel_codes") { codes[$0.text(0) ?? ""] = $0.int(1) }
        channelCodes = codes
        insertStatement = try scope.db.prepare("""
            INSERT INTO touches (\(Self.columns)) VALUES (\((1...Self.columnCount).map { "?\($0)" }.joined(separator: ", ")))
            ON CONFLICT DO NOTHING
            """)
    }

    /// Inserts one touch: inserted, or unchanged when its natural key is taken.
    public func insert(_ touch: TouchRow) throws -> WriteOutcome {
        let id = try takeID(for: touch)
        let s = insertStatement
        s.reset()
        let code = try bind(touch, id: id, to: s, from: 1)
        try s.step()
        guard db.changes > 0 else { return .unchanged }
        noteInserted(touch, id: id, channelCode: code)
        return .inserted
    }

    /// Inserts `touches` ``batchSize`` to a statement (the rest one at a time), with
    /// ``insert(_:)-(TouchRow)``'s rule: each one's outcome, in order, as if they had been
    /// inserted one by one — a touch whose natural key an earlier one took is unchanged. A touch
    /// the warehouse refuses fails alone: its batch is then written one by one, and that touch's
    /// result is its error.
    ///
    /// The batch is `INSERT OR IGNORE`, not `ON CONFLICT DO NOTHING`: a statement of many rows
    /// that may abort halfway makes SQLite keep a statement journal; one that cannot abort needs
    /// none. `OR IGNORE` would also pass over a row that breaks a NOT NULL or CHECK constraint,
    /// and this count would take it for a taken key; none can: the NOT NULL columns are bound
    /// from `TouchRow`'s non-optional fields and codes, and `touches` has no CHECK. A test holds
    /// the table to exactly those constraints (`batchedTouchesCanOnlyBeIgnoredForATakenKey`).
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
        let s = try insertBatchStatement ?? prepareBatch()
        s.reset()
        // By index, not by copying the rows out: each copy retains and releases six strings.
        let first = touches.startIndex
        var ids: [Int64] = [], codes: [Int64] = []
        ids.reserveCapacity(touches.count)
        codes.reserveCapacity(touches.count)
        for i in touches.indices {
            let id = try takeID(for: touches[i])
            ids.append(id)
            codes.append(try bind(touches[i], id: id, to: s, from: Int32(i - first) * Self.columnCount + 1))
        }
        do {
            try s.step()
        } catch {
            guard case .constraint = error else { throw error }
            // The statement was undone as a whole: find the refused touch by writing them singly.
            return try touches.map(insertAlone)
        }
        let inserted = db.changes
        if inserted == touches.count {
            for i in touches.indices { noteInserted(touches[i], id: ids[i - first], channelCode: codes[i - first]) }
            return Array(repeating: .success(.inserted), count: touches.count)
        }
        // Some keys were taken: a touch went in when its key's row has the id it was given.
        var outcomes = [Result<WriteOutcome, WarehouseError>](repeating: .success(.unchanged), count: touches.count)
        guard inserted > 0 else { return outcomes }
        let find = try findID ?? db.prepare("SELECT id FROM touches WHERE occurred_at = ?1 AND lead_id = ?2 AND kind_code = ?3 AND channel_code = ?4")
        findID = find
        for i in touches.indices {
            let t = touches[i]
            find.reset()
            try find.bind(t.at.secondsSinceEpoch, at: 1)
            try find.bind(t.leadID, at: 2)
            try find.bind(Int64(LeadJourneys.kindCode(t.kind)), at: 3)
            try find.bind(codes[i - first], at: 4)
            if try find.step(), find.int(0) == ids[i - first] {
                noteInserted(t, id: ids[i - first], channelCode: codes[i - first])
                outcomes[i - first] = .success(.inserted)
            }
            find.reset()
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
        let row = "(" + (1...Self.columnCount).map { _ in "?" }.joined(separator: ", ") + ")"
        let s = try db.prepare("""
            INSERT OR IGNORE INTO touches (\(Self.columns))
            VALUES \(Array(repeating: row, count: Self.batchSize).joined(separator: ", "))
            """)
        insertBatchStatement = s
        return s
    }

    /// Binds `touch` to the thirteen parameters of a touch row starting at `first`; returns its
    /// channel's code, which the derived rows take too.
    private func bind(_ touch: TouchRow, id: Int64, to s: Statement, from first: Int32) throws -> Int64 {
        try s.bind(touch.at.secondsSinceEpoch, at: first)
        try s.bind(touch.leadID, at: first + 1)
        try s.bind(Int64(LeadJourneys.kindCode(touch.kind)), at: first + 2)
        let code = try channelCode(touch.channel)
        try s.bind(code, at: first + 3)
        try s.bind(id, at: first + 4)
        try s.bind(touch.campaignID, at: first + 5)
        try s.bind(try tags.id(touch.utmSource), at: first + 6)
        try s.bind(try tags.id(touch.utmMedium), at: first + 7)
        try s.bind(try tags.id(touch.utmCampaign), at: first + 8)
        try s.bind(try tags.id(touch.referrer), at: first + 9)
        try s.bind(try tags.id(touch.landingPage), at: first + 10)
        try s.bind(touch.clickIDs, at: first + 11)
        try s.bind(scope.stamp, at: first + 12)
        return code
    }

    /// A channel's code; a channel the warehouse does not have is refused as its foreign key would be.
    private func channelCode(_ channel: String) throws(WarehouseError) -> Int64 {
        if let code = channelCodes[channel] { return code }
        // A channel registered during this import (a restored snapshot's).
        guard let code = try db.scalarInt("SELECT code FROM channel_codes WHERE channel_id = ?", [.text(channel)]) else {
            throw WarehouseError.constraint(message: "FOREIGN KEY constraint failed: the warehouse has no channel \(channel)")
        }
        channelCodes[channel] = code
        return code
    }

    /// The id for `touch`: its own when it has one (a restored snapshot), else the next.
    private func takeID(for touch: TouchRow) throws -> Int64 {
        var next: Int64
        if let known = nextID { next = known } else {
            next = Int64(try db.scalarText("SELECT value FROM settings WHERE key = ?", [.text(TouchStore.nextIDSetting)]) ?? "1") ?? 1
            scope.derived.noteTouchesStart(idsBefore: next - 1)
        }
        let id = touch.id ?? next
        nextID = max(next, id + 1)
        return id
    }

    private func noteInserted(_ touch: TouchRow, id: Int64, channelCode: Int64) {
        largestInserted = max(largestInserted ?? id, id)
        scope.derived.noteInserted(touch, id: id, channelCode: channelCode)
    }

    /// Writes the next id back when the run inserted a touch (at its end, inside its transaction).
    func saveNextID() throws {
        guard let largestInserted else { return }
        try db.run("""
            INSERT INTO settings (key, value) VALUES (?1, ?2)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE CAST(value AS INTEGER) < CAST(excluded.value AS INTEGER)
            """, [.text(TouchStore.nextIDSetting), .text(String(largestInserted + 1))])
    }
}

/// The dictionary of raw touch tags (`touch_tags`): each distinct UTM value, referrer and
/// landing page stored once, found by value from a cache, added on first sight.
final class TouchTags {
    private let db: Database
    private var ids: [String: Int64] = [:]
    private let find: Statement
    private let add: Statement

    init(_ db: Database) throws {
        self.db = db
        find = try db.prepare("SELECT id FROM touch_tags WHERE value = ?1")
        add = try db.prepare("INSERT INTO touch_tags (value) VALUES (?1)")
    }

    func id(_ value: String?) throws -> Int64? {
        guard let value else { return nil }
        if let id = ids[value] { return id }
        find.reset()
        defer { find.reset() }
        try find.bind(value, at: 1)
        let id: Int64
        if try find.step() { id = find.int(0) } else {
            add.reset()
            try add.bind(value, at: 1)
            try add.step()
            id = db.lastInsertedRowID
        }
        ids[value] = id
        return id
    }
}
