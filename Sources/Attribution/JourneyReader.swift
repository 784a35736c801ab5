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

        // Conversions in lead order (all of them: a lead that converted outside the range is no
        // null path), walked beside the leads, which are read in the same order.
        var conversions: [JourneyAssembler.Conversion] = []
        var currencies = Set<String>()
        var latest = Int64.min
        try db.query("SELECT lead_id, converted_at, revenue_minor, currency FROM conversions ORDER BY lead_id, converted_at") { s in
            let at = s.int(1)
            let inRange = at >= start && at < end
            conversions.append(.init(lead: s.int(0), at: at, value: s.int(2), inRange: inRange))
            if inRange { currencies.insert(s.text(3) ?? "") }
            latest = max(latest, at)
        }
        guard currencies.count <= 1 else {
            throw AttributionError.invalidOption("the conversions in range are in several currencies (\(currencies.sorted().joined(separator: ", "))); narrow the range")
        }
        // Stage anchors: the leads' milestone columns, in lead order too.
        var anchorRows: [JourneyAssembler.StageTimes] = []
        try db.query("""
            SELECT id, stage_opportunity_at, stage_customer_at FROM leads
            WHERE stage_opportunity_at IS NOT NULL OR stage_customer_at IS NOT NULL ORDER BY id
            """) { s in
            anchorRows.append((s.int(0), s.optionalInt(1), s.optionalInt(2)))
        }
        try db.query("SELECT max(occurred_at) FROM touchpoints") { s in if !s.isNull(0) { latest = max(latest, s.int(0)) } }
        let nullEnd = end == Int64.max ? latest + 1 : end

        let kinds = options.kinds.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")  // enum raw values only
        let unitColumn = options.unit == .channel
            ? "t.channel_id"
            : "t.channel_id || '/' || coalesce((SELECT name FROM campaigns WHERE id = t.campaign_id), '(none)')"
        let direct = units.id(for: options.unit == .channel ? "direct" : "direct/(none)")
        var assembler = JourneyAssembler(lookback: lookback, nullEnd: nullEnd, direct: direct,
                                         conversions: conversions,
                                         anchors: anchorRows)
        // Every lead's creation time, in id order.
        try db.query("SELECT id, created_at FROM leads ORDER BY id") { s in assembler.leads.append((s.int(0), s.int(1))) }
        // The touches in one pass over the touch index (lead, time): no join, no sort. Ties at
        // the same second are put in id order by the assembler.
        var lastUnit: (text: [UInt8], id: Int32) = ([], -1)
        try db.query("""
            SELECT t.lead_id, t.occurred_at, t.id, \(unitColumn)
            FROM touchpoints t INDEXED BY touchpoints_natural_key WHERE t.kind IN (\(kinds))
            ORDER BY t.lead_id, t.occurred_at
            """) { s in
            // A lead's touches often repeat the previous row's unit: compare bytes before hashing a string.
            let unit = s.withTextBytes(3) { bytes -> Int32 in
                if lastUnit.id >= 0 && bytes.elementsEqual(lastUnit.text) { return lastUnit.id }
                let id = units.id(for: String(decoding: bytes, as: UTF8.self))
                lastUnit = (Array(bytes), id)
                return id
            }
            assembler.touch(lead: s.int(0), at: s.int(1), id: s.int(2), unit: unit)
        }
        assembler.finish()
        let journeys = assembler.journeys
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

/// Turns touches read in lead order into journeys (see ``JourneyReader``): a value type with
/// mutating methods, so that the per-row work has no captured state to check.
struct JourneyAssembler {
    struct Conversion { let lead: Int64; let at: Int64; let value: Int64; let inRange: Bool }
    /// When a lead first reached the opportunity and customer stages.
    typealias StageTimes = (lead: Int64, opportunity: Int64?, customer: Int64?)

