import ChannelKit

/// Writes an import's facts other than leads and touches (``ImportSink/facts``): costs and
/// channel metrics, conversions, lifecycle stages, outreach attempts and exchange rates.
///
/// Facts are keyed naturally. A later file restates a cost, metric, rate or conversion revenue
/// (platforms restate recent days); one file giving the same key twice is refused
/// (``WarehouseError/duplicateInFile(_:)``), never summed or overwritten in silence.
///
/// Costs and channel metrics are also keyed by their **source** (``FactSource``): the export
/// format and the ad account or ledger they came from. Two sources giving the same channel,
/// campaign and day are both kept and add up in reports — the same campaign name run on Meta
/// and on LinkedIn, or on Google Ads and Microsoft Advertising — while a later download from
/// the same source restates its own rows, so overlapping downloads never double-count. A row
/// a later download does not give is kept, not removed: a download filtered to one campaign
/// must not erase the others' spend.
public final class FactWriter {
    private let scope: ImportScope
    private let campaigns: CampaignDirectory
    private var db: Database { scope.db }
    private let findCost: Statement
    private let writeCost: Statement
    private let findMetric: Statement
    private let writeMetric: Statement
    private let insertConversionStatement: Statement
    private let findConversionByID: Statement
    private let findConversionByTime: Statement
    private let updateConversionRevenue: Statement
    private let insertStageStatement: Statement
    private let insertOutreachStatement: Statement
    private var channels: Set<String>?

