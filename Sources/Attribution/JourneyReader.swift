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
    /// Whether to build the null paths of leads that never converted (only models that read
    /// them, such as Markov's, need them; leaving them out skips most leads).
    public var nullPaths = true
    /// Whether to keep each step's time before the conversion and the stage anchors (time decay
    /// and the stage-anchored models read them; leaving them out saves an array per journey).
    public var stepTimes = true

    public init() {}

    /// The conversions' times in range (seconds since the epoch), open ends as the extremes.
    var conversionWindow: Range<Int64> {
        (from.map { $0.start.secondsSinceEpoch } ?? Int64.min)..<(to.map { $0.adding(days: 1).start.secondsSinceEpoch } ?? Int64.max)
    }
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
///
/// The facts come from ``LeadJourneys`` — one row per lead, its touches packed in time order —
/// in one pass: no per-touch row from SQLite, no join, no sort.
public enum JourneyReader {
    public static func read(_ warehouse: Warehouse, _ options: JourneyOptions) throws -> JourneySet {
        guard options.lookbackDays > 0 else { throw AttributionError.invalidOption("the lookback window must be at least 1 day") }
        let db = warehouse.db
        // Null paths end with the range, or after the latest fact when it is open: the latest
        // touch is one index search per channel, the latest conversion a scan of a small table.
        let nullEnd: Int64
        if options.to != nil {
            nullEnd = options.conversionWindow.upperBound
        } else {
            let latest = try db.scalarInt("""
                SELECT max(coalesce((SELECT max(occurred_at) FROM touchpoints WHERE channel_id = c.id), -9223372036854775808))
                FROM channels c
                """) ?? Int64.min
            let latestConversion = try db.scalarInt("SELECT max(converted_at) FROM conversions") ?? Int64.min
            nullEnd = max(latest, latestConversion) &+ 1
        }
        // The leads in two halves by id, the upper one on a second connection on the other core.
        let lookback = Int64(options.lookbackDays) * 86_400
        let names = try campaignNames(warehouse, options.unit)
        // (min and max in one query would scan the table; alone, each is one b-tree search.)
        let low = try db.scalarInt("SELECT min(lead_id) FROM lead_journeys"), high = try db.scalarInt("SELECT max(lead_id) FROM lead_journeys")
        let split = low.flatMap { low in high.map { low + ($0 - low) / 2 + 1 } } ?? Int64.max
        let upperHalf = ParallelRead(db) { db in
            try JourneyPart(db, leads: split..<Int64.max, options: options, campaignNames: names, lookback: lookback, nullEnd: nullEnd)
        }
        var set = try JourneyPart(db, leads: Int64.min..<split, options: options, campaignNames: names, lookback: lookback, nullEnd: nullEnd)
        set.append(try upperHalf.wait())
        guard set.currencies.count <= 1 else {
            throw AttributionError.invalidOption("the conversions in range are in several currencies (\(set.currencies.sorted().joined(separator: ", "))); narrow the range")
        }
        return JourneySet(units: set.units, journeys: set.journeys, currency: set.currencies.first.flatMap { Currency($0) })
    }

    /// Campaign names by id, when crediting campaigns.
    private static func campaignNames(_ warehouse: Warehouse, _ unit: JourneyOptions.Unit) throws -> [Int64: String] {
        guard unit == .campaign else { return [:] }
        var names: [Int64: String] = [:]
        try warehouse.db.query("SELECT id, name FROM campaigns") { names[$0.int(0)] = $0.text(1) ?? "" }
        return names
    }

    /// The journeys of the leads in one id range, with the units and currencies they use.
    struct JourneyPart: Sendable {
        var units = UnitTable()
        var journeys: [Journey] = []
        var currencies = Set<String>()

        init(_ db: Database, leads: Range<Int64>, options: JourneyOptions, campaignNames: [Int64: String], lookback: Int64, nullEnd: Int64) throws {
            let (start, end) = (options.conversionWindow.lowerBound, options.conversionWindow.upperBound)
            let byCampaign = options.unit == .campaign
            let direct = units.id(for: byCampaign ? "direct/(none)" : "direct")
            var unitOf = UnitResolver(unit: options.unit, campaignNames: campaignNames)
            // Kind codes fit in 5 bits: codes no kind has count for nothing.
            let counted = (0..<32).map { $0 < LeadJourneys.kinds.count && options.kinds.contains(LeadJourneys.kinds[$0]) }
            var assembler = JourneyAssembler(lookback: lookback, nullEnd: nullEnd, direct: direct, stepTimes: options.stepTimes)
            var lastCurrency: [UInt8] = []
            var units = self.units, currencies = self.currencies
            try LeadJourneys.read(db, leads: leads, convertedOnly: !options.nullPaths) { row in
                var c = row.conversions
                while c.next() {
                    let inRange = c.at >= start && c.at < end
                    assembler.conversions.append((c.at, c.revenueMinor, inRange))
                    if inRange && !Bytes.equal(c.currency, lastCurrency) {
                        lastCurrency = Array(c.currency)
                        currencies.insert(String(decoding: c.currency, as: UTF8.self))
                    }
                }
                var t = row.touches
                var unit: Int32 = -1
                while t.next() {
                    if t.channelChanged || (byCampaign && t.campaignChanged) { unit = -1 }
                    guard counted[t.kind] else { continue }
                    if unit < 0 { unit = unitOf(t.channel, t.campaignID, &units) }
                    assembler.times.append(t.at)
                    assembler.units.append(unit)
                }
                assembler.buildLead(created: row.createdAt, opportunity: row.opportunityAt, customer: row.customerAt)
            }
            self.units = units
            self.currencies = currencies
            journeys = assembler.journeys
        }

