import ChannelKit

/// LinkedIn Campaign Manager → Analyze → Export → Campaign performance, time breakdown
/// "Daily". The file starts with a few lines of report metadata before the header row.
enum LinkedInCampaignReport {
    static let format = ExportFormat(
        id: "linkedin-campaigns",
        title: "LinkedIn Campaign Manager campaign performance (daily)",
        summary: "Campaign performance export from LinkedIn Campaign Manager, daily time breakdown; metadata lines above the header are skipped.",
        columns: [
            ColumnSpec("day", names: ["Start Date (in UTC)", "Start Date"], description: "The day, M/D/YYYY or YYYY-MM-DD"),
            ColumnSpec("day_end", names: ["End Date (in UTC)", "End Date"], required: false, description: "Must equal the start: one row per day"),
            ColumnSpec("campaign", names: ["Campaign Name"], description: "Campaign name"),
            ColumnSpec("campaign_id", names: ["Campaign ID"], required: false, description: "LinkedIn's campaign id"),
            ColumnSpec("account", names: ["Account ID", "Account Name"], required: false, description: "The ad account: costs of two accounts are both kept"),
            ColumnSpec("spend", names: ["Total Spent", "Amount Spent"], description: "Spend in the account currency"),
            ColumnSpec("currency", names: ["Currency"], description: "Currency code"),
            ColumnSpec("impressions", names: ["Impressions"], description: "Impressions"),
            ColumnSpec("clicks", names: ["Clicks"], required: false, description: "Clicks; empty = 0"),
            ColumnSpec("leads", names: ["Leads"], required: false, description: "Lead Gen Form leads; empty = 0"),
        ],
        headerSearchDepth: 10,
        example: """
            Campaign Performance Report (in UTC)
            Report Start: 1/1/2026
            Report End: 1/31/2026

            Start Date (in UTC),Account Name,Campaign Group Name,Campaign Name,Campaign ID,Campaign Type,Total Spent,Currency,Impressions,Clicks,Average CTR,Leads
            1/5/2026,Example Co,Q1 Demand,B2B Decision Makers,184000001,Sponsored Content,112.40,USD,2804,31,1.11%,2
            """
    ) { (row) throws(RowError) in
        try DailyCampaignRow.records(row, currency: try row.currency("currency"), breakdownHint: "export with the Daily time breakdown")
    }
}
