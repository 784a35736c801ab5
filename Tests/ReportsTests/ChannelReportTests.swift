import Foundation
import Testing
import ChannelKit
import ChannelRegistry
import Ingest
import TestSupport
import Warehouse
@testable import Reports

/// A seven-lead case small enough to work by hand; the expected numbers below are written
/// from the formulas, not copied from the program.
struct HandWorkedCase {
    let dir = TemporaryDirectory()
    let warehouse: Warehouse

    init() throws {
        warehouse = try Warehouse(path: dir.file("w.sqlite"), channels: ChannelRegistry.all)
        let importer = try Importer(warehouse: warehouse, channels: ChannelRegistry.all)
        func load(_ source: String, _ name: String, _ text: String) throws {
            let r = try importer.importFile(source: source, path: dir.write(name, text))
            precondition(r.rejects.isEmpty, "\(r.rejects)")
        }
        try load("leads", "leads.csv", """
            lead_id,created_at
            L1,2026-01-05T09:00:00Z
            L2,2026-01-06T00:00:00Z
            L3,2026-01-07T00:00:00Z
            L4,2026-01-08T00:00:00Z
            L5,2026-01-05T00:00:00Z
            L6,2026-01-06T00:00:00Z
            L7,2026-01-07T00:00:00Z
            """)
        // Social: Meta 100.00 a day on Jan 5-7 and LinkedIn 60.00 on Jan 5 = 360.00.
        try load("social", "meta.csv", """
            Day,Campaign name,Amount spent (USD),Impressions,Link clicks
            2026-01-05,Tet Sale,100.00,10000,100
            2026-01-06,Tet Sale,100.00,10000,100
            2026-01-07,Tet Sale,100.00,10000,100
            """)
        try load("social", "linkedin.csv", """
            Start Date (in UTC),Campaign Name,Total Spent,Currency,Impressions,Clicks
            1/5/2026,B2B,60.00,USD,2000,20
            """)
        try load("touches", "touches.csv", """
            occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event
            2026-01-05T08:00:00Z,L1,facebook,paid_social,tet_sale,,,visit
            2026-01-09T08:00:00Z,L1,newsletter,email,jan,,,email_open
            2026-01-05T23:00:00Z,L2,facebook,paid_social,tet_sale,,,visit
            2026-01-06T23:00:00Z,L3,,,,https://www.instagram.com/,,visit
            2026-01-07T23:00:00Z,L4,linkedin,cpc,b2b,,,visit
            2026-01-04T10:00:00Z,L5,,,,https://www.google.com/,,visit
            2026-01-06T10:00:00Z,L5,facebook,paid_social,tet_sale,,,visit
            2026-01-05T10:00:00Z,L6,,,,https://www.bing.com/,,visit
            """)
        try load("conversions", "conversions.csv", """
            lead_id,converted_at,revenue,currency,conversion_id
            L1,2026-01-15T09:00:00Z,500.00,USD,O1
            L2,2026-01-09T12:00:00Z,250.00,USD,O2
            L5,2026-01-20T00:00:00Z,1000.00,USD,O3
            L7,2026-01-10T00:00:00Z,100.00,USD,O4
            L7,2026-01-12T00:00:00Z,50.00,USD,O5
            """)
    }
}

@Suite struct ChannelReportTests {
    @Test func handWorkedCase() throws {
        let c = try HandWorkedCase()
        let report = try ChannelReport.compute(c.warehouse)
        #expect(report.currency == Currency("USD"))
        let social = try #require(report.channels.first { $0.channel == "social" })
        // 4 leads first touched on social (L1-L4), 2 of them customers (L1 after 10 days, L2 after 3.5).
        #expect(social.spendMinor == 36_000)
        #expect(social.leads == 4 && social.customers == 2 && social.revenueMinor == 75_000)
        #expect(social.costPerLeadMinor == 36_000.0 / 4)          // 90.00
        #expect(social.conversionRate == 0.5)
        #expect(social.costPerAcquisitionMinor == 36_000.0 / 2)   // 180.00
        #expect(social.returnOnAdSpend == 750.0 / 360.0)
        #expect(social.medianDaysToConvert == (3.5 + 10) / 2)
        // L5 and L6 were first touched from search engines: SEO, whose costs were not imported.
        let other = try #require(report.channels.first { $0.channel == "seo" })
        #expect(other.leads == 2 && other.customers == 1 && other.revenueMinor == 100_000 && other.spendMinor == nil)
        #expect(other.costPerLeadMinor == nil && other.returnOnAdSpend == nil && other.medianDaysToConvert == 15)
        // L7 has no touch: direct. Two conversions: revenue 150.00, days from the first one.
        let direct = try #require(report.channels.first { $0.channel == "direct" })
        #expect(direct.leads == 1 && direct.customers == 1 && direct.revenueMinor == 15_000 && direct.medianDaysToConvert == 3)
        let t = report.total
        #expect(t.spendMinor == 36_000 && t.leads == 7 && t.customers == 4 && t.revenueMinor == 190_000)
        #expect(t.conversionRate == 4.0 / 7.0)
        #expect(t.medianDaysToConvert == (3.5 + 10) / 2)  // of 3, 3.5, 10, 15
    }

