import ChannelKit
import Warehouse

/// One channel's own metrics (Search Console clicks and position, show rate and cost per
/// attendee, open rate…) with its spend, grouped by day, week, month, campaign or one of the
/// channel's breakdown dimensions (SEO pages and queries).
///
/// Each metric aggregates as its ``MetricDefinition`` says: sums over the group; weighted
/// averages as Σ(value × weight) / Σ weight over rows of the same day, campaign and detail;
/// ratios and costs per unit from the group's aggregated values; lead counts as distinct leads
/// with a touchpoint of the given kinds (by the touch's day or campaign). Breakdown rows
/// (pages, queries) never add to the totals; ledger lines do.
public enum ChannelMetricsReport {
    public enum Grouping: Sendable, Equatable {
        case day, week, month, campaign
        case breakdown(String)

        /// The JSON/CSV key of the group column.
        public var key: String {
            switch self {
            case .day, .week, .month: return "period"
            case .campaign: return "campaign"
            case .breakdown(let dimension): return dimension
            }
        }

        /// The group of a touch at `at` seconds with this campaign name, as the SQL groups of the
        /// other metrics label theirs (day `YYYY-MM-DD`, the Monday of the week, `YYYY-MM`, the
        /// campaign); nil for a breakdown, which touches do not have.
        var touchLabel: (@Sendable (Int64, String) -> String)? {
            @Sendable func day(_ at: Int64) -> Int64 { at >= 0 ? at / 86_400 : (at - 86_399) / 86_400 }
            @Sendable func text(_ day: Int64) -> String { Timestamp(secondsSinceEpoch: day * 86_400).day.description }
            switch self {
            case .day: return { at, _ in text(day(at)) }
            // 1970-01-01 was a Thursday: the Monday on or before day n is n − ((n + 3) mod 7).
            case .week: return { at, _ in let n = day(at); return text(n - (((n + 3) % 7) + 7) % 7) }
            case .month: return { at, _ in String(text(day(at)).prefix(7)) }
            case .campaign: return { _, name in name }
            case .breakdown: return nil
            }
        }
    }

    public struct Row: Sendable, Equatable {
        public let group: String
        public let spendMinor: Int64?
        /// Metric values by metric id; `nil` when undefined (no denominator, no data).
        public let values: [String: Double?]
    }

    public struct Result: Sendable {
        public let channel: String
        public let grouping: Grouping
        public let metrics: [MetricDefinition]
        public let currency: Currency?
        public let rows: [Row]
    }

    /// Leads with a touch of `kinds` on `channel` in the period, per group, counted once per group.
    static func leadsTouched(_ warehouse: Warehouse, channel: String, kinds: Set<TouchKind>, period: ReportPeriod,
                             grouping: Grouping) throws -> [String: Double] {
        try leadsTouched(warehouse, channel: channel, kindSets: [kinds], period: period, grouping: grouping)[0]
    }

