/// # Reports — KPIs and the channel comparison
///
/// Reads the warehouse and answers "which channel brings leads most cheaply, and which
/// brings leads that buy?". ``ChannelReport`` computes, per acquisition channel over a
/// period, the ``ChannelKPIs``: spend, leads, cost per lead, customers, conversion rate,
/// cost per acquisition, revenue, ROAS and median days from lead to customer. Results render
/// as an aligned table, CSV or JSON through ``ReportTable``.
///
/// Definitions (also in `docs/kpis.md`):
/// - **Period**: `from`/`to` are inclusive UTC days; either may be open.
/// - **Spend** of a channel: its daily costs on days in the period; unknown (empty) when the
///   channel has no cost records then, so CPL, CPA and ROAS are empty too. The total's spend
///   is the sum of the known spends (a blended CPL over all leads).
/// - **Leads** of a channel: leads *created* in the period whose **first touch** (earliest
///   touchpoint; ties by import order) is on the channel. A lead without touchpoints is
///   `direct`, as analytics tools count traffic with no source.
/// - **Customers**: those leads with at least one conversion, up to the end of the period.
/// - **Revenue**: the revenue of those conversions.
/// - **Days to convert**: first conversion minus lead creation, in days; a conversion
///   recorded before the lead was created counts as 0 days.
/// - All money must be in one currency: a report that would add different currencies refuses.
import ChannelKit
import Warehouse

/// An inclusive range of UTC days; `nil` bounds are open.
public struct ReportPeriod: Sendable, Equatable {
    public let from: Day?
    public let to: Day?

    public init(from: Day? = nil, to: Day? = nil) {
        self.from = from
        self.to = to
    }

    var startSeconds: Int64 { from.map { $0.start.secondsSinceEpoch } ?? Int64.min }
    /// Exclusive upper bound: midnight after `to`.
    var endSeconds: Int64 { to.map { $0.adding(days: 1).start.secondsSinceEpoch } ?? Int64.max }
    var firstDay: String { from?.description ?? "0000-01-01" }
    var lastDay: String { to?.description ?? "9999-12-31" }
}

public enum ReportError: Error, CustomStringConvertible, Equatable {
    case mixedCurrencies([String])
    case emptyPeriod(from: Day, to: Day)

    public var description: String {
        switch self {
        case .mixedCurrencies(let codes):
            return "the data for this report is in several currencies (\(codes.joined(separator: ", "))); LeadLedger will not add them up. Narrow the report with --from/--to or --channel"
        case .emptyPeriod(let from, let to):
            return "--from \(from) is after --to \(to)"
        }
    }
}

/// The channel comparison: one ``ChannelKPIs`` per channel plus the total.
public struct ChannelComparison: Sendable {
    public let period: ReportPeriod
    /// `nil` when there is no money in the period at all.
    public let currency: Currency?
    public let channels: [ChannelKPIs]
    public let total: ChannelKPIs
}

public enum ChannelReport {
    /// Computes the comparison over `period`.
    public static func compute(_ warehouse: Warehouse, period: ReportPeriod = ReportPeriod()) throws -> ChannelComparison {
        if let from = period.from, let to = period.to, from > to { throw ReportError.emptyPeriod(from: from, to: to) }
        let db = warehouse.db
        let currency = try reportCurrency(db, period)

        var rows: [String: ChannelKPIs] = [:]
        var order: [String] = []
        try db.query("SELECT id, display_name, origin FROM channels ORDER BY origin DESC, id") { s in
            let id = s.text(0) ?? ""
            rows[id] = ChannelKPIs(channel: id, displayName: s.text(1) ?? id)
            order.append(id)
        }

        try db.query("""
            SELECT channel_id, sum(amount_minor) FROM costs
            WHERE day BETWEEN ?1 AND ?2
            GROUP BY channel_id
            """, [.text(period.firstDay), .text(period.lastDay)]) { s in
            rows[s.text(0) ?? "", default: ChannelKPIs(channel: s.text(0) ?? "", displayName: s.text(0) ?? "")].spendMinor = s.int(1)
        }

        // One row per lead created in the period: its first-touch channel and what it bought.
        try db.query(leadOutcomesSQL, [.integer(period.startSeconds), .integer(period.endSeconds)]) { s in
            let channel = s.text(0) ?? "direct"
            var kpis = rows[channel, default: ChannelKPIs(channel: channel, displayName: channel)]
            kpis.leads += 1
            if !s.isNull(2) {
                kpis.customers += 1
                kpis.revenueMinor += s.int(3)
                kpis.daysToConvert.append(max(0, Double(s.int(2) - s.int(1)) / 86_400))
            }
            rows[channel] = kpis
        }

        var pluginChannels = Set<String>()
        try db.query("SELECT id FROM channels WHERE origin = 'plugin'") { pluginChannels.insert($0.text(0) ?? "") }
        let channels = order.compactMap { rows[$0] }.filter { kpis in
            kpis.leads > 0 || kpis.spendMinor != nil || pluginChannels.contains(kpis.channel)
        }
        var total = ChannelKPIs(channel: "total", displayName: "Total")
        for kpis in rows.values {
            if let spend = kpis.spendMinor { total.spendMinor = (total.spendMinor ?? 0) + spend }
            total.leads += kpis.leads
            total.customers += kpis.customers
            total.revenueMinor += kpis.revenueMinor
            total.daysToConvert += kpis.daysToConvert
        }
        return ChannelComparison(period: period, currency: currency, channels: channels, total: total)
    }

    /// For each lead created in [?1, ?2): first-touch channel, created_at, first conversion
    /// time and revenue of conversions before ?2 (NULL when it did not convert).
    static let leadOutcomesSQL = """
        SELECT
            \(firstTouchChannel("l")) AS channel_id,
            l.created_at,
            c.first_conversion,
            c.revenue_minor
        FROM leads l
        LEFT JOIN (
            SELECT lead_id, min(converted_at) AS first_conversion, sum(revenue_minor) AS revenue_minor
            FROM conversions WHERE converted_at < ?2
            GROUP BY lead_id
        ) c ON c.lead_id = l.id
        WHERE l.created_at >= ?1 AND l.created_at < ?2
        """

    /// SQL for the channel a lead counts under: its first touch's (earliest, then first
    /// imported), or `direct` when it has none. `lead` is the alias of the `leads` table.
    public static func firstTouchChannel(_ lead: String) -> String {
        "coalesce((SELECT t.channel_id FROM touchpoints t WHERE t.lead_id = \(lead).id ORDER BY t.occurred_at, t.id LIMIT 1), 'direct')"
    }

    /// The one currency of the costs and revenue in the period; refuses a mix.
    static func reportCurrency(_ db: Database, _ period: ReportPeriod) throws -> Currency? {
        var codes = Set<String>()
        try db.query("""
            SELECT DISTINCT currency FROM costs WHERE day BETWEEN ?1 AND ?2
            UNION
            SELECT DISTINCT c.currency FROM conversions c JOIN leads l ON l.id = c.lead_id
            WHERE l.created_at >= ?3 AND l.created_at < ?4 AND c.converted_at < ?4
            """, [.text(period.firstDay), .text(period.lastDay), .integer(period.startSeconds), .integer(period.endSeconds)]) {
            codes.insert($0.text(0) ?? "")
        }
        guard codes.count <= 1 else { throw ReportError.mixedCurrencies(codes.sorted()) }
        return codes.first.flatMap { Currency($0) }
    }
}