    @Test func aPeriodCountsLeadsCreatedInItAndConversionsUpToItsEnd() throws {
        let c = try HandWorkedCase()
        let period = ReportPeriod(from: Day(year: 2026, month: 1, day: 6), to: Day(year: 2026, month: 1, day: 7))
        let report = try ChannelReport.compute(c.warehouse, period: period)
        let social = try #require(report.channels.first { $0.channel == "social" })
        // L2 and L3; L2 converts on Jan 9, after the period. Spend: Meta on Jan 6 and 7.
        #expect(social.leads == 2 && social.customers == 0 && social.spendMinor == 20_000)
        #expect(social.costPerLeadMinor == 10_000 && social.costPerAcquisitionMinor == nil && social.conversionRate == 0)
        #expect(report.total.leads == 4)  // L2, L3, L6, L7
    }

    @Test func anEmptyWarehouseGivesNullsNotInfinities() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: ChannelRegistry.all)
        let report = try ChannelReport.compute(w)
        #expect(report.total.leads == 0 && report.currency == nil)
        let json = report.table.render(.json)
        #expect(!json.contains("inf") && !json.contains("nan"))
        #expect(json.contains("\"cost_per_lead\": null"))
        #expect(report.channels.map(\.channel) == ChannelRegistry.all.map(\.id).sorted())
    }

    @Test func refusesToAddDifferentCurrencies() throws {
        let c = try HandWorkedCase()
        let importer = try Importer(warehouse: c.warehouse, channels: ChannelRegistry.all)
        _ = try importer.importFile(source: "social", path: c.dir.write("eur.csv", "Day,Campaign name,Amount spent (EUR),Impressions\n2026-01-08,Euro,10.00,100\n"))
        #expect(throws: ReportError.mixedCurrencies(["EUR", "USD"])) { try ChannelReport.compute(c.warehouse) }
        // A period with only one currency still works.
        let jan7 = ReportPeriod(from: Day(year: 2026, month: 1, day: 7), to: Day(year: 2026, month: 1, day: 7))
        #expect(try ChannelReport.compute(c.warehouse, period: jan7).currency == Currency("USD"))
    }
}