        /// Appends the part of the next leads, its unit ids mapped onto this part's.
        mutating func append(_ next: JourneyPart) {
            let map = next.units.names.map { units.id(for: $0) }
            let identity = map.enumerated().allSatisfy { Int32($0.offset) == $0.element }
            journeys.reserveCapacity(journeys.count + next.journeys.count)
            for var j in next.journeys {
                if !identity { j.steps = j.steps.map { map[Int($0)] } }
                journeys.append(j)
            }
            currencies.formUnion(next.currencies)
        }
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

/// The unit id of a touch — its channel, or `channel/campaign` (`channel/(none)` without one) —
/// from the channel's bytes and the campaign id, without making a string for channels seen before.
struct UnitResolver {
    let unit: JourneyOptions.Unit
    let campaignNames: [Int64: String]
    private var channels: [(bytes: [UInt8], name: String, unit: Int32)] = []
    private var campaignUnits: [Int: [Int64: Int32]] = [:]

    init(unit: JourneyOptions.Unit, campaignNames: [Int64: String]) {
        self.unit = unit
        self.campaignNames = campaignNames
    }

    mutating func callAsFunction(_ channel: UnsafeBufferPointer<UInt8>, _ campaignID: Int64?, _ units: inout UnitTable) -> Int32 {
        var c = 0
        while c < channels.count && !Bytes.equal(channel, channels[c].bytes) { c += 1 }
        if c == channels.count {
            let name = String(decoding: channel, as: UTF8.self)
            channels.append((Array(channel), name, unit == .channel ? units.id(for: name) : -1))
        }
        if unit == .channel { return channels[c].unit }
        let key = campaignID ?? -1
        if let known = campaignUnits[c]?[key] { return known }
        let id = units.id(for: channels[c].name + "/" + (campaignID.flatMap { campaignNames[$0] } ?? "(none)"))
        campaignUnits[c, default: [:]][key] = id
        return id
    }
}

/// Turns one lead's touches (counted kinds, in time order, ties in import order) and
/// conversions into journeys (see ``JourneyReader``): fill ``times``, ``units`` and
/// ``conversions``, then call ``buildLead(created:opportunity:customer:)``, which empties them.
struct JourneyAssembler {
    let lookback: Int64
    let nullEnd: Int64
    let direct: Int32
    let stepTimes: Bool
    var times: [Int64] = []
    var units: [Int32] = []
    var conversions: [(at: Int64, value: Int64, inRange: Bool)] = []
    private(set) var journeys: [Journey] = []

    init(lookback: Int64, nullEnd: Int64, direct: Int32, stepTimes: Bool = true) {
        self.lookback = lookback
        self.nullEnd = nullEnd
        self.direct = direct
        self.stepTimes = stepTimes
    }

    /// One journey per conversion in range; a null journey when the lead never converted, has
    /// touches and was created before the end of the null paths' window.
    mutating func buildLead(created: Int64, opportunity: Int64?, customer: Int64?) {
        for c in conversions where c.inRange {
            journeys.append(journey(endingAt: c.at, created: created, opportunity: opportunity, customer: customer,
                                    conversions: 1, value: Double(c.value), nulls: 0))
        }
        // A null path needs a touch in its window (a lead quiet for the whole window is no path,
        // whereas a conversion without touches is credited to `direct`).
        if conversions.isEmpty && created < nullEnd && times.contains(where: { $0 >= nullEnd - 1 - lookback && $0 <= nullEnd - 1 }) {
            var j = journey(endingAt: nullEnd - 1, created: created, opportunity: nil, customer: nil, conversions: 0, value: 0, nulls: 1)
            j.anchors = StageAnchors()
            journeys.append(j)
        }
        times.removeAll(keepingCapacity: true)
        units.removeAll(keepingCapacity: true)
        conversions.removeAll(keepingCapacity: true)
    }

    private func journey(endingAt t: Int64, created: Int64, opportunity: Int64?, customer: Int64?,
                         conversions c: Double, value: Double, nulls: Double) -> Journey {
        // The touches in the window are a contiguous run: times are in order.
        let from = t - lookback
        var first = 0
        while first < times.count && times[first] < from { first += 1 }
        var end = first
        while end < times.count && times[end] <= t { end += 1 }
        if first == end { return Journey(steps: [direct], secondsBefore: stepTimes ? [0] : [], conversions: c, value: value, nulls: nulls) }
        let steps = Array(units[first..<end])
        guard stepTimes else { return Journey(steps: steps, conversions: c, value: value, nulls: nulls) }
        let seconds = times[first..<end].map { t - $0 }
        /// The step of the last touch at or before `stageAt`.
        func anchor(_ stageAt: Int64?) -> Int? {
            guard let stageAt else { return nil }
            var k = end
            while k > first && times[k - 1] > stageAt { k -= 1 }
            return k > first ? k - 1 - first : nil
        }
        let anchors = StageAnchors(lead: anchor(created), opportunity: anchor(opportunity), customer: anchor(customer ?? t))
        return Journey(steps: steps, secondsBefore: seconds, conversions: c, value: value, nulls: nulls, anchors: anchors)
    }
}
