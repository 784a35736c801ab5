import ChannelKit

/// Microsoft Advertising → Reports → Campaign (performance), daily, downloaded as CSV — from
/// the web interface, or from the reporting API (`CampaignPerformanceReportRequest` with
/// `Aggregation = Daily`), whose columns are named `TimePeriod`, `CampaignName`, `Spend`…
/// The download opens with report lines (`Report Name: …`, `Report Time: …`, `Rows: …`) and
/// ends with a copyright line; both are skipped.
enum MicrosoftAdsCampaignReport {
    static let format = ExportFormat(
        id: "microsoft-ads-campaigns",
        title: "Microsoft Advertising campaign performance report (daily)",
        summary: "Campaign performance report from Microsoft Advertising (Bing), daily aggregation, from the web interface or the reporting API; the report lines above the header, Total rows and the copyright footer are skipped.",
        columns: [
            ColumnSpec("day", names: ["TimePeriod", "Time period", "GregorianDate", "Gregorian date", "Day", "Date"],
                       description: "The day (YYYY-MM-DD or M/D/YYYY); the report must be aggregated daily"),
            ColumnSpec("campaign", names: ["CampaignName", "Campaign name", "Campaign"], description: "Campaign name; matched to utm_campaign by its normalised form"),
            ColumnSpec("campaign_id", names: ["CampaignId", "Campaign ID"], required: false, description: "Microsoft's campaign id"),
            ColumnSpec("account", names: ["AccountNumber", "Account number", "AccountId", "AccountName", "Account name"], required: false, description: "The Microsoft Advertising account: costs of two accounts are both kept"),
            ColumnSpec("spend", names: ["Spend"], description: "Spend in the account currency; -- or empty = 0"),
            ColumnSpec("currency", names: ["CurrencyCode", "Currency code", "Currency"], description: "The account's currency (ISO 4217)"),
            ColumnSpec("impressions", names: ["Impressions", "Impr."], description: "Impressions; -- or empty = 0"),
            ColumnSpec("clicks", names: ["Clicks"], required: false, description: "Clicks; -- or empty = 0"),
            ColumnSpec("conversions", names: ["Conversions", "Conv."], required: false, description: "Conversions Microsoft counted; -- or empty = 0"),
        ],
        headerSearchDepth: 15,
        summaryRows: SummaryRowRule(),
        example: """
            "Report Name: Campaign performance"
            "Report Time: 1/1/2026 - 1/31/2026"
            "Time Zone: (GMT+07:00) Bangkok, Hanoi, Jakarta"
            "Report Aggregation: Daily"
            "Rows: 1"

            "TimePeriod","CampaignName","CampaignId","Impressions","Clicks","Spend","Conversions","CurrencyCode"
            "2026-01-05","Brand Search","402001","3120","151","98.40","6","USD"

            "©2026 Microsoft Corporation. All rights reserved. "
            """
    ) { (row) throws(RowError) in
        try SearchCampaignRow.records(row)
    }
}