/// Second route: the same numbers from plain SQL written independently (window functions
/// instead of correlated subqueries) over the bundled demo data.
@Suite struct ChannelReportAgainstPlainSQL {
    @Test func demoDataAgreesWithPlainSQL() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: ChannelRegistry.all)
        // As the demo does: its grouping (a custom channel) first, then every file.
        let groupingFile = try #require(DatasetPlan.grouping(in: packageRoot() + "/datasets/demo"))
        _ = try ChannelGrouping.parse(String(contentsOfFile: groupingFile, encoding: .utf8), fileName: groupingFile,
                                      knownChannels: ChannelGrouping.builtInChannels(ChannelRegistry.all)).apply(to: w, channels: ChannelRegistry.all)
        let importer = try Importer(warehouse: w, channels: ChannelRegistry.all)
        let plan = try DatasetPlan.steps(in: packageRoot() + "/datasets/demo", channels: ChannelRegistry.all)
        // Every data file of the sample, none left out.
        let files = try FileManager.default.subpathsOfDirectory(atPath: packageRoot() + "/datasets/demo").filter { $0.hasSuffix(".csv") || $0.hasSuffix(".tsv") }
        #expect(plan.count == files.count)
        for step in plan {
            let result = try importer.importFile(source: step.source, path: step.path)
            // The sample's deliberate bad rows only (leads, touches, conversions).
            if ["costs"].contains(step.source) || step.path.contains("/paid_search/") { #expect(result.counts.rejected == 0, "\(result.rejects)") }
        }
        let report = try ChannelReport.compute(w)

        struct Expected { var leads = 0, customers = 0; var revenue: Int64 = 0; var spend: Int64?; var days: [Double] = [] }
        var expected: [String: Expected] = [:]
        try w.db.query("""
            WITH ranked AS (
                SELECT lead_id, channel_id, row_number() OVER (PARTITION BY lead_id ORDER BY occurred_at, id) AS rn FROM touchpoints
            ), lead_channel AS (
                SELECT l.id, l.created_at, coalesce(r.channel_id, 'direct') AS channel FROM leads l LEFT JOIN ranked r ON r.lead_id = l.id AND r.rn = 1
            ), bought AS (
                SELECT lead_id, sum(revenue_minor) AS revenue, min(converted_at) AS first_at FROM conversions GROUP BY lead_id
            )
            SELECT channel, count(*), count(b.lead_id), coalesce(sum(b.revenue), 0) FROM lead_channel lc LEFT JOIN bought b ON b.lead_id = lc.id GROUP BY channel
            """) { s in
            expected[s.text(0)!, default: Expected()].leads = Int(s.int(1))
            expected[s.text(0)!]!.customers = Int(s.int(2))
            expected[s.text(0)!]!.revenue = s.int(3)
        }
        try w.db.query("SELECT channel_id, sum(amount_minor) FROM costs GROUP BY channel_id") { s in
            expected[s.text(0)!, default: Expected()].spend = s.int(1)
        }
        #expect(Set(report.channels.map(\.channel)) == Set(expected.keys))
        for row in report.channels {
            let e = try #require(expected[row.channel])
            #expect(row.leads == e.leads && row.customers == e.customers && row.revenueMinor == e.revenue && row.spendMinor == e.spend, "\(row.channel)")
            if let spend = e.spend { #expect(row.costPerLeadMinor == Double(spend) / Double(e.leads)) }
            #expect(row.conversionRate == Double(e.customers) / Double(e.leads))
        }
        #expect(report.total.leads == (try w.db.scalarInt("SELECT count(*) FROM leads")).map(Int.init))
        #expect(report.total.customers == (try w.db.scalarInt("SELECT count(DISTINCT lead_id) FROM conversions")).map(Int.init))
        #expect(report.total.revenueMinor == (try w.db.scalarInt("SELECT sum(revenue_minor) FROM conversions")))
        #expect(report.total.spendMinor == (try w.db.scalarInt("SELECT sum(amount_minor) FROM costs")))
        #expect(report.channels.reduce(0) { $0 + $1.leads } == report.total.leads)
    }
}

@Suite struct KPITests {
    @Test func ratiosAreUndefinedWithoutADenominator() {
        #expect(KPI.ratio(5, 0) == nil)
        #expect(KPI.ratio(0, 5) == 0)
        #expect(KPI.ratio(1, 4) == 0.25)
    }

    @Test func medianOfOddAndEvenCounts() {
        #expect(KPI.median([]) == nil)
        #expect(KPI.median([7]) == 7)
        #expect(KPI.median([9, 1, 5]) == 5)
        #expect(KPI.median([4, 1, 3, 2]) == 2.5)
    }
}

@Suite struct ReportTableTests {
    let usd = Currency("USD")!
    var table: ReportTable {
        ReportTable(columns: [.init("channel", "Channel"), .init("spend", "Spend"), .init("conversion_rate", "Conv."), .init("roas", "ROAS")],
                    rows: [[.text("social"), .money(123_456_7, usd), .fraction(0.0523), .null],
                           [.text("a \"quoted\", name"), .moneyRatio(1234.5, usd), .fraction(1), .decimal(2.005, places: 2)]])
    }

