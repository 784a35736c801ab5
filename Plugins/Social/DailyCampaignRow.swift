import ChannelKit

/// What the ad platforms' daily campaign reports have in common: one row per day and
/// campaign with spend, impressions, clicks and the leads the platform counted. Each format
/// maps its own headers to the keys `day`, `day_end`, `campaign`, `campaign_id`, `spend`,
/// `impressions`, `clicks` and `leads`, and says how to find the currency.
enum DailyCampaignRow {
    /// The cost and metrics of one row. `breakdownHint` tells people how to export daily rows
    /// when a row covers several days.
    static func records(_ row: SourceRow, currency: Currency, breakdownHint: String) throws(RowError) -> [ChannelRecord] {
        let day = try row.day("day")
        if row.value("day_end") != nil {
            let end = try row.day("day_end")
            guard end == day else { throw row.error("day_end", "the row covers \(day) to \(end); \(breakdownHint)") }
        }
        let campaign = CampaignRef(name: try row.required("campaign"), externalID: row.value("campaign_id"))
        return [
            .cost(CostRecord(day: day, campaign: campaign, amount: try row.money("spend", currency: currency))),
            .metric(MetricRecord(day: day, campaign: campaign, metric: "impressions", value: Double(try row.count("impressions")))),
            .metric(MetricRecord(day: day, campaign: campaign, metric: "clicks", value: Double(try row.count("clicks")))),
            .metric(MetricRecord(day: day, campaign: campaign, metric: "platform_leads", value: Double(try row.count("leads")))),
        ]
    }
}
