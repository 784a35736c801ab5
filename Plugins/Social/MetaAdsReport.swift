import ChannelKit

/// Meta Ads Manager → Reports → export (CSV) at campaign level, with the daily breakdown
/// (Breakdown → By time → Day). Meta names the spend column after the account currency:
/// `Amount spent (USD)`.
enum MetaAdsReport {
    static let format = ExportFormat(
        id: "meta-ads",
        title: "Meta Ads Manager campaign report (daily)",
        summary: "Campaign-level report exported from Meta Ads Manager with the By time → Day breakdown.",
        columns: [
            ColumnSpec("day", names: ["Day", "Reporting starts"], description: "The day (YYYY-MM-DD)"),
            ColumnSpec("day_end", names: ["Reporting ends"], required: false, description: "Must equal the start: one row per day"),
            ColumnSpec("campaign", names: ["Campaign name"], description: "Campaign name; matched to utm_campaign by its normalised form"),
            ColumnSpec("campaign_id", names: ["Campaign ID"], required: false, description: "Meta's campaign id"),
            ColumnSpec("account", names: ["Account ID", "Account name"], required: false, description: "The ad account: costs of two accounts are both kept"),
            ColumnSpec("spend", names: ["Amount spent"], prefix: true, description: "Spend; the header names the currency: Amount spent (USD)"),
            ColumnSpec("currency", names: ["Currency"], required: false, description: "Currency code, when the spend header does not name it"),
            ColumnSpec("impressions", names: ["Impressions"], description: "Impressions"),
            ColumnSpec("clicks", names: ["Link clicks", "Clicks (all)"], required: false, description: "Link clicks; empty = 0"),
            ColumnSpec("leads", names: ["Leads", "On-Facebook leads"], required: false, description: "Leads from lead forms; empty = 0"),
        ],
        example: """
            Day,Campaign name,Campaign ID,Amount spent (USD),Impressions,Reach,Link clicks,Leads
            2026-01-05,Tet Sale 2026,120210000000001,84.37,10412,8120,163,7
            """
    ) { (row) throws(RowError) in
        try DailyCampaignRow.records(row, currency: try currencyOfSpend(row), breakdownHint: "export with the daily breakdown (By time → Day)")
    }

    /// `Amount spent (USD)` → USD; else the `Currency` column.
    static func currencyOfSpend(_ row: SourceRow) throws(RowError) -> Currency {
        if let header = row.headerText("spend"), let open = header.lastIndex(of: "("), let close = header.lastIndex(of: ")"), open < close,
           let currency = Currency(header[header.index(after: open)..<close]) {
            return currency
        }
        if row.value("currency") != nil { return try row.currency("currency") }
        throw row.error("spend", "the spend column does not name its currency; expected a header such as \"Amount spent (USD)\" or a Currency column")
    }
}
