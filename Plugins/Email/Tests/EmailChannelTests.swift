import Testing
import ChannelKit
import ChannelTestKit
@testable import EmailChannel

@Suite struct EmailFormatsTests {
    let f: ImportFixture
    init() throws { f = try ImportFixture(channels: [EmailChannelPlugin()]) }

    @Test func aCampaignReportBecomesItsCountsAndCostOnTheSendDay() throws {
        let r = try f.importText("email", "campaigns.csv", """
            Campaign Name,Send Date,Total Recipients,Successful Deliveries,Total Opens,Unique Opens,Total Clicks,Unsubscribes,Total Bounces,cost,currency
            Jan Newsletter,2026-01-06T02:00:00Z,1850,1812,1240,702,188,9,38,120.00,USD
            """)
        #expect(r.rejects.isEmpty)
        #expect(try f.rows("SELECT metric, value FROM channel_metrics ORDER BY metric") == [
            ["bounces", "38.0"], ["clicks", "188.0"], ["delivered", "1812.0"], ["opens", "1240.0"], ["sent", "1850.0"], ["unique_opens", "702.0"],
            ["unsubscribes", "9.0"],
        ])
        #expect(try f.rows("SELECT c.day, c.amount_minor, k.key FROM costs c JOIN campaigns k ON k.id = c.campaign_id") == [["2026-01-06", "12000", "jan_newsletter"]])
    }

    @Test func opensAndClicksBecomeTouchesOfTheLeadWithThatEmail() throws {
        try f.seedLeads([("L1", "2026-01-01T00:00:00Z", "an@example.com")])
        let r = try f.importText("email", "engagement.csv", """
            email,campaign,opened_at,clicked_at
            AN@example.com,Jan Newsletter,2026-01-06T03:12:00Z,2026-01-06T03:13:10Z
            an@example.com,Feb Newsletter,2026-02-03T08:00:00Z,
            nobody@example.com,Jan Newsletter,2026-01-06T03:12:00Z,
            an@example.com,Jan Newsletter,,
            """)
        #expect(r.rejects.map(\.description) == [
            // The reason names the column, never the address (it is personal).
            "engagement.csv:4:1 (email): no lead has this email; import the leads first, then this file again with --again",
            "engagement.csv:5:3 (opened_at): neither opened_at nor clicked_at is given",
        ])
        #expect(try f.rows("SELECT datetime(t.occurred_at, 'unixepoch'), t.kind, k.key FROM touchpoints t JOIN campaigns k ON k.id = t.campaign_id ORDER BY 1") == [
            ["2026-01-06 03:12:00", "email_open", "jan_newsletter"], ["2026-01-06 03:13:10", "click", "jan_newsletter"],
            ["2026-02-03 08:00:00", "email_open", "feb_newsletter"],
        ])
    }

    @Test func badCampaignRowsAreRejected() throws {
        let r = try f.importText("email", "campaigns.csv", """
            campaign,sent_at,sent,delivered,opens,unique_opens,clicks,unsubscribes,bounces,cost,currency
            A,2026-01-06T02:00:00Z,100,120,1,1,1,0,0,,
            B,2026-01-06T02:00:00Z,100,90,1,95,1,0,0,,
            C,2026-01-06T02:00:00Z,1x0,90,1,1,1,0,0,,
            D,2026-01-06T02:00:00Z,100,90,1,1,1,0,0,12.00,
            E,06/01/2026 02:00,100,90,1,1,1,0,0,,
            """)
        #expect(r.rejects.map(\.description) == [
            "campaigns.csv:2:4 (delivered): more emails delivered than sent",
            "campaigns.csv:3:6 (unique_opens): more unique opens than emails delivered",
            "campaigns.csv:4:3 (sent): \"1x0\" is not a number: it has a character that is not a digit, sign or separator",
            "campaigns.csv:5:11 (currency): is empty, but an amount is given; a currency such as USD is required",
            "campaigns.csv:6:2 (sent_at): \"06/01/2026 02:00\" is not a date-time; expected ISO 8601 such as 2026-01-15T09:30:00Z",
        ])
        #expect(try f.count("channel_metrics") == 0)
    }
}
