import ChannelKit
import Foundation

/// The paid-search channel's sample: a Google Ads campaign report and a Microsoft Advertising
/// campaign performance report, daily, as the platforms download them (title lines, totals,
/// footer). "Brand Search" runs on both platforms under the same name, as advertisers who
/// import their Google campaigns into Microsoft Advertising have it: its spend on the two
/// must add up, never overwrite each other.
///
/// Its own random stream (seeded from the generator's seed), so that adding this sample left
/// every other file of the demo as it was.
struct PaidSearchSample {
    struct Campaign { let name: String; let id: String; let dailyBudget: Double; let cpc: Double; let ctr: Double }

    static let google = [
        Campaign(name: "Brand Search", id: "20114001", dailyBudget: 32, cpc: 0.55, ctr: 0.12),
        Campaign(name: "Generic CRM", id: "20114002", dailyBudget: 26, cpc: 2.10, ctr: 0.035),
    ]
    static let microsoft = [Campaign(name: "Brand Search", id: "402001", dailyBudget: 9, cpc: 0.45, ctr: 0.10)]

    var googleRows: [String] = []
    var microsoftRows: [String] = []

    init(start: Day, days: Int, seed: UInt64) {
        var rng = SeededRandom(seed: seed ^ 0x5EA2_C4AD)
        let last = start.adding(days: days - 1)
        googleRows = ["Campaign report", "\(Self.longDate(start)) - \(Self.longDate(last))",
                      "Day,Campaign,Campaign ID,Campaign type,Currency code,Cost,Impr.,Clicks,Conversions"]
        microsoftRows = [
            "\"Report Name: Campaign performance\"",
            "\"Report Time: \(Self.usDate(start)) - \(Self.usDate(last))\"",
            "\"Time Zone: (GMT+07:00) Bangkok, Hanoi, Jakarta\"",
            "\"Report Aggregation: Daily\"",
            "\"Report Filter: \"",
            "\"Potential Incomplete Data: false\"",
            "\"Rows: \(days * Self.microsoft.count)\"",
            "",
            "\"TimePeriod\",\"CampaignName\",\"CampaignId\",\"Impressions\",\"Clicks\",\"Spend\",\"Conversions\",\"CurrencyCode\"",
        ]
        var totals = (cost: 0, impressions: 0, clicks: 0, conversions: 0)
        for d in 0..<days {
            let day = start.adding(days: d)
            for (platform, campaigns) in [(0, Self.google), (1, Self.microsoft)] {
                for c in campaigns {
                    let spendCents = Int((c.dailyBudget * (0.7 + 0.6 * rng.unit()) * 100).rounded())
                    let clicks = Int(Double(spendCents) / 100 / c.cpc)
                    let impressions = Int(Double(clicks) / c.ctr * (0.85 + 0.3 * rng.unit()))
                    let conversions = Int(Double(clicks) * 0.04 * rng.unit() * 2)
                    if platform == 0 {
                        totals.cost += spendCents
                        totals.impressions += impressions
                        totals.clicks += clicks
                        totals.conversions += conversions
                        googleRows.append("\(day),\(c.name),\(c.id),Search,USD,\(Self.grouped(cents: spendCents)),\(Self.grouped(impressions)),\(Self.grouped(clicks)),"
                                          + (conversions == 0 ? "--" : "\(conversions).00"))
                    } else {
                        microsoftRows.append([day.description, c.name, c.id, String(impressions), String(clicks), Self.plain(cents: spendCents),
                                              String(conversions), "USD"].map { "\"\($0)\"" }.joined(separator: ","))
                    }
                }
            }
        }
        let total = ",--,--,USD,\(Self.grouped(cents: totals.cost)),\(Self.grouped(totals.impressions)),\(Self.grouped(totals.clicks)),\(totals.conversions).00"
        googleRows += ["Total: Account,--" + total, "Total: Search campaigns,--" + total]
        microsoftRows += ["", "\"©\(start.components.year) Microsoft Corporation. All rights reserved. \""]
    }

    /// `January 1, 2026`, as Google Ads writes the date range.
    static func longDate(_ day: Day) -> String {
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let (y, m, d) = day.components
        return "\(months[m - 1]) \(d), \(y)"
    }

    static func usDate(_ day: Day) -> String {
        let (y, m, d) = day.components
        return "\(m)/\(d)/\(y)"
    }

    static func plain(cents: Int) -> String { String(format: "%d.%02d", cents / 100, cents % 100) }

    /// `1,204.50` in quotes once it has a thousands group, as Google Ads writes numbers.
    static func grouped(cents: Int) -> String { group(String(cents / 100), String(format: ".%02d", cents % 100)) }
    static func grouped(_ n: Int) -> String { group(String(n), "") }
    static func group(_ whole: String, _ fraction: String) -> String {
        guard whole.count > 3 else { return whole + fraction }
        var digits = Array(whole)
        var out = ""
        while digits.count > 3 {
            out = "," + String(digits.suffix(3)) + out
            digits.removeLast(3)
        }
        return "\"" + String(digits) + out + fraction + "\""
    }
}