    /// ``leadsTouched(_:channel:kinds:period:grouping:)`` for several sets of kinds at once (a
    /// channel's touch metrics), in one pass over the packed journeys, in two halves of the
    /// leads on two connections: the touch store has no index by channel, and a pass over the
    /// journeys (tens of bytes a lead) is cheaper than a scan of the touches.
    static func leadsTouched(_ warehouse: Warehouse, channel: String, kindSets: [Set<TouchKind>], period: ReportPeriod,
                             grouping: Grouping) throws -> [[String: Double]] {
        guard let label = grouping.touchLabel, !kindSets.isEmpty else { return kindSets.map { _ in [:] } }
        var campaignNames: [Int64: String] = [:]
        if case .campaign = grouping {
            try warehouse.db.query("SELECT id, name FROM campaigns WHERE channel_id = ?", [.text(channel)]) { campaignNames[$0.int(0)] = $0.text(1) }
        }
        // Per kind code, which sets want it (a bit each).
        let wanted = LeadJourneys.kinds.map { kind in kindSets.indices.reduce(UInt64(0)) { $0 | (kindSets[$1].contains(kind) ? 1 << UInt64($1) : 0) } }
        precondition(kindSets.count <= 64, "at most 64 touch metrics a channel")
        let channelBytes = Array(channel.utf8)
        let (start, end) = (period.startSeconds, period.endSeconds)
        let names = campaignNames
        @Sendable func count(_ db: Database, _ leads: Range<Int64>) throws -> [[String: Double]] {
            var counts = kindSets.map { _ in [String: Double]() }
            var seen: [(group: String, sets: UInt64)] = []
            try LeadJourneys.read(db, leads: leads) { row in
                var touches = row.touches
                seen.removeAll(keepingCapacity: true)
                while touches.next() {
                    let sets = wanted[touches.kind]
                    guard sets != 0, touches.at >= start, touches.at < end, Bytes.equal(touches.channel, channelBytes) else { continue }
                    let group = label(touches.at, touches.campaignID.map { names[$0] ?? "(none)" } ?? "(none)")
                    if let i = seen.firstIndex(where: { $0.group == group }) { seen[i].sets |= sets } else { seen.append((group, sets)) }
                }
                for (group, sets) in seen {
                    for k in kindSets.indices where sets & (1 << UInt64(k)) != 0 { counts[k][group, default: 0] += 1 }
                }
            }
            return counts
        }
        let low = try warehouse.db.scalarInt("SELECT min(lead_id) FROM lead_journeys") ?? 0
        let high = try warehouse.db.scalarInt("SELECT max(lead_id) FROM lead_journeys") ?? 0
        let split = low + (high - low) / 2 + 1
        let upper = ParallelRead(warehouse.db) { db in try count(db, split..<Int64.max) }
        var counts = try count(warehouse.db, Int64.min..<split)
        for (k, more) in try upper.wait().enumerated() { counts[k].merge(more, uniquingKeysWith: +) }
        return counts
    }

