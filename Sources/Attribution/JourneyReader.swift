import ChannelKit
import Warehouse

/// What to credit, and which touches and conversions count.
public struct JourneyOptions: Sendable {
    public enum Unit: String, Sendable { case channel, campaign }

    /// Credit channels, or campaigns (named `channel/campaign`; `channel/(none)` for touches without one).
    public var unit: Unit = .channel
    /// Touches more than this many days before the conversion are ignored.
    public var lookbackDays: Int = 90
    /// Touch kinds that count; impressions are left out unless asked for.
    public var kinds: Set<TouchKind> = Set(TouchKind.allCases).subtracting([.impression])
    /// Conversions on these UTC days (inclusive; open when nil).
    public var from: Day?
    public var to: Day?

    public init() {}
}

/// Journeys read from the warehouse, with their unit names and totals.
public struct JourneySet: Sendable {
    public var units: UnitTable
    public var journeys: [Journey]
    public var currency: Currency?

    public var totalConversions: Double { journeys.reduce(0) { $0 + $1.conversions } }
    public var totalValue: Double { journeys.reduce(0) { $0 + $1.value } }
}

/// Builds journeys from the warehouse: one per conversion in range — the lead's touches of the
/// chosen kinds in the lookback window before it, in time order — and one null journey per
/// lead created by the end of the range that never converted (its touches in the lookback
/// window before the end). A conversion with no touch in its window is credited to `direct`,
/// as the channel report counts leads without touches. Stage anchors come from the lead's
/// creation time and its `opportunity` and `customer` stage changes.
public enum JourneyReader {
    public static func read(_ warehouse: Warehouse, _ options: JourneyOptions) throws -> JourneySet {
        guard options.lookbackDays > 0 else { throw AttributionError.invalidOption("the lookback window must be at least 1 day") }
        let db = warehouse.db
        let lookback = Int64(options.lookbackDays) * 86_400
        let start = options.from.map { $0.start.secondsSinceEpoch } ?? Int64.min
        let end = options.to.map { $0.adding(days: 1).start.secondsSinceEpoch } ?? Int64.max
        var units = UnitTable()

        // Conversions by lead (all of them: a lead that converted outside the range is no null path).
        struct Conversion { let at: Int64; let value: Int64; let inRange: Bool }
        var conversions: [Int64: [Conversion]] = [:]
        var currencies = Set<String>()
        var latest = Int64.min
        try db.query("SELECT lead_id, converted_at, revenue_minor, currency FROM conversions ORDER BY lead_id, converted_at") { s in
            let at = s.int(1)
            let inRange = at >= start && at < end
            conversions[s.int(0), default: []].append(Conversion(at: at, value: s.int(2), inRange: inRange))
            if inRange { currencies.insert(s.text(3) ?? "") }
            latest = max(latest, at)
        }
        guard currencies.count <= 1 else {
            throw AttributionError.invalidOption("the conversions in range are in several currencies (\(currencies.sorted().joined(separator: ", "))); narrow the range")
        }
        // Stage anchors.
        var opportunityAt: [Int64: Int64] = [:]
        var customerAt: [Int64: Int64] = [:]
        try db.query("SELECT lead_id, stage, min(changed_at) FROM lifecycle_stages WHERE stage IN ('opportunity', 'customer') GROUP BY lead_id, stage") { s in
            if s.text(1) == "opportunity" { opportunityAt[s.int(0)] = s.int(2) } else { customerAt[s.int(0)] = s.int(2) }
        }
        try db.query("SELECT max(occurred_at) FROM touchpoints") { s in if !s.isNull(0) { latest = max(latest, s.int(0)) } }
        let nullEnd = end == Int64.max ? latest + 1 : end

        let kinds = options.kinds.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")  // enum raw values only
        let unitColumn = options.unit == .channel
            ? "t.channel_id"
            : "t.channel_id || '/' || coalesce((SELECT name FROM campaigns WHERE id = t.campaign_id), '(none)')"
        var journeys: [Journey] = []
        let direct = units.id(for: options.unit == .channel ? "direct" : "direct/(none)")

        // One pass over leads with their touches, in lead then time order.
        var leadID: Int64 = -1
        var created: Int64 = 0
        var touchTimes: [Int64] = []
        var touchUnits: [Int32] = []
        func flush() {
            guard leadID >= 0 else { return }
            let mine = conversions[leadID] ?? []
            func journey(endingAt t: Int64, conversions c: Double, value: Double, nulls: Double) -> Journey {
                let from = t - lookback
                var steps: [Int32] = []
                var seconds: [Int64] = []
                var indices: [Int] = []
                for (i, at) in touchTimes.enumerated() where at >= from && at <= t {
                    steps.append(touchUnits[i]); seconds.append(t - at); indices.append(i)
                }
                if steps.isEmpty { return Journey(steps: [direct], secondsBefore: [0], conversions: c, value: value, nulls: nulls) }
                func anchor(_ stageAt: Int64?) -> Int? {
                    guard let stageAt else { return nil }
                    return indices.lastIndex { touchTimes[$0] <= stageAt }
                }
                let anchors = StageAnchors(lead: anchor(created), opportunity: anchor(opportunityAt[leadID]), customer: anchor(customerAt[leadID] ?? t))
                return Journey(steps: steps, secondsBefore: seconds, conversions: c, value: value, nulls: nulls, anchors: anchors)
            }
            for c in mine where c.inRange { journeys.append(journey(endingAt: c.at, conversions: 1, value: Double(c.value), nulls: 0)) }
            if mine.isEmpty && created < nullEnd && !touchTimes.isEmpty {
                var j = journey(endingAt: nullEnd - 1, conversions: 0, value: 0, nulls: 1)
                j.anchors = StageAnchors()
                if j.steps != [direct] { journeys.append(j) }
            }
        }
        try db.query("""
            SELECT l.id, l.created_at, t.occurred_at, \(unitColumn)
            FROM leads l LEFT JOIN touchpoints t ON t.lead_id = l.id AND t.kind IN (\(kinds))
            ORDER BY l.id, t.occurred_at, t.id
            """) { s in
            let id = s.int(0)
            if id != leadID {
                flush()
                leadID = id
                created = s.int(1)
                touchTimes.removeAll(keepingCapacity: true)
                touchUnits.removeAll(keepingCapacity: true)
            }
            if !s.isNull(2) {
                touchTimes.append(s.int(2))
                touchUnits.append(units.id(for: s.text(3) ?? ""))
            }
        }
        flush()
        return JourneySet(units: units, journeys: journeys, currency: currencies.first.flatMap { Currency($0) })
    }

    /// Spend per unit name over the options' days (`channel` or `channel/campaign`).
    public static func spend(_ warehouse: Warehouse, _ options: JourneyOptions) throws -> [String: Int64] {
        let unit = options.unit == .channel
            ? "channel_id"
            : "channel_id || '/' || coalesce((SELECT name FROM campaigns WHERE id = campaign_id), '(none)')"
        var spend: [String: Int64] = [:]
        try warehouse.db.query("SELECT \(unit) AS u, sum(amount_minor) FROM costs WHERE day BETWEEN ?1 AND ?2 GROUP BY u",
                               [.text(options.from?.description ?? "0000-01-01"), .text(options.to?.description ?? "9999-12-31")]) {
            spend[$0.text(0) ?? ""] = $0.int(1)
        }
        return spend
    }
}
