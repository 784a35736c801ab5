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
        // touch is the end of the touch store's key (time first), the latest conversion a scan of a small table.
        let nullEnd: Int64
        if options.to != nil {
            nullEnd = options.conversionWindow.upperBound
        } else {
            let latest = try db.scalarInt("SELECT max(occurred_at) FROM touches") ?? Int64.min
            let latestConversion = try db.scalarInt("SELECT max(converted_at) FROM conversions") ?? Int64.min
            nullEnd = max(latest, latestConversion) &+ 1
        }
        // The leads in two halves by id, the upper one on a second connection on the other core.
        let lookback = Int64(options.lookbackDays) * 86_400
        let names = try campaignNames(warehouse, options.unit)
        // (min and max in one query would scan the table; alone, each is one b-tree search.)
        let low = try db.scalarInt("SELECT min(lead_id) FROM lead_journeys"), high = try db.scalarInt("SELECT max(lead_id) FROM lead_journeys")
        let split = low.flatMap { low in high.map { low + ($0 - low) / 2 + 1 } } ?? Int64.max
        // Lead ids are dense: a half's id span bounds its journeys when null paths are read (one
        // per lead, and a few leads convert twice), so each half reserves about that many — the
        // lower half for both, as the upper one is appended to it — and its array never grows by
        // copying (7 % of Markov's reading time before). Without null paths the journeys are the
        // conversions, a fifth of that. Reserved memory is only touched when used. Ids with gaps
        // (a lead id written by hand) would only make it reserve too much: capped at 4 M journeys.
        func span(_ from: Int64?, _ to: Int64?) -> Int {
            guard let from, let to, to >= from else { return 0 }
            let (difference, overflow) = to.subtractingReportingOverflow(from)
            return Int(overflow ? 1 << 22 : min(difference, 1 << 22)) + 1
        }
        let (lowerSpan, upperSpan) = (span(low, split - 1), span(split, high))
        let upperHalf = ParallelRead(db) { db in
            try JourneyPart(db, leads: split..<Int64.max, expected: upperSpan, options: options, campaignNames: names,
                            lookback: lookback, nullEnd: nullEnd)
        }
        var set = try JourneyPart(db, leads: Int64.min..<split, expected: lowerSpan + upperSpan, options: options, campaignNames: names,
                                  lookback: lookback, nullEnd: nullEnd)
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

        init(_ db: Database, leads: Range<Int64>, expected: Int, options: JourneyOptions, campaignNames: [Int64: String],
             lookback: Int64, nullEnd: Int64) throws {
            let (start, end) = (options.conversionWindow.lowerBound, options.conversionWindow.upperBound)
            let byCampaign = options.unit == .campaign
            let direct = units.id(for: byCampaign ? "direct/(none)" : "direct")
            var unitOf = UnitResolver(unit: options.unit, campaignNames: campaignNames)
            // Kind codes fit in 5 bits: codes no kind has count for nothing.
            let counted = (0..<32).map { $0 < LeadJourneys.kinds.count && options.kinds.contains(LeadJourneys.kinds[$0]) }
            var assembler = JourneyAssembler(lookback: lookback, nullEnd: nullEnd, direct: direct, stepTimes: options.stepTimes)
            assembler.reserve(options.nullPaths ? expected + expected / 8 : expected / 4)
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
            if identity {
                journeys.append(contentsOf: next.journeys)
            } else {
                journeys.append(contentsOf: next.journeys.lazy.map { j in
                    var j = j
                    j.steps = j.steps.map { map[Int($0)] }
                    return j
                })
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
///
/// It is asked once per lead and channel change (a million times on the benchmark's data), so
/// channels are found by their id's bytes packed into words (``ChannelWords``), a scan of a few
/// plain values, rather than by comparing against an array of bytes per channel (which retained
/// and released the array on every look: 9 % of Markov's reading time before). An id longer than
/// the words hold is also compared byte for byte.
struct UnitResolver {
    let unit: JourneyOptions.Unit
    let campaignNames: [Int64: String]
    /// For each channel seen, its id's words, its bytes, its name and (crediting channels) its unit.
    private var words: [ChannelWords] = []
    private var bytes: [[UInt8]] = []
    private var names: [String] = []
    private var channelUnits: [Int32] = []
    private var campaignUnits: [Int: [Int64: Int32]] = [:]

    init(unit: JourneyOptions.Unit, campaignNames: [Int64: String]) {
        self.unit = unit
        self.campaignNames = campaignNames
    }

    mutating func callAsFunction(_ channel: UnsafeBufferPointer<UInt8>, _ campaignID: Int64?, _ units: inout UnitTable) -> Int32 {
        let key = ChannelWords(channel)
        var c = 0
        while c < words.count && !(words[c] == key && (key.isWhole || Bytes.equal(channel, bytes[c]))) { c += 1 }
        if c == words.count {
            let name = String(decoding: channel, as: UTF8.self)
            words.append(key)
            bytes.append(Array(channel))
            names.append(name)
            channelUnits.append(unit == .channel ? units.id(for: name) : -1)
        }
        if unit == .channel { return channelUnits[c] }
        let campaign = campaignID ?? -1
        if let known = campaignUnits[c]?[campaign] { return known }
        let id = units.id(for: names[c] + "/" + (campaignID.flatMap { campaignNames[$0] } ?? "(none)"))
        campaignUnits[c, default: [:]][campaign] = id
        return id
    }
}

/// A channel id's length and first 16 UTF-8 bytes as plain values. Ids of up to 16 bytes (every
/// channel id so far) are equal exactly when their words are (``isWhole``); longer ones need their
/// bytes compared too.
struct ChannelWords: Equatable {
    var count: Int
    var head: (UInt64, UInt64) = (0, 0)

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        count = bytes.count
        withUnsafeMutableBytes(of: &head) { head in
            for i in 0..<min(16, bytes.count) { head[i] = bytes[i] }
        }
    }

    /// Whether the words hold the whole id.
    var isWhole: Bool { count <= 16 }

    static func == (a: ChannelWords, b: ChannelWords) -> Bool {
        a.count == b.count && a.head.0 == b.head.0 && a.head.1 == b.head.1
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

    /// Makes room for `count` journeys, so that building them never copies the array to grow it.
    mutating func reserve(_ count: Int) { journeys.reserveCapacity(count) }

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