    public static func compute(_ warehouse: Warehouse, channel: any ChannelPlugin, period: ReportPeriod = ReportPeriod(),
                               by grouping: Grouping = .week) throws -> Result {
        let db = warehouse.db
        let id = channel.id
        let days: [SQLValue] = [.text(id), .text(period.firstDay), .text(period.lastDay)]

        // The group of a fact, as SQL over a day expression (`day` or a touch's date) and the
        // table's campaign column.
        func group(_ dayExpression: String, campaign: String = "campaign_id") -> String? {
            switch grouping {
            case .day: return dayExpression
            case .week: return "date(\(dayExpression), '-6 days', 'weekday 1')"
            case .month: return "substr(\(dayExpression), 1, 7)"
            case .campaign: return "coalesce((SELECT name FROM campaigns WHERE id = \(campaign)), '(none)')"
            case .breakdown: return nil
            }
        }
        let breakdownPrefix: String? = { if case .breakdown(let d) = grouping { return d + ":" } else { return nil } }()
        // Which metric rows of table `t` a group takes: totals and ledger lines, or one dimension's breakdown.
        func detailFilter(_ t: String) -> String {
            breakdownPrefix == nil ? "(\(t).detail = '' OR \(t).detail LIKE '#%')" : "substr(\(t).detail, 1, ?4) = ?5"
        }
        func metricGroup(_ t: String) -> String { group("\(t).day", campaign: "\(t).campaign_id") ?? "substr(\(t).detail, ?4 + 1)" }
        func metricArguments(_ metric: String) -> [SQLValue] {
            var a = days
            if let p = breakdownPrefix { a += [.integer(Int64(p.utf8.count)), .text(p)] } else { a += [.null, .null] }
            return a + [.text(metric)]
        }

        var groups = Set<String>()
        var spend: [String: Int64] = [:]
        var currencies = Set<String>()
        if let g = group("day") {
            try db.query("SELECT \(g) AS g, sum(amount_minor), currency FROM costs c WHERE channel_id = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY g, currency", days) { s in
                let key = s.text(0) ?? ""
                spend[key] = try ReportError.sum(spend[key] ?? 0, s.int(1), "the spend of \(key)")
                currencies.insert(s.text(2) ?? "")
                groups.insert(key)
            }
        }
        guard currencies.count <= 1 else { throw ReportError.mixedCurrencies(currencies.sorted()) }

        var values: [String: [String: Double]] = [:]  // metric → group → value
        // The channel's metrics counted from touches, all in one pass.
        let touchMetrics = channel.metrics.compactMap { m -> (String, Set<TouchKind>)? in
            if case .leadsTouched(let kinds) = m.aggregation { (m.id, Set(kinds)) } else { nil }
        }
        let touched = try leadsTouched(warehouse, channel: id, kindSets: touchMetrics.map(\.1), period: period, grouping: grouping)
        for metric in channel.metrics {
            var byGroup: [String: Double] = [:]
            switch metric.aggregation {
            case .sum:
                try db.query("""
                    SELECT \(metricGroup("m")) AS g, total(m.value) FROM channel_metrics m
                    WHERE m.channel_id = ?1 AND m.day BETWEEN ?2 AND ?3 AND \(detailFilter("m")) AND m.metric = ?6 GROUP BY g
                    """, metricArguments(metric.id)) { byGroup[$0.text(0) ?? ""] = $0.double(1) }
            case .weightedAverage(let weight):
                var arguments = metricArguments(metric.id)
                arguments.append(.text(weight))
                try db.query("""
                    SELECT \(metricGroup("v")) AS g,
                           total(v.value * w.value) / nullif(total(w.value), 0)
                    FROM channel_metrics v JOIN channel_metrics w
                      ON w.channel_id = v.channel_id AND w.day = v.day AND ifnull(w.campaign_id, 0) = ifnull(v.campaign_id, 0)
                     AND w.detail = v.detail AND w.metric = ?7
                    WHERE v.channel_id = ?1 AND v.day BETWEEN ?2 AND ?3 AND \(detailFilter("v")) AND v.metric = ?6
                    GROUP BY g
                    """, arguments) { s in if !s.isNull(1) { byGroup[s.text(0) ?? ""] = s.double(1) } }
            case .leadsTouched:
                byGroup = touched[touchMetrics.firstIndex { $0.0 == metric.id }!]
            case .ratio, .costPer:
                break
            }
            groups.formUnion(byGroup.keys)
            values[metric.id] = byGroup
        }

        let rows = groups.sorted().map { g -> Row in
            var row: [String: Double?] = [:]
            func value(_ id: String) -> Double? {
                if let known = row[id] { return known }
                guard let metric = channel.metrics.first(where: { $0.id == id }) else { return nil }
                let v: Double?
                switch metric.aggregation {
                case .sum, .weightedAverage: v = values[id]?[g]
                case .leadsTouched: v = breakdownPrefix == nil ? values[id]?[g] ?? 0 : nil
                case .ratio(let n, let d): v = value(d).flatMap { d in d == 0 ? nil : value(n).map { $0 / d } }
                case .costPer(let m): v = spend[g].flatMap { s in value(m).flatMap { $0 == 0 ? nil : Double(s) / $0 } }
                }
                row[id] = .some(v)
                return v
            }
            for metric in channel.metrics { _ = value(metric.id) }
            return Row(group: g, spendMinor: spend[g], values: row)
        }
        return Result(channel: id, grouping: grouping, metrics: channel.metrics, currency: currencies.first.flatMap { Currency($0) }, rows: rows)
    }
}

extension ChannelMetricsReport.Result {
    public var table: ReportTable {
        let key = grouping.key
        var columns: [ReportTable.Column] = [.init(key, key.prefix(1).uppercased() + key.dropFirst())]
        let hasSpend: Bool = { if case .breakdown = grouping { return false } else { return true } }()
        if hasSpend { columns.append(.init("spend", "Spend")) }
        columns += metrics.map { .init($0.id, $0.title) }
        let rows = rows.map { row -> [ReportTable.Cell] in
            var cells: [ReportTable.Cell] = [.text(row.group)]
            if hasSpend { cells.append(row.spendMinor.flatMap { m in currency.map { .money(m, $0) } } ?? .null) }
            for metric in metrics {
                guard let v = row.values[metric.id] ?? nil else { cells.append(.null); continue }
                switch metric.aggregation {
                case .sum, .leadsTouched: cells.append(v == v.rounded() ? .integer(Int(v)) : .decimal(v, places: 2))
                case .weightedAverage: cells.append(.decimal(v, places: 2))
                case .ratio: cells.append(.fraction(v))
                case .costPer: cells.append(currency.map { .moneyRatio(v, $0) } ?? .decimal(v, places: 2))
                }
            }
            return cells
        }
        return ReportTable(columns: columns, rows: rows)
    }
}
