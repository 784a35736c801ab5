import ChannelKit
import Warehouse

/// What a channel or campaign report covers.
public struct ReportOptions: Sendable {
    public enum Unit: String, Sendable { case channel, campaign }
    public enum Interval: String, Sendable, CaseIterable { case day, week, month }

    public var period = ReportPeriod()
    public var unit: Unit = .channel
    /// Split every row by the period its leads arrived in (costs by their day).
    public var interval: Interval?
    /// Only this channel's rows.
    public var channel: String?
    /// Convert money to this currency with the imported exchange rates.
    public var currency: Currency?

    public init() {}

    /// The period key of a day: `2026-01-15`, the Monday `2026-01-12`, or `2026-01`.
    public static func key(_ day: Day, _ interval: Interval?) -> String? {
        guard let interval else { return nil }
        switch interval {
        case .day: return day.description
        case .week: return day.adding(days: -((day.daysSinceEpoch + 3) % 7 + 7) % 7).description  // 1970-01-01 was a Thursday
        case .month: return String(day.description.prefix(7))
        }
    }
}

/// Channel and campaign KPIs over a period, optionally as a time series. The definitions are
/// the channel comparison's (see ``ChannelReport``), extended with impressions, clicks, CTR,
/// cost per click, MQLs and SQLs, a 95 % Wilson interval for the conversion rate and the 90th
/// percentile of days to convert.
public enum AcquisitionReport {
    public struct Result: Sendable {
        public let options: ReportOptions
        public let currency: Currency?
        public let rows: [ChannelKPIs]
        public let total: ChannelKPIs
        /// False when the warehouse has no lifecycle stages at all (MQL/SQL columns are then empty).
        public let hasStages: Bool
    }

    struct Key: Hashable { let period: String?; let channel: String; let campaign: String? }

