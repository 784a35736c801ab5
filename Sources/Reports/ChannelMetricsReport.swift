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
            case .leadsTouched(let kinds):
                guard let g = group("date(occurred_at, 'unixepoch')") else { break }
                let list = kinds.map { "'\($0.rawValue)'" }.joined(separator: ", ")  // enum raw values, never user text
                // The days' range of the touch store's key (time first), by channel and kind code.
                try db.query("""
                    SELECT \(g) AS g, count(DISTINCT lead_id) FROM touches
                    WHERE occurred_at >= unixepoch(?2) AND occurred_at < coalesce(unixepoch(?3, '+1 day'), 9223372036854775807)
                      AND channel_code = (SELECT code FROM channel_codes WHERE channel_id = ?1)
                      AND kind_code IN (SELECT code FROM touch_kinds WHERE name IN (\(list))) GROUP BY g
                    """, days) { byGroup[$0.text(0) ?? ""] = Double($0.int(1)) }
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
