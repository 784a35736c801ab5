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
        // The plugins' channels and the custom ones a grouping declares: shown even without data.
        var pluginChannels: [String] = []
        var freeChannels = Set<String>()
        try db.query("SELECT id, display_name, origin, is_free FROM channels ORDER BY id") { s in
            names[s.text(0) ?? ""] = s.text(1)
            if s.text(2) == "plugin" || s.text(2) == "custom" { pluginChannels.append(s.text(0) ?? "") }
            if s.int(3) == 1 { freeChannels.insert(s.text(0) ?? "") }
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
            try update(key(day, channel, s.optionalInt(2))) { $0.spendMinor = try ReportError.sum($0.spendMinor ?? 0, amount, "the spend of \(channel)") }
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
        // Both queries below: leads created in the period (?1, ?2), facts up to its end (?3).
        let created = period.createdFilter("l", followedBy: [.integer(period.endSeconds)])
        let campaignColumn = byCampaign ? "l.first_campaign_id" : "NULL"
        // The customers' conversions are read on a second connection, on the other core, while
        // this one aggregates the leads.
        let customersSQL = """
            SELECT c.lead_id, l.created_at, l.first_channel, \(campaignColumn), c.converted_at, c.revenue_minor, c.currency
            FROM conversions c JOIN lead_firsts l ON l.lead_id = c.lead_id
            WHERE c.converted_at < ?3 AND \(created.sql)
            ORDER BY c.lead_id, c.converted_at
            """
        let customersArguments = created.arguments
        let customerRows = ParallelRead(db) { db -> [CustomerRow] in
            var rows: [CustomerRow] = []
            try db.query(customersSQL, customersArguments) { s in
                rows.append(CustomerRow(lead: s.int(0), created: s.int(1), channel: s.text(2), campaign: s.optionalInt(3),
                                        at: s.int(4), revenue: s.int(5), currency: s.text(6) ?? ""))
            }
            return rows
        }
        // Leads created in the period by first touch (and creation day for a time series),
        // with the MQLs and SQLs among them — stages reached by the end of the period, read from
        // the leads' milestone columns: one pass over `lead_firsts`, grouped here in a hash table
        // (SQLite's GROUP BY, with no index in the groups' order, would sort every row first).
        let hasStages = try db.scalarInt("SELECT 1 FROM lifecycle_stages LIMIT 1") != nil
        let dayColumn = options.interval == nil ? "NULL" : ReportPeriod.daySQL("l.created_at")
        struct Group: Hashable { let day: Int64?; let channel: String; let campaign: Int64? }
        struct Counts {
            var leads = 0, mqls = 0, sqls = 0
            mutating func add(mql: Int, sql: Int) { (leads, mqls, sqls) = (leads + 1, mqls + mql, sqls + sql) }
        }
        var groups: [Group: Counts] = [:]
        try db.query("""
            SELECT \(dayColumn), l.first_channel, \(campaignColumn),
                   \(LeadMilestones.reachedSQL("l", stage: 0)) < ?3, \(LeadMilestones.reachedSQL("l", stage: 1)) < ?3
            FROM lead_firsts l WHERE \(created.sql)
            """, created.arguments) { s in
            // NULL is `direct`: a lead without a touch.
            let channel = s.text(1) ?? "direct"
            guard wanted(channel) else { return }
            let mql = Int(s.int(3)), sql = Int(s.int(4))
            groups[Group(day: s.optionalInt(0), channel: channel, campaign: s.optionalInt(2)), default: Counts()].add(mql: mql, sql: sql)
        }
        for (g, n) in groups {
            let day = g.day.map { Day(daysSinceEpoch: Int($0)) } ?? Day(daysSinceEpoch: 0)
            update(key(day, g.channel, g.campaign)) { r in
                r.leads += n.leads
                if hasStages {
                    r.mqls = (r.mqls ?? 0) + n.mqls
                    r.sqls = (r.sqls ?? 0) + n.sqls
                }
            }
        }
        // Customers among those leads: their conversions up to the end of the period, one row
        // per conversion in lead order (conversions are few beside leads), for revenue in the
        // report currency and the days from lead to first conversion.
        var current: (lead: Int64, key: Key, created: Int64, first: Int64, revenue: Int64)?
        func flush() throws {
            guard let c = current else { return }
            try update(c.key) { r in
                r.customers += 1
                r.revenueMinor = try ReportError.sum(r.revenueMinor, c.revenue, "the revenue of \(c.key.channel)")
                r.daysToConvert.append(max(0, Double(c.first - c.created) / 86_400))
            }
        }
        for c in try customerRows.wait() {
            let channel = c.channel ?? "direct"
            guard wanted(channel) else { continue }
            let revenue = try money.convert(c.revenue, from: c.currency, on: Timestamp(secondsSinceEpoch: c.at).day.description)
            if current?.lead == c.lead {
                current!.revenue = try ReportError.sum(current!.revenue, revenue, "the revenue of \(channel)")
            } else {
                try flush()
                current = (c.lead, key(Timestamp(secondsSinceEpoch: c.created).day, channel, c.campaign), c.created, c.at, revenue)
            }
        }
        try flush()
        // Every registered channel shows in a plain channel report, even without data.
        if options.unit == .channel && options.interval == nil {
            for c in pluginChannels where wanted(c) {
                let k = Key(period: nil, channel: c, campaign: nil)
                rows[k] = row(k)
            }
        }
        // A channel declared free has a known spend of zero, so its rows count in a total's CPL.
        for (k, r) in rows where r.spendMinor == nil && freeChannels.contains(r.channel) { rows[k]!.spendMinor = 0 }
        var total = ChannelKPIs(channel: "total", displayName: "Total")
        if hasStages { total.mqls = 0; total.sqls = 0 }
        var basis = SpendBasis()
        for r in rows.values {
            if let s = r.spendMinor {
                total.spendMinor = try ReportError.sum(total.spendMinor ?? 0, s, "the total spend")
                if !basis.channels.contains(r.channel) { basis.channels.append(r.channel) }
                basis.leads += r.leads
                basis.customers += r.customers
                basis.revenueMinor = try ReportError.sum(basis.revenueMinor, r.revenueMinor, "the total revenue")
                if let c = r.clicks { basis.clicks = (basis.clicks ?? 0) + c }
            }
            if let i = r.impressions { total.impressions = (total.impressions ?? 0) + i }
            if let c = r.clicks { total.clicks = (total.clicks ?? 0) + c }
            total.leads += r.leads
            total.customers += r.customers
            total.revenueMinor = try ReportError.sum(total.revenueMinor, r.revenueMinor, "the total revenue")
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
        basis.channels.sort()
        total.spendBasis = basis
        let sorted = rows.values.sorted(by: order)
        return Result(options: options, currency: try money.reportCurrency(), rows: sorted, total: total, hasStages: hasStages)
    }
}

/// One conversion of a customer, with its lead's creation time and first touch.
struct CustomerRow: Sendable {
    let lead: Int64, created: Int64, channel: String?, campaign: Int64?, at: Int64, revenue: Int64, currency: String
}