    let lookback: Int64
    let nullEnd: Int64
    let direct: Int32
    /// Conversions and stage anchors in lead order, walked beside the leads.
    let conversions: [Conversion]
    let anchors: [StageTimes]
    /// Every lead (id, creation time) in id order.
    var leads: [(id: Int64, created: Int64)] = []
    private(set) var journeys: [Journey] = []

    private var nextLead = 0, nextConversion = 0, nextAnchor = 0
    private var current: Int64 = -1
    private var times: [Int64] = [], units: [Int32] = [], ids: [Int64] = []
    private var tiedOutOfOrder = false

    init(lookback: Int64, nullEnd: Int64, direct: Int32, conversions: [Conversion], anchors: [StageTimes]) {
        self.lookback = lookback
        self.nullEnd = nullEnd
        self.direct = direct
        self.conversions = conversions
        self.anchors = anchors
    }

    mutating func touch(lead: Int64, at: Int64, id: Int64, unit: Int32) {
        if lead != current {
            flushLeads(through: lead)
            current = lead
        }
        if let previous = times.last, previous == at, let previousID = ids.last, previousID > id { tiedOutOfOrder = true }
        times.append(at)
        units.append(unit)
        ids.append(id)
    }

    mutating func finish() { flushLeads(through: Int64.max) }

    /// Builds the journeys of every lead before `lead`, in id order: the current one with its
    /// touches, the others without any.
    private mutating func flushLeads(through lead: Int64) {
        while nextLead < leads.count && leads[nextLead].id < lead {
            let (id, created) = leads[nextLead]
            nextLead += 1
            build(id, created, touched: id == current)
        }
        times.removeAll(keepingCapacity: true)
        units.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
        tiedOutOfOrder = false
    }

    private mutating func build(_ lead: Int64, _ created: Int64, touched: Bool) {
        if touched && tiedOutOfOrder {
            // Touches at the same second count in import order (by id).
            let order = times.indices.sorted { (times[$0], ids[$0]) < (times[$1], ids[$1]) }
            units = order.map { units[$0] }
            times = order.map { times[$0] }
            tiedOutOfOrder = false
        }
        while nextConversion < conversions.count && conversions[nextConversion].lead < lead { nextConversion += 1 }
        var end = nextConversion
        while end < conversions.count && conversions[end].lead == lead { end += 1 }
        while nextAnchor < anchors.count && anchors[nextAnchor].lead < lead { nextAnchor += 1 }
        let stage = nextAnchor < anchors.count && anchors[nextAnchor].lead == lead ? anchors[nextAnchor] : nil
        for c in conversions[nextConversion..<end] where c.inRange {
            journeys.append(journey(endingAt: c.at, touched: touched, created: created, stage: stage, conversions: 1, value: Double(c.value), nulls: 0))
        }
        if end == nextConversion && created < nullEnd && touched && !times.isEmpty {
            var j = journey(endingAt: nullEnd - 1, touched: true, created: created, stage: nil, conversions: 0, value: 0, nulls: 1)
            j.anchors = StageAnchors()
            if j.steps != [direct] { journeys.append(j) }
        }
    }

    private func journey(endingAt t: Int64, touched: Bool, created: Int64, stage: StageTimes?,
                         conversions c: Double, value: Double, nulls: Double) -> Journey {
        let from = t - lookback
        var steps: [Int32] = []
        var seconds: [Int64] = []
        var indices: [Int] = []
        for (i, at) in times.enumerated() where touched && at >= from && at <= t {
            steps.append(units[i]); seconds.append(t - at); indices.append(i)
        }
        if steps.isEmpty { return Journey(steps: [direct], secondsBefore: [0], conversions: c, value: value, nulls: nulls) }
        func anchor(_ stageAt: Int64?) -> Int? {
            guard let stageAt else { return nil }
            return indices.lastIndex { times[$0] <= stageAt }
        }
        let anchors = StageAnchors(lead: anchor(created), opportunity: anchor(stage?.opportunity), customer: anchor(stage?.customer ?? t))
        return Journey(steps: steps, secondsBefore: seconds, conversions: c, value: value, nulls: nulls, anchors: anchors)
    }
}
