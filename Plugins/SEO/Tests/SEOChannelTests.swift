import Testing
import ChannelKit
import ChannelTestKit
@testable import SEOChannel

@Suite struct SEOFormatsTests {
    let f: ImportFixture
    init() throws { f = try ImportFixture(channels: [SEOChannelPlugin()]) }

    @Test func searchConsoleDatesBecomeDailyMetrics() throws {
        let r = try f.importText("seo", "Dates.csv", """
            Date,Clicks,Impressions,CTR,Position
            2026-01-05,412,15230,2.7%,11.4
            2026-01-06,380,14000,0.0271,9.85
            """)
        #expect(r.format.id == "gsc-dates" && r.rejects.isEmpty && r.counts.inserted == 2)
        #expect(try f.rows("SELECT day, metric, value, detail FROM channel_metrics ORDER BY day, metric") == [
            ["2026-01-05", "clicks", "412.0", ""], ["2026-01-05", "impressions", "15230.0", ""], ["2026-01-05", "position", "11.4", ""],
            ["2026-01-06", "clicks", "380.0", ""], ["2026-01-06", "impressions", "14000.0", ""], ["2026-01-06", "position", "9.85", ""],
        ])
    }

    @Test func pagesAndQueriesAreBreakdownsWithTheirDate() throws {
        try f.importText("seo", "pages.csv", "Date,Page,Clicks,Impressions,CTR,Position\n2026-01-05,https://shop.example.com/pricing,96,2210,4.34%,6.2\n")
        try f.importText("seo", "queries.csv", "date,query,clicks,impressions,ctr,position\n2026-01-05,\"crm, vietnam\",31,880,3.52%,4.1\n")
        #expect(try f.rows("SELECT detail, metric, value FROM channel_metrics WHERE metric = 'clicks' ORDER BY detail") == [
            ["page:https://shop.example.com/pricing", "clicks", "96.0"], ["query:crm, vietnam", "clicks", "31.0"],
        ])
    }

    @Test func theWebUIsUndatedPageExportIsRefusedNamingTheColumns() throws {
        let path = f.dir.write("Pages.csv", "Top pages,Clicks,Impressions,CTR,Position\nhttps://shop.example.com/,10,100,10%,3\n")
        #expect(throws: (any Error).self) { try f.importer.importFile(source: "seo", path: path) }
        do { _ = try f.importer.importFile(source: "seo", path: path) } catch {
            #expect("\(error)".contains("Search Console performance by page and date: \"Date\", \"Page\", \"Clicks\", \"Impressions\", \"Position\""))
        }
    }

    @Test func aMonthlyCostIsSpreadOverItsDaysToTheCent() throws {
        let r = try f.importText("seo", "costs.csv", "month,item,amount,currency\n2026-02,Agency retainer,1500.00,USD\n2026-02,SEO tools,99.00,USD\n")
        #expect(r.rejects.isEmpty)
        // 150,000 cents over 28 days: 5,357 a day and 4 cents left over, paid on the first 4 days.
        #expect(try f.rows("""
            SELECT count(*), sum(amount_minor), min(amount_minor), max(amount_minor), min(day), max(day)
            FROM costs WHERE detail = 'item:Agency retainer'
            """) == [["28", "150000", "5357", "5358", "2026-02-01", "2026-02-28"]])
        #expect(try f.rows("SELECT day FROM costs WHERE detail = 'item:Agency retainer' AND amount_minor = 5358 ORDER BY day")
                == [["2026-02-01"], ["2026-02-02"], ["2026-02-03"], ["2026-02-04"]])
        #expect(try f.rows("SELECT sum(amount_minor) FROM costs WHERE detail = 'item:SEO tools'") == [["9900"]])
    }

    @Test func badRowsAreRejectedWithTheirColumn() throws {
        let dates = try f.importText("seo", "Dates.csv", """
            Date,Clicks,Impressions,CTR,Position
            2026-13-01,1,10,10%,3
            2026-01-05,12x,100,1%,3
            2026-01-06,200,100,1%,3
            2026-01-07,1,100,120%,3
            2026-01-08,1,100,1%,0.5
            2026-01-09,1,100,1%,3
            2026-01-09,1,100,1%,3
            """)
        #expect(dates.rejects.map(\.description) == [
            "Dates.csv:2:1 (Date): \"2026-13-01\" is not a date; expected YYYY-MM-DD or M/D/YYYY",
            "Dates.csv:3:2 (Clicks): \"12x\" is not a number: it has a character that is not a digit, sign or separator",
            "Dates.csv:4:2 (Clicks): 200 clicks exceed 100 impressions",
            "Dates.csv:5:4 (CTR): \"120%\" is not a rate such as 3.2% or 0.032",
            "Dates.csv:6:5 (Position): 0.5 is not a position; positions start at 1",
            "Dates.csv:8: an earlier row of this file already gave this metric for this day and campaign",
        ])
        // The duplicated last row gives the same key twice in one file: refused, the first kept.
        #expect(dates.counts.inserted == 1 && dates.counts.rejected == 6)
        #expect(try f.count("channel_metrics") == 3)
        let costs = try f.importText("seo", "costs.csv", """
            month,item,amount,currency
            2026-13,Retainer,100.00,USD
            2026-01,Retainer,-100.00,USD
            2026-01,Retainer,100.00,US$
            2026-01,,100.00,USD
            """)
        #expect(costs.rejects.map(\.description) == [
            "costs.csv:2:1 (month): \"2026-13\" is not a month; expected YYYY-MM",
            "costs.csv:3:3 (amount): \"-100.00\" is negative; a cost cannot be negative",
            "costs.csv:4:4 (currency): \"US$\" is not an ISO 4217 currency code such as USD",
            "costs.csv:5:2 (item): is empty; a value is required",
        ])
        #expect(try f.count("costs") == 0)
    }
}