    public static func compute(_ warehouse: Warehouse, _ options: ReportOptions) throws -> Result {
        let period = options.period
        if let from = period.from, let to = period.to, from > to { throw ReportError.emptyPeriod(from: from, to: to) }
        let db = warehouse.db
        let money = try CurrencyConverter(db, target: options.currency)
        var names: [String: String] = [:]
        var pluginChannels: [String] = []
        try db.query("SELECT id, display_name, origin FROM channels ORDER BY id") { s in
            names[s.text(0) ?? ""] = s.text(1)
            if s.text(2) == "plugin" { pluginChannels.append(s.text(0) ?? "") }
        }
        var campaignNames: [Int64: String] = [:]
        try db.query("SELECT id, name FROM campaigns") { campaignNames[$0.int(0)] = $0.text(1) }
        let byCampaign = options.unit == .campaign
        func key(_ day: Day, _ channel: String, _ campaign: Int64?) -> Key {
            Key(period: ReportOptions.key(day, options.interval), channel: channel,
                campaign: byCampaign ? (campaign.flatMap { campaignNames[$0] } ?? "(none)") : nil)
        }
        var rows: [Key: ChannelKPIs] = [:]
        func fresh(_ k: Key) -> ChannelKPIs {
            ChannelKPIs(channel: k.channel, displayName: names[k.channel] ?? k.channel, campaign: k.campaign, period: k.period)
        }
        func row(_ k: Key) -> ChannelKPIs { rows[k] ?? fresh(k) }
        /// Changes a row in place (no copy of its list of days per lead).
        func update(_ k: Key, _ change: (inout ChannelKPIs) throws -> Void) rethrows {
            try change(&rows[k, default: fresh(k)])
        }
        let wanted: (String) -> Bool = { c in options.channel == nil || options.channel == c }

        // Spend, by the cost's day.
        try db.query("SELECT day, channel_id, campaign_id, amount_minor, currency FROM costs WHERE day BETWEEN ?1 AND ?2",
                     [.text(period.firstDay), .text(period.lastDay)]) { s in
            let channel = s.text(1) ?? ""
            guard wanted(channel), let day = Day.parse(s.text(0) ?? "") else { return }
            let amount = try money.convert(s.int(3), from: s.text(4) ?? "", on: s.text(0) ?? "")
            update(key(day, channel, s.optionalInt(2))) { $0.spendMinor = ($0.spendMinor ?? 0) + amount }
        }
        // Impressions and clicks where the channel reports them (totals and ledger lines, not breakdowns).
        try db.query("""
            SELECT day, channel_id, campaign_id, metric, value FROM channel_metrics
            WHERE day BETWEEN ?1 AND ?2 AND metric IN ('impressions', 'clicks') AND (detail = '' OR detail LIKE '#%')
            """, [.text(period.firstDay), .text(period.lastDay)]) { s in
            let channel = s.text(1) ?? ""
            guard wanted(channel), let day = Day.parse(s.text(0) ?? "") else { return }
            let isImpressions = s.text(3) == "impressions", value = s.double(4)
            update(key(day, channel, s.optionalInt(2))) { r in
                if isImpressions { r.impressions = (r.impressions ?? 0) + value } else { r.clicks = (r.clicks ?? 0) + value }
            }
        }
        // Lifecycle stages reached by the end of the period.
        let hasStages = try db.scalarInt("SELECT 1 FROM lifecycle_stages LIMIT 1") != nil
        var qualified: [Int64: (mql: Bool, sql: Bool)] = [:]
        if hasStages {
            // One row per lead, aggregated by SQLite over its (lead, stage, time) index.
            try db.query("""
                SELECT lead_id, max(stage <> 'lead'), max(stage IN ('sql', 'opportunity', 'customer'))
                FROM lifecycle_stages WHERE changed_at < ? GROUP BY lead_id
                """, [.integer(period.endSeconds)]) { s in
                if qualified.isEmpty { qualified.reserveCapacity(1 << 16) }
                qualified[s.int(0)] = (s.int(1) == 1, s.int(2) == 1)
            }
        }
        // Conversions up to the end of the period, by lead.
        var conversions: [Int64: [(at: Int64, revenue: Int64, currency: String)]] = [:]
        try db.query("SELECT lead_id, converted_at, revenue_minor, currency FROM conversions WHERE converted_at < ? ORDER BY lead_id, converted_at",
                     [.integer(period.endSeconds)]) { s in
            conversions[s.int(0), default: []].append((s.int(1), s.int(2), s.text(3) ?? ""))
        }
        // Leads created in the period, with their first touch's channel and campaign. An open
        // period reads the table in order rather than through the creation-time index.
        let created = period.createdFilter("l")
        // Without campaigns, the columns needed are all in the first-channel index, which is far
        // smaller than the table.
        let campaignColumn = byCampaign ? "l.first_campaign_id" : "NULL"
        try db.query("""
            SELECT l.id, l.created_at, \(ChannelReport.firstTouchChannel("l")), \(campaignColumn) FROM leads l WHERE \(created.sql)
            """, created.arguments) { s in
            let channel = s.text(2) ?? "direct"
            guard wanted(channel) else { return }
            let lead = s.int(0), created = s.int(1)
            var revenue: Int64 = 0
            let bought = conversions[lead]
            for c in bought ?? [] {
                revenue += try money.convert(c.revenue, from: c.currency, on: Timestamp(secondsSinceEpoch: c.at).day.description)
            }
            let q = qualified[lead]
            update(key(Timestamp(secondsSinceEpoch: created).day, channel, s.optionalInt(3))) { r in
                r.leads += 1
                if hasStages {
                    r.mqls = (r.mqls ?? 0) + (q?.mql == true ? 1 : 0)
                    r.sqls = (r.sqls ?? 0) + (q?.sql == true ? 1 : 0)
                }
                if let first = bought?.first {
                    r.customers += 1
                    r.revenueMinor += revenue
                    r.daysToConvert.append(max(0, Double(first.at - created) / 86_400))
                }
            }
        }
        // Every registered channel shows in a plain channel report, even without data.
        if options.unit == .channel && options.interval == nil {
            for c in pluginChannels where wanted(c) {
                let k = Key(period: nil, channel: c, campaign: nil)
                rows[k] = row(k)
            }
        }
        var total = ChannelKPIs(channel: "total", displayName: "Total")
        if hasStages { total.mqls = 0; total.sqls = 0 }
        for r in rows.values {
            if let s = r.spendMinor { total.spendMinor = (total.spendMinor ?? 0) + s }
            if let i = r.impressions { total.impressions = (total.impressions ?? 0) + i }
            if let c = r.clicks { total.clicks = (total.clicks ?? 0) + c }
            total.leads += r.leads
            total.customers += r.customers
            total.revenueMinor += r.revenueMinor
            total.daysToConvert += r.daysToConvert
            if let m = r.mqls { total.mqls! += m }
            if let q = r.sqls { total.sqls! += q }
        }
        let order: (ChannelKPIs, ChannelKPIs) -> Bool = { a, b in
            let pa = a.period ?? "", pb = b.period ?? ""
            if pa != pb { return pa < pb }
            let oa = pluginChannels.contains(a.channel) ? 0 : 1, ob = pluginChannels.contains(b.channel) ? 0 : 1
            if oa != ob { return oa < ob }
            return (a.channel, a.campaign ?? "") < (b.channel, b.campaign ?? "")
        }
        let sorted = rows.values.sorted(by: order)
        return Result(options: options, currency: try money.reportCurrency(), rows: sorted, total: total, hasStages: hasStages)
    }
}