    init(_ scope: ImportScope, campaigns: CampaignDirectory) throws {
        self.scope = scope
        self.campaigns = campaigns
        let db = scope.db
        findCost = try db.prepare("""
            SELECT id, amount_minor, currency, import_run_id FROM costs
            WHERE day = ?1 AND channel_id = ?2 AND ifnull(campaign_id, 0) = ifnull(?3, 0) AND detail = ?4 AND source_key = ?5
            """)
        writeCost = try db.prepare("""
            INSERT OR REPLACE INTO costs (id, day, channel_id, campaign_id, detail, source_key, amount_minor, currency, import_run_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            """)
        findMetric = try db.prepare("""
            SELECT id, value, import_run_id FROM channel_metrics
            WHERE day = ?1 AND channel_id = ?2 AND ifnull(campaign_id, 0) = ifnull(?3, 0) AND metric = ?4 AND detail = ?5 AND source_key = ?6
            """)
        writeMetric = try db.prepare("""
            INSERT OR REPLACE INTO channel_metrics (id, day, channel_id, campaign_id, metric, detail, source_key, value, import_run_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
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
        insertStageStatement = try db.prepare("""
            INSERT INTO lifecycle_stages (lead_id, stage, changed_at, import_run_id) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT DO NOTHING
            """)
        insertOutreachStatement = try db.prepare("""
            INSERT INTO outreach_attempts (lead_id, attempted_at, method, responded, import_run_id) VALUES (?1, ?2, ?3, ?4, ?5)
            ON CONFLICT DO NOTHING
            """)
    }

    /// Whether the warehouse has the channel `id` (file imports run with foreign keys off, so a
    /// ledger naming a channel is checked here).
    public func hasChannel(_ id: String) throws -> Bool {
        if channels == nil {
            var ids = Set<String>()
            try db.query("SELECT id FROM channels") { ids.insert($0.text(0) ?? "") }
            channels = ids
        }
        if channels!.contains(id) { return true }
        // A channel added during this import (a restored snapshot's).
        guard try db.scalarInt("SELECT 1 FROM channels WHERE id = ?", [.text(id)]) != nil else { return false }
        channels!.insert(id)
        return true
    }

    /// Records a day's cost of `channel` from `source`.
    public func upsertCost(channel: String, _ cost: CostRecord, source: FactSource) throws -> WriteOutcome {
        let campaignID = try cost.campaign.flatMap { try campaigns.id(channel: channel, campaign: $0) }
        return try upsertCost(day: cost.day.description, channel: channel, campaignID: campaignID, detail: cost.detail ?? "", source: source,
                              amount: cost.amount)
    }

    /// Records a day's cost by its stored key (a campaign id, a detail of `""` when none).
    public func upsertCost(day: String, channel: String, campaignID: Int64?, detail: String, source: FactSource, amount: Money) throws -> WriteOutcome {
        try restate(findCost, writeCost, key: [.text(day), .text(channel), SQLValue(campaignID), .text(detail), .text(source.key)],
                    values: [.integer(amount.minorUnits), .text(amount.currency.code)], runColumn: 3,
                    what: "a cost for this day, campaign and item") { found in
            found.int(1) == amount.minorUnits && found.text(2) == amount.currency.code
        }
    }

    /// Records a day's value of a channel metric from `source`.
    public func upsertMetric(channel: String, _ metric: MetricRecord, source: FactSource) throws -> WriteOutcome {
        let campaignID = try metric.campaign.flatMap { try campaigns.id(channel: channel, campaign: $0) }
        return try upsertMetric(day: metric.day.description, channel: channel, campaignID: campaignID, metric: metric.metric,
                                detail: metric.detail?.stored ?? "", source: source, value: metric.value)
    }

    /// Records a day's value of a channel metric by its stored key.
    public func upsertMetric(day: String, channel: String, campaignID: Int64?, metric: String, detail: String, source: FactSource,
                             value: Double) throws -> WriteOutcome {
        try restate(findMetric, writeMetric, key: [.text(day), .text(channel), SQLValue(campaignID), .text(metric), .text(detail), .text(source.key)],
                    values: [.real(value)], runColumn: 2, what: "this metric for this day and campaign") { found in
            found.double(1) == value
        }
    }

    /// Replace-on-restatement for daily facts. `find` takes the natural `key` and returns the
    /// existing row's id, its values, and (column `runColumn`) the run that wrote it; `write`
    /// takes the id (or NULL for a new row), the key, the `values` and the run id, in that order.
    private func restate(_ find: Statement, _ write: Statement, key: [SQLValue], values: [SQLValue], runColumn: Int32, what: String,
                         isSame: (Statement) -> Bool) throws -> WriteOutcome {
        find.reset()
        defer { find.reset() }
        try find.bind(key)
        var existingID: Int64?
        if try find.step() {
            if find.int(runColumn) == scope.runID { throw WarehouseError.duplicateInFile("an earlier row of this file already gave \(what)") }
            existingID = find.int(0)
            if isSame(find) { return .unchanged }
        }
        write.reset()
        try write.bind(SQLValue(existingID), at: 1)
        for (i, v) in (key + values + [.integer(scope.stamp)]).enumerated() { try write.bind(v, at: Int32(i + 2)) }
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
            if find.int(5) == scope.runID { throw WarehouseError.duplicateInFile("an earlier row of this file already gave \(what)") }
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
            try u.bind(scope.stamp, at: 4)
            try u.step()
            scope.derived.noteStaleJourney(of: leadID, parts: .conversions)
            return .updated
        }
        let s = insertConversionStatement
        s.reset()
        try s.bind(leadID, at: 1)
        try s.bind(at.secondsSinceEpoch, at: 2)
        try s.bind(revenue.minorUnits, at: 3)
        try s.bind(revenue.currency.code, at: 4)
        try s.bind(externalID, at: 5)
        try s.bind(scope.stamp, at: 6)
        try s.step()
        scope.derived.noteStaleJourney(of: leadID, parts: .conversions)
        scope.derived.noteMilestone(DerivedRowTracker.milestoneCount - 1, of: leadID, at: at)
        return .inserted
    }

    /// Records a lead entering a lifecycle stage, once per lead, stage and second.
    public func insertStage(leadID: Int64, stage: String, at: Timestamp) throws -> WriteOutcome {
        let s = insertStageStatement
        s.reset()
        try s.bind(leadID, at: 1)
        try s.bind(stage, at: 2)
        try s.bind(at.secondsSinceEpoch, at: 3)
        try s.bind(scope.stamp, at: 4)
        try s.step()
        guard db.changes > 0 else { return .unchanged }
        if let k = LeadMilestones.stages.firstIndex(of: stage) { scope.derived.noteMilestone(k, of: leadID, at: at) }
        if stage == "opportunity" || stage == "customer" { scope.derived.noteStaleJourney(of: leadID, parts: []) }
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
        try s.bind(scope.stamp, at: 5)
        try s.step()
        return db.changes > 0 ? .inserted : .unchanged
    }

    /// Records an exchange rate; a restated rate for the same day and pair replaces the old one.
    public func upsertRate(day: Day, currency: String, target: String, rate: Double) throws -> WriteOutcome {
        try upsertRate(day: day.description, currency: currency, target: target, rate: rate)
    }

    /// Records an exchange rate by its stored day.
    public func upsertRate(day: String, currency: String, target: String, rate: Double) throws -> WriteOutcome {
        var existing: (rate: Double, run: Int64)?
        try db.query("SELECT rate, import_run_id FROM exchange_rates WHERE day = ? AND currency = ? AND target = ?",
                     [.text(day), .text(currency), .text(target)]) { existing = ($0.double(0), $0.int(1)) }
        if let existing {
            if existing.run == scope.runID { throw WarehouseError.duplicateInFile("an earlier row of this file already gave this day's rate for this pair") }
            if existing.rate == rate { return .unchanged }
            try db.run("UPDATE exchange_rates SET rate = ?, import_run_id = ? WHERE day = ? AND currency = ? AND target = ?",
                       [.real(rate), .integer(scope.stamp), .text(day), .text(currency), .text(target)])
            return .updated
        }
        try db.run("INSERT INTO exchange_rates (day, currency, target, rate, import_run_id) VALUES (?, ?, ?, ?, ?)",
                   [.text(day), .text(currency), .text(target), .real(rate), .integer(scope.stamp)])
        return .inserted
    }
}
