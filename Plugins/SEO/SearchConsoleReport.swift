import ChannelKit

/// Google Search Console → Performance → Search results → Export. The "Dates" table is one
/// row per day. Page and query tables carry a date when they come from the Search Console API,
/// its BigQuery bulk export or Looker Studio (`date,page,clicks,…`); the web UI's Pages.csv and
/// Queries.csv aggregate over the chosen range without a date and are refused with that hint.
enum SearchConsoleReport {
    static let formats = [pages, queries, dates]

    static func metricColumns() -> [ColumnSpec] {
        [
            ColumnSpec("clicks", names: ["Clicks"], description: "Clicks"),
            ColumnSpec("impressions", names: ["Impressions"], description: "Impressions"),
            ColumnSpec("ctr", names: ["CTR"], required: false, description: "Click-through rate as written (3.2% or 0.032); checked, recomputed from clicks and impressions"),
            ColumnSpec("position", names: ["Position", "Average position"], description: "Average position (1 = top)"),
        ]
    }

    static let dateColumn = ColumnSpec("day", names: ["Date"], description: "The day (YYYY-MM-DD)")

    static let dates = ExportFormat(
        id: "gsc-dates",
        title: "Search Console performance by date",
        summary: "The Dates table of a Search Console performance export: site totals per day.",
        columns: [dateColumn] + metricColumns(),
        example: """
            Date,Clicks,Impressions,CTR,Position
            2026-01-05,412,15230,2.7%,11.4
            """
    ) { (row) throws(RowError) in try records(row, detail: nil) }

    static let pages = ExportFormat(
        id: "gsc-pages",
        title: "Search Console performance by page and date",
        summary: "Search Console performance per page per day (API, bulk export or Looker Studio).",
        columns: [dateColumn, ColumnSpec("page", names: ["Page", "Top pages", "Landing page"], description: "The page URL")] + metricColumns(),
        example: """
            Date,Page,Clicks,Impressions,CTR,Position
            2026-01-05,https://shop.example.com/blog/lead-scoring,96,2210,4.34%,6.2
            """
    ) { (row) throws(RowError) in try records(row, detail: .breakdown(dimension: "page", value: try row.required("page"))) }

    static let queries = ExportFormat(
        id: "gsc-queries",
        title: "Search Console performance by query and date",
        summary: "Search Console performance per query per day (API, bulk export or Looker Studio).",
        columns: [dateColumn, ColumnSpec("query", names: ["Query", "Top queries"], description: "The search query")] + metricColumns(),
        example: """
            Date,Query,Clicks,Impressions,CTR,Position
            2026-01-05,crm for small business,31,880,3.52%,4.1
            """
    ) { (row) throws(RowError) in try records(row, detail: .breakdown(dimension: "query", value: try row.required("query"))) }

    static func records(_ row: SourceRow, detail: MetricDetail?) throws(RowError) -> [ChannelRecord] {
        let day = try row.day("day")
        let clicks = try row.count("clicks")
        let impressions = try row.count("impressions")
        guard clicks <= impressions else { throw row.error("clicks", "\(clicks) clicks exceed \(impressions) impressions") }
        _ = try row.rate("ctr")
        let position = try row.decimal("position")
        guard impressions == 0 || position >= 1 else { throw row.error("position", "\(position) is not a position; positions start at 1") }
        return [
            .metric(MetricRecord(day: day, campaign: nil, metric: "clicks", value: Double(clicks), detail: detail)),
            .metric(MetricRecord(day: day, campaign: nil, metric: "impressions", value: Double(impressions), detail: detail)),
            .metric(MetricRecord(day: day, campaign: nil, metric: "position", value: position, detail: detail)),
        ]
    }
}
