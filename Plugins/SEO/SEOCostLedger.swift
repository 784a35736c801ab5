import ChannelKit

/// What SEO costs: one row per month and cost item (agency retainer, content, tools). Each
/// amount is spread evenly over the month's days (the cents left over go to the first days,
/// so the days add up exactly to the amount).
enum SEOCostLedger {
    static let format = ExportFormat(
        id: "seo-costs",
        title: "SEO cost ledger (monthly)",
        summary: "Monthly SEO spend by item; each month's amount is spread evenly over its days.",
        columns: [
            ColumnSpec("month", names: ["month"], description: "The month, YYYY-MM"),
            ColumnSpec("item", names: ["item", "cost_item"], description: "What was paid for (retainer, content, tools…); one row per month and item"),
            ColumnSpec("amount", names: ["amount"], description: "Amount for the whole month, such as 1500.00"),
            ColumnSpec("currency", names: ["currency"], description: "ISO 4217 code such as USD"),
            ColumnSpec("vendor", names: ["vendor"], required: false, description: "Who was paid (kept in the docs only)"),
        ],
        example: """
            month,item,amount,currency,vendor
            2026-01,Agency retainer,1500.00,USD,Example SEO Agency
            """
    ) { (row) throws(RowError) in
        let monthText = try row.required("month")
        guard let days = Day.daysOfMonth(monthText) else { throw row.error("month", "\(SourceRow.quoted(monthText)) is not a month; expected YYYY-MM") }
        let item = try row.required("item")
        let amount = try row.money("amount", currency: try row.currency("currency"))
        return CostRecord.spread(amount, over: days, campaign: nil, detail: "item:" + item).map(ChannelRecord.cost)
    }
}
