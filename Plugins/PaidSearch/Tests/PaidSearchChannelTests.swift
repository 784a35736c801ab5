import Testing
import ChannelKit
import ChannelTestKit
@testable import PaidSearchChannel

@Suite struct GoogleAdsCampaignReportTests {
    let f: ImportFixture
    init() throws { f = try ImportFixture(channels: [PaidSearchChannelPlugin()]) }

    @Test func aDownloadWithTitleDateRangeAndTotalsImportsItsDays() throws {
        let r = try f.importText("paid_search", "Campaign report.csv", """
            Campaign report
            January 1, 2026 - January 31, 2026
            Day,Campaign,Campaign type,Currency code,Cost,Impr.,Clicks,Conversions
            2026-01-05,Brand Search,Search,USD,"1,204.50","18,230",912,31.50
            2026-01-05,Generic CRM,Search,USD,87.10,2104,64,--
            2026-01-06,Brand Search,Search,USD,0.00,0,0,0.00
            Total: Account,--,--,USD,"1,291.60","20,334",976,31.50
            Total: Search campaigns,--,--,USD,"1,291.60","20,334",976,31.50
            """)
        #expect(r.format.id == "google-ads-campaigns")
        #expect(r.rejects.isEmpty && r.counts.read == 3 && r.counts.inserted == 3 && r.counts.summaryRows == 2)
        #expect(try f.rows("""
            SELECT c.day, k.name, c.amount_minor, c.currency FROM costs c JOIN campaigns k ON k.id = c.campaign_id ORDER BY c.day, k.name
            """) == [["2026-01-05", "Brand Search", "120450", "USD"], ["2026-01-05", "Generic CRM", "8710", "USD"], ["2026-01-06", "Brand Search", "0", "USD"]])
        #expect(try f.rows("SELECT metric, sum(value) FROM channel_metrics GROUP BY metric ORDER BY metric") == [
            ["clicks", "976.0"], ["impressions", "20334.0"], ["platform_conversions", "31.5"],
        ])
    }

    @Test func aCampaignNamedTotalSomethingIsData() throws {
        let r = try f.importText("paid_search", "c.csv", """
            Campaign,Day,Currency code,Cost,Impr.
            Total Recall Promo,2026-01-05,USD,10.00,100
            Total,--,USD,10.00,100
            """)
        #expect(r.counts.read == 1 && r.counts.inserted == 1 && r.counts.summaryRows == 1 && r.rejects.isEmpty)
    }

    @Test func badValuesAreRefusedWithTheirColumn() throws {
        let r = try f.importText("paid_search", "c.csv", """
            Day,Campaign,Currency code,Cost,Impr.,Clicks
            2026-01-05,Brand,USD,12;50,100,1
            2026-01-05,Generic,dollars,1.00,100,1
            2026-01-06,Brand,USD,-3.00,100,1
            2026-01-07,Brand,USD,3.00,100,1
            """)
        #expect(r.counts.inserted == 1 && r.counts.rejected == 3)
        #expect(r.rejects.map(\.columnName) == ["Cost", "Currency code", "Cost"])
        #expect(r.rejects[2].reason.contains("negative"))
    }
}

@Suite struct MicrosoftAdsCampaignReportTests {
    let f: ImportFixture
    init() throws { f = try ImportFixture(channels: [PaidSearchChannelPlugin()]) }

    @Test func theReportingAPIDownloadWithItsHeaderLinesAndFooter() throws {
        let r = try f.importText("paid_search", "bing.csv", """
            "Report Name: Campaign performance"
            "Report Time: 1/1/2026 - 1/31/2026"
            "Time Zone: (GMT+07:00) Bangkok, Hanoi, Jakarta"
            "Last Completed Available Day: 2/1/2026 11:10:00 PM (GMT)"
            "Report Aggregation: Daily"
            "Report Filter: "
            "Potential Incomplete Data: false"
            "Rows: 2"

            "TimePeriod","CampaignName","CampaignId","Impressions","Clicks","Spend","Conversions","CurrencyCode"
            "2026-01-05","Brand Search","402001","3120","151","98.40","6","USD"
            "2026-01-06","Brand Search","402001","2980","139","91.05","4","USD"

            "©2026 Microsoft Corporation. All rights reserved. "
            """)
        #expect(r.format.id == "microsoft-ads-campaigns")
        #expect(r.rejects.isEmpty && r.counts.read == 2 && r.counts.inserted == 2 && r.counts.summaryRows == 1)
        #expect(try f.rows("SELECT sum(amount_minor) FROM costs") == [["18945"]])
        #expect(try f.rows("SELECT external_id FROM campaigns") == [["402001"]])
    }

    @Test func theWebInterfaceDownload() throws {
        let r = try f.importText("paid_search", "web.csv", """
            Day,Campaign name,Impr.,Clicks,Spend,Conv.,Currency code
            1/5/2026,Generic CRM,410,12,"1,015.20",--,EUR
            Total,,410,12,"1,015.20",--,EUR
            """)
        #expect(r.format.id == "microsoft-ads-campaigns" && r.rejects.isEmpty && r.counts.inserted == 1 && r.counts.summaryRows == 1)
        #expect(try f.rows("SELECT day, amount_minor, currency FROM costs") == [["2026-01-05", "101520", "EUR"]])
    }
}

@Suite struct SummaryRowRuleTests {
    let rule = SummaryRowRule()

    @Test(arguments: [["Total: Account", "--"], ["total"], [" Total - all campaigns", "3"], ["©2026 Microsoft Corporation. All rights reserved. "],
                      ["TOTAL: Search campaigns"]])
    func summaryRows(_ fields: [String]) { #expect(rule.matches(fields)) }

    @Test(arguments: [["Totally Free Trial", "1"], ["Total Recall"], ["2026-01-05", "Total"], [""], ["Brand"]])
    func dataRows(_ fields: [String]) { #expect(!rule.matches(fields)) }
}

@Suite struct PaidSearchSpendIsNeverLostTests {
    let f: ImportFixture
    init() throws { f = try ImportFixture(channels: [PaidSearchChannelPlugin()]) }

    /// The same campaign name on Google Ads and Microsoft Advertising the same day is two
    /// costs that add up; each platform's overlapping later download restates its own.
    @Test func twoPlatformsAddUpAndOverlappingDownloadsNeverDoubleCount() throws {
        try f.importText("paid_search", "google-jan.csv", "Day,Campaign,Currency code,Cost,Impr.\n2026-01-05,Brand Search,USD,100.00,1000\n2026-01-06,Brand Search,USD,80.00,900\n")
        try f.importText("paid_search", "bing-jan.csv", "TimePeriod,CampaignName,Impressions,Spend,CurrencyCode\n2026-01-05,Brand Search,300,50.00,USD\n")
        #expect(try f.rows("SELECT sum(amount_minor) FROM costs") == [["23000"]])
        // Google's next download overlaps a day and restates it.
        let r = try f.importText("paid_search", "google-jan-later.csv", "Day,Campaign,Currency code,Cost,Impr.\n2026-01-06,Brand Search,USD,85.00,950\n2026-01-07,Brand Search,USD,70.00,800\n")
        #expect(r.counts.updated == 1 && r.counts.inserted == 1)
        #expect(try f.rows("SELECT source_key, sum(amount_minor) FROM costs GROUP BY source_key ORDER BY source_key") == [
            ["google-ads-campaigns", "25500"], ["microsoft-ads-campaigns", "5000"],
        ])
        #expect(try f.rows("SELECT sum(value) FROM channel_metrics WHERE metric = 'impressions'") == [["3050.0"]])
    }

    @Test func twoGoogleAccountsAreTwoSources() throws {
        try f.importText("paid_search", "a.csv", "Day,Customer ID,Campaign,Currency code,Cost,Impr.\n2026-01-05,123-456-7890,Brand Search,USD,100.00,1000\n2026-01-05,999-000-1111,Brand Search,USD,40.00,300\n")
        #expect(try f.rows("SELECT source_key, amount_minor FROM costs ORDER BY source_key") == [
            ["google-ads-campaigns:123-456-7890", "10000"], ["google-ads-campaigns:999-000-1111", "4000"],
        ])
    }
}
