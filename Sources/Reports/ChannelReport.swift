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
///   is the sum of the known spends, and its CPL, CPA and ROAS divide by the leads, customers
///   and revenue of those channels only (``SpendBasis``).
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

    /// A condition on `<lead>.created_at` and its arguments (?1, ?2). Open periods have none.
    func createdFilter(_ lead: String) -> (sql: String, arguments: [SQLValue]) {
        guard from != nil || to != nil else { return ("1", []) }
        // `+`: never the creation-time index of `leads`, whose every match would be a lookup in
        // the wide table (the reports read `lead_firsts`, which has no index to choose).
        return ("+\(lead).created_at >= ?1 AND +\(lead).created_at < ?2", [.integer(startSeconds), .integer(endSeconds)])
    }
    /// The same condition for a statement that also uses ?3, ?4…: the arguments are the two
    /// bounds (bound even when the condition does not use them) followed by `extra`.
    func createdFilter(_ lead: String, followedBy extra: [SQLValue]) -> (sql: String, arguments: [SQLValue]) {
        (createdFilter(lead).sql, [.integer(startSeconds), .integer(endSeconds)] + extra)
    }

    /// SQL for the UTC day (days since 1970-01-01, rounded down) of a time column.
    static func daySQL(_ seconds: String) -> String {
        "((\(seconds) - ((\(seconds) % 86400) + 86400) % 86400) / 86400)"
    }
    var lastDay: String { to?.description ?? "9999-12-31" }
}

public enum ReportError: Error, CustomStringConvertible, Equatable {
    case mixedCurrencies([String])
    case emptyPeriod(from: Day, to: Day)
    case missingRate(from: String, to: String, day: String)
    /// A sum or a conversion beyond what 64-bit minor units hold.
    case tooLarge(String)

    public var description: String {
        switch self {
        case .mixedCurrencies(let codes):
            return "the data for this report is in several currencies (\(codes.joined(separator: ", "))); LeadLedger will not add them up. "
                + "Import exchange rates (leadledger import rates FILE) and pass --currency, or narrow the report with --from/--to or --channel"
        case .missingRate(let from, let to, let day):
            return "no exchange rate from \(from) to \(to) on or before \(day); import one with leadledger import rates FILE"
        case .emptyPeriod(let from, let to):
            return "--from \(from) is after --to \(to)"
        case .tooLarge(let what):
            return "\(what) is beyond what LeadLedger can add up exactly (more than 9.2 × 10^18 minor units); check the imported amounts and exchange rates"
        }
    }

    /// `a + b`, or ``tooLarge(_:)`` naming `what` when the sum leaves Int64.
    public static func sum(_ a: Int64, _ b: Int64, _ what: @autoclosure () -> String) throws(ReportError) -> Int64 {
        let (s, overflow) = a.addingReportingOverflow(b)
        if overflow { throw .tooLarge(what()) }
        return s
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
        var options = ReportOptions()
        options.period = period
        let result = try AcquisitionReport.compute(warehouse, options)
        return ChannelComparison(period: period, currency: result.currency, channels: result.rows, total: result.total)
    }

    /// SQL for the channel a lead counts under: its first touch's (earliest, then first
    /// imported; kept in `lead_firsts.first_channel` by every import), or `direct` when it has
    /// none. `firsts` is the alias of the `lead_firsts` table.
    public static func firstTouchChannel(_ firsts: String) -> String {
        "coalesce(\(firsts).first_channel, 'direct')"
    }
}
