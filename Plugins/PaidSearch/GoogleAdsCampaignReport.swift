import ChannelKit

/// Google Ads → Campaigns → Download (CSV), with the table segmented by day (Segment → Time →
/// Day). The download opens with the report's title and its date range, and ends with
/// `Total: …` rows (account, campaigns, campaign types), which are skipped.
enum GoogleAdsCampaignReport {
    static let format = ExportFormat(
        id: "google-ads-campaigns",
        title: "Google Ads campaign report (daily)",
        summary: "Campaign report downloaded from the Google Ads interface, segmented by day; the title and date-range lines above the header and the Total rows below the data are skipped.",
        columns: [
            ColumnSpec("day", names: ["Day", "Date"], description: "The day (YYYY-MM-DD or M/D/YYYY)"),
            ColumnSpec("campaign", names: ["Campaign", "Campaign name"], description: "Campaign name; matched to utm_campaign by its normalised form"),
            ColumnSpec("campaign_id", names: ["Campaign ID"], required: false, description: "Google's campaign id"),
            ColumnSpec("account", names: ["Customer ID", "Account", "Account name"], required: false, description: "The Google Ads account (customer id or name): costs of two accounts are both kept"),
            ColumnSpec("currency", names: ["Currency code", "Currency"], description: "The account's currency (ISO 4217)"),
            ColumnSpec("spend", names: ["Cost"], description: "Spend in the account currency; -- or empty = 0"),
            ColumnSpec("impressions", names: ["Impr.", "Impressions"], description: "Impressions; -- or empty = 0"),
            ColumnSpec("clicks", names: ["Clicks"], required: false, description: "Clicks; -- or empty = 0"),
            ColumnSpec("conversions", names: ["Conversions", "Conv."], required: false, description: "Conversions Google counted (may be fractional); -- or empty = 0"),
        ],
        headerSearchDepth: 5,
        summaryRows: SummaryRowRule(),
        example: """
            Campaign report
            January 1, 2026 - January 31, 2026
            Day,Campaign,Campaign type,Currency code,Cost,Impr.,Clicks,Conversions
            2026-01-05,Brand Search,Search,USD,"1,204.50","18,230",912,31.50
            2026-01-05,Generic CRM,Search,USD,87.10,2104,64,--
            Total: Account,--,--,USD,"1,291.60","20,334",976,31.50
            """
    ) { (row) throws(RowError) in
        try SearchCampaignRow.records(row)
    }
}