    @Test func tablesAlignNumbersRight() {
        #expect(table.render(.table) == """
            Channel               Spend    Conv.  ROAS
            ----------------  ---------  -------  ----
            social            12,345.67    5.23%
            a "quoted", name      12.35  100.00%  2.01

            """)
    }

    @Test func csvQuotesAndLeavesNullsEmpty() {
        #expect(table.render(.csv) == "channel,spend,conversion_rate,roas\r\nsocial,12345.67,0.052300,\r\n\"a \"\"quoted\"\", name\",12.35,1.000000,2.01\r\n")
    }

    @Test func jsonUsesSnakeCaseKeysNumbersAndNulls() throws {
        let json = table.render(.json)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(parsed.count == 2)
        #expect(parsed[0]["spend"] as? Double == 12345.67)
        #expect(parsed[0]["roas"] is NSNull)
        #expect(parsed[1]["channel"] as? String == "a \"quoted\", name")
    }
}

extension ChannelMetricsReport.Row {
    /// A metric's value, `nil` when undefined.
    func value(_ id: String) -> Double? { values[id] ?? nil }
}

/// `report channel <id>`: each metric aggregated as its definition says, checked by hand.
@Suite struct ChannelMetricsReportTests {
    @Test func searchPositionIsWeightedByImpressionsAndBreakdownsStayOutOfTotals() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: ChannelRegistry.all)
        let importer = try Importer(warehouse: w, channels: ChannelRegistry.all)
        _ = try importer.importFile(source: "seo", path: dir.write("dates.csv", """
            Date,Clicks,Impressions,CTR,Position
            2026-01-05,10,100,10%,10
            2026-01-06,30,300,10%,20
            2026-01-12,5,50,10%,4
            """))
        _ = try importer.importFile(source: "seo", path: dir.write("pages.csv", """
            Date,Page,Clicks,Impressions,CTR,Position
            2026-01-05,/a,8,80,10%,2
            2026-01-06,/a,2,20,10%,6
            """))
        _ = try importer.importFile(source: "seo", path: dir.write("costs.csv", "month,item,amount,currency\n2026-01,Retainer,310.00,USD\n"))
        let seo = ChannelRegistry.channel(id: "seo")!
        let weeks = try ChannelMetricsReport.compute(w, channel: seo, period: ReportPeriod(from: Day(year: 2026, month: 1, day: 5), to: Day(year: 2026, month: 1, day: 18)), by: .week)
        #expect(weeks.rows.map(\.group) == ["2026-01-05", "2026-01-12"])
        let first = weeks.rows[0]
        // Week of Monday 5 Jan: site totals only (the /a page rows are a breakdown).
        #expect(first.value("clicks") == 40 && first.value("impressions") == 400)
        let weighted: Double = (10.0 * 100 + 20 * 300) / 400  // 17.5
        #expect(first.value("position") == weighted)
        #expect(first.value("ctr") == 0.1)
        #expect(first.spendMinor == Int64(7_000))  // 310.00 over 31 days = 10.00 a day, 7 days
        let pages = try ChannelMetricsReport.compute(w, channel: seo, by: .breakdown("page"))
        #expect(pages.rows.map(\.group) == ["/a"])
        let pageWeighted: Double = (2.0 * 80 + 6 * 20) / 100
        #expect(pages.rows[0].value("clicks") == 10 && pages.rows[0].value("position") == pageWeighted)
    }

    @Test func showRateAndCostPerAttendeeByEvent() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: ChannelRegistry.all)
        let importer = try Importer(warehouse: w, channels: ChannelRegistry.all)
        _ = try importer.importFile(source: "events", path: dir.write("events.csv", """
            event_id,event_name,kind,start_date,end_date,cost_item,cost_amount,currency
            E1,Expo,trade_show,2026-01-20,2026-01-21,Booth,900.00,USD
            """))
        _ = try importer.importFile(source: "events", path: dir.write("people.csv", """
            event_id,event_name,email,attended,registered_at,scanned_at
            E1,Expo,a@example.com,yes,2026-01-10T08:00:00Z,2026-01-20T10:00:00Z
            E1,Expo,b@example.com,yes,,2026-01-21T10:00:00Z
            E1,Expo,c@example.com,yes,2026-01-11T08:00:00Z,2026-01-20T11:00:00Z
            E1,Expo,d@example.com,no,2026-01-12T08:00:00Z,
            """))
        let events = ChannelRegistry.channel(id: "events")!
        let result = try ChannelMetricsReport.compute(w, channel: events, by: .campaign)
        let expo = try #require(result.rows.first { $0.group == "Expo" })
        // 4 registrants (3 registrations + 1 walk-in), 3 attendees; 900.00 over 3 attendees.
        #expect(expo.value("registrants") == 4 && expo.value("attendees") == 3)
        #expect(expo.value("show_rate") == 3.0 / 4)
        let perAttendee: Double = 90_000.0 / 3
        #expect(expo.value("cost_per_attendee") == perAttendee)
        #expect(expo.spendMinor == 90_000)
    }
}

/// The channel report reads customers on a second connection to the warehouse file; an
/// in-memory warehouse has none, and gets the same numbers on its one connection.
@Suite struct InMemoryWarehouseReportTests {
    @Test func anInMemoryWarehouseReportsItsCustomers() throws {
        let w = try Warehouse(path: ":memory:", channels: ChannelRegistry.all)
        let importer = try Importer(warehouse: w, channels: ChannelRegistry.all)
        let dir = TemporaryDirectory()
        for (source, text) in [
            ("leads", "lead_id,created_at\nL1,2026-01-05T09:00:00Z\nL2,2026-01-06T09:00:00Z\n"),
            ("touches", "occurred_at,lead_id,utm_source,utm_medium,event\n2026-01-05T08:00:00Z,L1,facebook,paid_social,visit\n"),
            ("conversions", "lead_id,converted_at,revenue,currency\nL1,2026-01-15T09:00:00Z,12.50,USD\nL1,2026-01-20T09:00:00Z,7.50,USD\n"),
        ] {
            #expect(try importer.importFile(source: source, path: dir.write("\(source).csv", text)).rejects.isEmpty)
        }
        let report = try ChannelReport.compute(w)
        let social = try #require(report.channels.first { $0.channel == "social" })
        #expect(social.leads == 1 && social.customers == 1 && social.revenueMinor == 2_000)
        #expect(social.daysToConvert == [10])
        #expect(report.total.leads == 2 && report.total.customers == 1)
    }
}

/// Second route for the channel metrics counted from touches (`leadsTouched`: leads with a touch
/// of some kinds on the channel, once per group): plain SQL over the `touchpoints` view, for
/// every plugin metric of that kind and every grouping, on the demo data.
@Suite struct LeadsTouchedAgainstPlainSQL {
    @Test func everyTouchMetricAgreesWithPlainSQL() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: ChannelRegistry.all)
        let importer = try Importer(warehouse: w, channels: ChannelRegistry.all)
        for step in try DatasetPlan.steps(in: packageRoot() + "/datasets/demo", channels: ChannelRegistry.all) {
            _ = try importer.importFile(source: step.source, path: step.path)
        }
        let groups: [(ChannelMetricsReport.Grouping, String)] = [
            (.day, "date(t.occurred_at, 'unixepoch')"), (.week, "date(t.occurred_at, 'unixepoch', '-6 days', 'weekday 1')"),
            (.month, "strftime('%Y-%m', t.occurred_at, 'unixepoch')"), (.campaign, "coalesce(c.name, '(none)')"),
        ]
        var checked = 0
        for channel in ChannelRegistry.all {
            for metric in channel.metrics {
                guard case .leadsTouched(let kinds) = metric.aggregation else { continue }
                for (grouping, sql) in groups {
                    for period in [ReportPeriod(), ReportPeriod(from: Day(year: 2026, month: 2, day: 1), to: Day(year: 2026, month: 2, day: 20))] {
                        var expected: [String: Double] = [:]
                        let kindList = kinds.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                        try w.db.query("""
                            SELECT \(sql), count(DISTINCT t.lead_id) FROM touchpoints t LEFT JOIN campaigns c ON c.id = t.campaign_id
                            WHERE t.channel_id = ?1 AND t.kind IN (\(kindList)) AND t.occurred_at >= ?2 AND t.occurred_at < ?3 GROUP BY 1
                            """, [.text(channel.id), .integer(period.startSeconds), .integer(period.endSeconds)]) { expected[$0.text(0) ?? ""] = Double($0.int(1)) }
                        let got = try ChannelMetricsReport.leadsTouched(w, channel: channel.id, kinds: Set(kinds), period: period, grouping: grouping)
                        #expect(got == expected, "\(channel.id) \(metric.id) by \(grouping)")
                        #expect(!expected.isEmpty || period.from != nil, "\(channel.id) \(metric.id): the demo has such touches")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked >= 16)
    }
}
