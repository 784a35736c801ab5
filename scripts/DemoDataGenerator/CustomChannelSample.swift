import ChannelKit
import Foundation

/// The demo's own channel grouping and cost ledger: a custom channel (Zalo's official
/// account, which the social plugin would claim) declared in `grouping.txt`, and `costs.csv`
/// with what no platform export carries — the paid-search agency's monthly fee and the Zalo
/// account's subscription. Fixed amounts: no random stream is drawn, so the other files do
/// not change.
enum CustomChannelSample {
    static let grouping = """
        # The demo's channel grouping (docs/grouping.md): asked before the plugins' rules.
        # Zalo's official account is a channel of its own here, not part of social.
        channel zalo Zalo OA
        rule zalo source=zalo
        """

    static func costs(start: Day, days: Int) -> [String] {
        var rows = ["date,channel,campaign,amount,currency,item"]
        var month = start
        let last = start.adding(days: days - 1)
        while month <= last {
            rows.append("\(month),paid_search,,400.00,USD,Agency fee")
            rows.append("\(month),zalo,,49.00,USD,Zalo OA subscription")
            let (y, m, _) = month.components
            month = Day(year: m == 12 ? y + 1 : y, month: m == 12 ? 1 : m + 1, day: 1)!
        }
        return rows
    }
}
