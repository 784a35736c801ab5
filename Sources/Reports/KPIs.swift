import ChannelKit

/// The acquisition KPIs of one channel (or the total) over a period, from four counts and
/// two sums. Every ratio is `nil` when its denominator is zero: undefined, never `inf`.
/// Spend is `nil` — unknown, not zero — when the channel has no cost records in the period
/// (direct traffic, or a channel whose costs were not imported), and so are CPL, CPA and ROAS.
///
/// | KPI | formula |
/// |---|---|
/// | cost per lead (CPL) | spend / leads |
/// | lead→customer conversion rate | customers / leads |
/// | cost per acquisition (CPA, CAC) | spend / customers |
/// | return on ad spend (ROAS) | revenue / spend |
/// | median days to convert | median over customers of (first conversion − lead created) / 86 400 s |
public struct ChannelKPIs: Sendable, Equatable {
    /// The channel (for campaign rows, the campaign's channel).
    public let channel: String
    public let displayName: String
    /// The campaign, for campaign rows (`(none)` for leads whose first touch had none).
    public var campaign: String?
    /// The period (`2026-01`, a Monday for weeks, a day), for time series.
    public var period: String?
    /// Sums of the channel's `impressions` and `clicks` metrics, where it reports them.
    public var impressions: Double?
    public var clicks: Double?
    /// Leads that reached MQL (or a later stage) and SQL (or later); `nil` without stage data.
    public var mqls: Int?
    public var sqls: Int?
    /// Spend in minor units of the report currency; `nil` when no cost was recorded.
    public var spendMinor: Int64?
    public var leads: Int
    public var customers: Int
    /// Revenue in minor units of the report currency.
    public var revenueMinor: Int64
    /// Days from lead creation to first conversion, one per customer.
    public var daysToConvert: [Double]
    /// For a total: the channels whose spend is known (``SpendBasis``), whose leads, customers,
    /// revenue and clicks alone the spend is divided by or into. `nil` for one channel's row.
    public var spendBasis: SpendBasis?

    public init(channel: String, displayName: String, campaign: String? = nil, period: String? = nil, spendMinor: Int64? = nil,
                leads: Int = 0, customers: Int = 0, revenueMinor: Int64 = 0, daysToConvert: [Double] = []) {
        self.channel = channel
        self.displayName = displayName
        self.campaign = campaign
        self.period = period
        self.spendMinor = spendMinor
        self.leads = leads
        self.customers = customers
        self.revenueMinor = revenueMinor
        self.daysToConvert = daysToConvert
    }

    /// CPL in minor units per lead (of a total: per lead of the channels its spend covers).
    public var costPerLeadMinor: Double? { spendMinor.flatMap { KPI.ratio(Double($0), Double(spendBasis?.leads ?? leads)) } }
    public var conversionRate: Double? { KPI.ratio(Double(customers), Double(leads)) }
    /// CPA in minor units per customer.
    public var costPerAcquisitionMinor: Double? { spendMinor.flatMap { KPI.ratio(Double($0), Double(spendBasis?.customers ?? customers)) } }
    public var returnOnAdSpend: Double? { spendMinor.flatMap { KPI.ratio(Double(spendBasis?.revenueMinor ?? revenueMinor), Double($0)) } }
    public var medianDaysToConvert: Double? { KPI.median(daysToConvert) }
    /// 90th percentile of the days to convert (linear interpolation).
    public var p90DaysToConvert: Double? { Statistics.quantile(daysToConvert, 0.9) }
    /// 95 % Wilson interval of the conversion rate.
    public var conversionInterval: (low: Double, high: Double)? { Statistics.wilson(successes: customers, trials: leads) }
    public var clickThroughRate: Double? { clicks.flatMap { c in impressions.flatMap { KPI.ratio(c, $0) } } }
    public var costPerClickMinor: Double? {
        spendMinor.flatMap { s in (spendBasis.map(\.clicks) ?? clicks).flatMap { KPI.ratio(Double(s), $0) } }
    }
    /// Too few leads or customers to rank the channel as if its rates were certain.
    public var isSmallSample: Bool { leads < 30 || customers < 5 }

    public static func == (a: ChannelKPIs, b: ChannelKPIs) -> Bool {
        a.channel == b.channel && a.campaign == b.campaign && a.period == b.period && a.spendMinor == b.spendMinor && a.leads == b.leads
            && a.customers == b.customers && a.revenueMinor == b.revenueMinor && a.daysToConvert == b.daysToConvert
            && a.impressions == b.impressions && a.clicks == b.clicks && a.mqls == b.mqls && a.sqls == b.sqls && a.spendBasis == b.spendBasis
    }
}

/// What a total's spend covers: the channels with a cost row in the period, and their leads,
/// customers, revenue and clicks. A total never divides known spend by the leads or revenue of
/// channels whose spend is unknown (direct traffic, a channel whose costs were not imported):
/// that would flatter CPL and CAC and inflate ROAS.
public struct SpendBasis: Sendable, Equatable {
    public var channels: [String] = []
    public var leads = 0
    public var customers = 0
    public var revenueMinor: Int64 = 0
    public var clicks: Double?

    public init() {}
}

/// Pure KPI arithmetic, shared by every report.
public enum KPI {
    /// `numerator / denominator`, or `nil` when the denominator is zero.
    public static func ratio(_ numerator: Double, _ denominator: Double) -> Double? {
        denominator == 0 ? nil : numerator / denominator
    }

    /// The middle value; the mean of the two middle values for an even count; `nil` when empty.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
