import Foundation
import Testing
import ChannelKit
import ChannelRegistry
import Ingest
import TestSupport
import Warehouse
@testable import Reports

@Suite struct StatisticsTests {
    @Test func wilsonIntervalByHand() throws {
        // 5 of 10: center (0.5 + z²/20)/(1 + z²/10) = 0.5; half = z·√(0.025 + z²/400)/(1 + z²/10) ≈ 0.2634.
        let (low, high) = try #require(Statistics.wilson(successes: 5, trials: 10))
        let z2 = Statistics.z95 * Statistics.z95
        let half = Statistics.z95 * (0.025 + z2 / 400).squareRoot() / (1 + z2 / 10)
        #expect(abs(low - (0.5 - half)) < 1e-12 && abs(high - (0.5 + half)) < 1e-12)
        #expect(abs(low - 0.2366) < 1e-4 && abs(high - 0.7634) < 1e-4)
        #expect(Statistics.wilson(successes: 0, trials: 0) == nil)
        #expect(Statistics.wilson(successes: 0, trials: 20)!.low == 0)
    }

    @Test func quantileInterpolatesBetweenRanks() {
        #expect(Statistics.quantile((1...10).map(Double.init), 0.9) == 9.1)  // position 8.1
        #expect(Statistics.quantile([4], 0.9) == 4)
        #expect(Statistics.quantile([], 0.5) == nil)
        #expect(Statistics.quantile([1, 2, 3, 4], 0.5) == 2.5)
    }

    @Test func twoProportionTestByHand() throws {
        // 30/100 vs 50/100: pooled 0.4, se = √(0.4·0.6·0.02) = 0.069282, z = −2.8868, p ≈ 0.0039.
        let (z, p) = try #require(Statistics.twoProportion(30, 100, 50, 100))
        #expect(abs(z - (-0.2 / (0.4 * 0.6 * 0.02).squareRoot())) < 1e-12)
        #expect(abs(p - 0.003892) < 1e-5)
        #expect(Statistics.twoProportion(0, 10, 0, 10) == nil)
    }
}

/// The seven-lead case of ChannelReportTests with stages and channel metrics added.
struct StagedCase {
    let base: HandWorkedCase
    var warehouse: Warehouse { base.warehouse }

    init() throws {
        base = try HandWorkedCase()
        let importer = try Importer(warehouse: base.warehouse, channels: ChannelRegistry.all)
        let r = try importer.importFile(source: "stages", path: base.dir.write("stages.csv", """
            lead_id,stage,changed_at
            L1,mql,2026-01-07T09:00:00Z
            L1,sql,2026-01-10T09:00:00Z
            L2,mql,2026-01-07T00:00:00Z
            L5,opportunity,2026-01-15T00:00:00Z
            """))
        precondition(r.rejects.isEmpty, "\(r.rejects)")
    }
}

@Suite struct FullChannelReportTests {
    @Test func clicksCTRQualifiedLeadsAndPercentiles() throws {
        let c = try StagedCase()
        let result = try AcquisitionReport.compute(c.warehouse, ReportOptions())
        let social = try #require(result.rows.first { $0.channel == "social" })
        // Meta: 3 × 10,000 impressions and 100 clicks; LinkedIn: 2,000 and 20.
        #expect(social.impressions == 32_000 && social.clicks == 320)
        #expect(social.clickThroughRate == 320.0 / 32_000)
        #expect(social.costPerClickMinor == 36_000.0 / 320)
        // L1 reached SQL (so MQL too), L2 MQL: 2 MQLs, 1 SQL.
        #expect(social.mqls == 2 && social.sqls == 1)
        // Days to convert 10 and 3.5: p90 at position 0.9 → 3.5 + 0.9 × 6.5.
        #expect(abs(social.p90DaysToConvert! - (3.5 + 0.9 * 6.5)) < 1e-12)
        let wilson = try #require(Statistics.wilson(successes: 2, trials: 4))
        #expect(social.conversionInterval! == wilson)
        #expect(social.isSmallSample)
        // L5 (seo) reached opportunity: counts as MQL and SQL.
        let seo = try #require(result.rows.first { $0.channel == "seo" })
        #expect(seo.mqls == 1 && seo.sqls == 1)
        #expect(result.total.mqls == 3 && result.total.sqls == 2)
    }

    @Test func campaignsAddUpToTheirChannelAndMatchPlainSQL() throws {
        let c = try StagedCase()
        var options = ReportOptions()
        options.unit = .campaign
        let campaigns = try AcquisitionReport.compute(c.warehouse, options)
        let channels = try AcquisitionReport.compute(c.warehouse, ReportOptions())
        for channel in channels.rows {
            let parts = campaigns.rows.filter { $0.channel == channel.channel }
            #expect(parts.reduce(0) { $0 + $1.leads } == channel.leads, "\(channel.channel)")
            #expect(parts.compactMap(\.spendMinor).reduce(0, +) == channel.spendMinor ?? 0, "\(channel.channel)")
        }
        // Second route: spend by campaign in plain SQL.
        var expected: [String: Int64] = [:]
        try c.warehouse.db.query("SELECT k.name, sum(c.amount_minor) FROM costs c JOIN campaigns k ON k.id = c.campaign_id GROUP BY k.name") {
            expected[$0.text(0)!] = $0.int(1)
        }
        for (name, spend) in expected { #expect(campaigns.rows.first { $0.campaign == name }?.spendMinor == spend, "\(name)") }
        // Leads by the campaign of their first touch: L1 and L2 on Meta's "tet_sale" tag (the Tet Sale campaign), L4 on b2b.
        #expect(campaigns.rows.first { $0.campaign == "Tet Sale" }?.leads == 2)
        #expect(campaigns.rows.first { $0.campaign == "B2B" }?.leads == 1)
    }

    @Test func timeSeriesSplitsByPeriodAndChannelFilters() throws {
        let c = try StagedCase()
        var options = ReportOptions()
        options.interval = .day
        options.channel = "social"
        let days = try AcquisitionReport.compute(c.warehouse, options)
        #expect(days.rows.allSatisfy { $0.channel == "social" })
        #expect(days.rows.map(\.period) == ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08"])
        // 5 January: Meta 100.00 + LinkedIn 60.00, and L1.
        let fifth = days.rows[0]
        #expect(fifth.spendMinor == 16_000 && fifth.leads == 1 && fifth.customers == 1)
        options.interval = .week
        let weeks = try AcquisitionReport.compute(c.warehouse, options)
        #expect(weeks.rows.map(\.period) == ["2026-01-05"])  // a Monday
        #expect(ReportOptions.key(Day(year: 2026, month: 1, day: 11)!, .week) == "2026-01-05")
        #expect(ReportOptions.key(Day(year: 2026, month: 1, day: 12)!, .week) == "2026-01-12")
    }

    @Test func rankingSaysWhichChannelIsBetter() {
        let rows = [
            ChannelKPIs(channel: "a", displayName: "A", spendMinor: 10_000, leads: 200, customers: 60, revenueMinor: 50_000),
            ChannelKPIs(channel: "b", displayName: "B", spendMinor: 4_000, leads: 200, customers: 20, revenueMinor: 10_000),
            ChannelKPIs(channel: "c", displayName: "C", spendMinor: 100, leads: 10, customers: 1, revenueMinor: 100),
        ]
        let r = ChannelRanking(rows)
        #expect(r.smallSamples == ["c"])
        #expect(r.cheapestLeads.map(\.channel) == ["b", "a"])
        #expect(r.best?.channel == "a")
        #expect(r.tests.count == 1 && r.tests[0].channel == "b" && r.tests[0].significant)
        #expect(r.summary == "B brings the cheapest leads; a converts best; b costs most per customer; a returns the most per unit spent.")
    }

    @Test func moneyInOtherCurrenciesNeedsRates() throws {
        let c = try StagedCase()
        let importer = try Importer(warehouse: c.warehouse, channels: ChannelRegistry.all)
        _ = try importer.importFile(source: "social", path: c.base.dir.write("vnd.csv", "Day,Campaign name,Amount spent (VND),Impressions\n2026-01-06,Zalo ads,2500000,100\n"))
        #expect(throws: ReportError.mixedCurrencies(["USD", "VND"])) { try AcquisitionReport.compute(c.warehouse, ReportOptions()) }
        var options = ReportOptions()
        options.currency = Currency("USD")
        #expect(throws: ReportError.missingRate(from: "VND", to: "USD", day: "2026-01-06")) { try AcquisitionReport.compute(c.warehouse, options) }
        // 1 USD = 25,000 VND from 1 January: 2,500,000 VND = 100.00 USD (the inverse pair works too).
        _ = try importer.importFile(source: "rates", path: c.base.dir.write("rates.csv", "day,currency,target,rate\n2026-01-01,USD,VND,25000\n"))
        let converted = try AcquisitionReport.compute(c.warehouse, options)
        #expect(converted.rows.first { $0.channel == "social" }?.spendMinor == Int64(36_000 + 10_000))
        #expect(converted.currency == Currency("USD"))
    }

    @Test func edgeCasesStayDefined() throws {
        let c = try StagedCase()
        // A conversion recorded before the lead's first touch still counts under that channel,
        // with 0 days to convert when it also precedes the lead's creation.
        let importer = try Importer(warehouse: c.warehouse, channels: ChannelRegistry.all)
        _ = try importer.importFile(source: "leads", path: c.base.dir.write("l8.csv", "lead_id,created_at\nL8,2026-01-09T00:00:00Z\n"))
        _ = try importer.importFile(source: "touches", path: c.base.dir.write("t8.csv", "occurred_at,lead_id,event\n2026-01-12T00:00:00Z,L8,visit\n"))
        _ = try importer.importFile(source: "conversions", path: c.base.dir.write("c8.csv", "lead_id,converted_at,revenue,currency\nL8,2026-01-08T00:00:00Z,5.00,USD\n"))
        let result = try AcquisitionReport.compute(c.warehouse, ReportOptions())
        let direct = try #require(result.rows.first { $0.channel == "direct" })
        #expect(direct.leads == 2 && direct.customers == 2 && direct.daysToConvert.contains(0))
        // A period with spend but no leads: CPL undefined, not zero or infinite.
        var options = ReportOptions()
        options.period = ReportPeriod(from: Day(year: 2026, month: 1, day: 5), to: Day(year: 2026, month: 1, day: 5))
        options.channel = "social"
        let fifth = try AcquisitionReport.compute(c.warehouse, options)
        let social = try #require(fifth.rows.first)
        #expect(social.leads == 1 && social.costPerLeadMinor == 16_000)
        options.period = ReportPeriod(from: Day(year: 2026, month: 1, day: 9), to: Day(year: 2026, month: 1, day: 9))
        let none = try AcquisitionReport.compute(c.warehouse, options)
        #expect(none.rows.first?.leads == 0 && none.rows.first?.costPerLeadMinor == nil && none.rows.first?.conversionInterval == nil)
    }
}

@Suite struct FunnelCohortVelocityTests {
    @Test func funnelCountsRatesAndTimeInStage() throws {
        let c = try StagedCase()
        let rows = try FunnelReport.compute(c.warehouse)
        let social = try #require(rows.first { $0.channel == "social" })
        // L1: lead → mql (Jan 7 09:00) → sql (Jan 10 09:00) → customer (Jan 15 09:00, its conversion).
        // L2: mql (Jan 7 00:00) → customer (Jan 9 12:00). Reaching customer means having passed
        // SQL and opportunity, so both count there. L3, L4: leads only.
        #expect(social.reached == [4, 2, 2, 2, 2])
        #expect(social.stageRates == [0.5, 1, 1, 1])
        // Days lead → MQL: L1 2 (Jan 5 09:00 → Jan 7 09:00), L2 1 (Jan 6 → Jan 7): median 1.5.
        #expect(social.medianDaysInStage[0] == 1.5)
        // MQL → SQL: only L1, 3 days.
        #expect(social.medianDaysInStage[1] == 3)
        #expect(social.quality.mql == 0.5 && social.quality.customer == 0.5)
    }

    /// Cases the demo data cannot show, on a warehouse written by hand.
    @Test func anOpportunityAfterTheConversionIsLeftOutOfOpportunityToCustomerDays() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: ChannelRegistry.all)
        let importer = try Importer(warehouse: w, channels: ChannelRegistry.all)
        for (source, text) in [
            ("leads", "lead_id,created_at\nEARLY,2026-01-01T00:00:00Z\nLATE,2026-01-01T00:00:00Z\nAGAIN,2026-01-01T00:00:00Z\n"),
            // EARLY: opportunity 5 Jan, bought 9 Jan (4 days). LATE: bought 10 Jan, opportunity recorded
            // on 20 Jan, after it. AGAIN: opportunity 2 Jan, bought 8 Jan (6 days).
            ("stages", "lead_id,stage,changed_at\nEARLY,opportunity,2026-01-05T00:00:00Z\nLATE,opportunity,2026-01-20T00:00:00Z\nAGAIN,opportunity,2026-01-02T00:00:00Z\n"),
            ("conversions", "lead_id,converted_at,revenue,currency\nEARLY,2026-01-09T00:00:00Z,1.00,USD\nLATE,2026-01-10T00:00:00Z,1.00,USD\nAGAIN,2026-01-08T00:00:00Z,1.00,USD\n"),
        ] {
            #expect(try importer.importFile(source: source, path: dir.write("\(source).csv", text)).rejects.isEmpty)
        }
        let direct = try #require(try FunnelReport.compute(w).first)
        #expect(direct.reached == [3, 3, 3, 3, 3])
        // The median of 4 and 6 days; LATE's −10 days would make it 4.
        #expect(direct.medianDaysInStage[3] == 5)
    }

    @Test func velocityKeepsEmptyMonthsAndFiltersByTheQualifyingDay() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: ChannelRegistry.all)
        let importer = try Importer(warehouse: w, channels: ChannelRegistry.all)
        for (source, text) in [
            ("leads", "lead_id,created_at\nA,2025-12-20T00:00:00Z\nB,2026-01-01T00:00:00Z\nC,2026-01-02T00:00:00Z\nD,2026-01-03T00:00:00Z\n"),
            // Qualified: A and B in January, none in February, C and D in March.
            ("stages", "lead_id,stage,changed_at\nA,mql,2026-01-05T00:00:00Z\nB,sql,2026-01-31T23:59:59Z\nC,mql,2026-03-01T00:00:00Z\nD,mql,2026-03-02T00:00:00Z\n"),
        ] {
            #expect(try importer.importFile(source: source, path: dir.write("\(source).csv", text)).rejects.isEmpty)
        }
        let (rows, _) = try VelocityReport.compute(w)
        // February is a month with no qualified lead: −100 %, and March's growth on 0 is undefined.
        #expect(rows == [.init(month: "2026-01", qualified: 2, growth: nil), .init(month: "2026-02", qualified: 0, growth: -1),
                         .init(month: "2026-03", qualified: 2, growth: nil)])
        // A was created in December but qualified in January: a January range counts it.
        let january = try VelocityReport.compute(w, period: ReportPeriod(from: Day(year: 2026, month: 1, day: 1), to: Day(year: 2026, month: 1, day: 31))).rows
        #expect(january == [.init(month: "2026-01", qualified: 2, growth: nil)])
    }

    @Test func cohortsAreCumulativeAndOnlyForCompleteMonths() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.file("w.sqlite"), channels: ChannelRegistry.all)
        let importer = try Importer(warehouse: w, channels: ChannelRegistry.all)
        _ = try importer.importFile(source: "leads", path: dir.write("l.csv", """
            lead_id,created_at
            A,2026-01-10T00:00:00Z
            B,2026-01-20T00:00:00Z
            C,2026-01-25T00:00:00Z
            D,2026-01-30T00:00:00Z
            E,2026-02-05T00:00:00Z
            """))
        _ = try importer.importFile(source: "conversions", path: dir.write("c.csv", """
            lead_id,converted_at,revenue,currency
            A,2026-01-15T00:00:00Z,1.00,USD
            B,2026-02-15T00:00:00Z,1.00,USD
            C,2026-03-31T23:00:00Z,1.00,USD
            E,2026-03-01T00:00:00Z,1.00,USD
            """))
        let rows = try CohortReport.compute(w)
        // The data ends on 31 March: January to March are complete months.
        #expect(rows.map(\.month) == ["2026-01", "2026-02"])
        #expect(rows[0].leads == 4 && rows[0].cumulative == [0.25, 0.5, 0.75])
        #expect(rows[1].leads == 1 && rows[1].cumulative == [0, 1])
    }

    @Test func velocityIsMonthOverMonthGrowthOfQualifiedLeads() throws {
        let c = try StagedCase()
        let importer = try Importer(warehouse: c.warehouse, channels: ChannelRegistry.all)
        _ = try importer.importFile(source: "stages", path: c.base.dir.write("feb.csv", """
            lead_id,stage,changed_at
            L3,mql,2026-02-01T00:00:00Z
            L4,mql,2026-02-02T00:00:00Z
            L6,sql,2026-02-03T00:00:00Z
            L7,mql,2026-02-04T00:00:00Z
            L7,sql,2026-01-31T00:00:00Z
            """))
        let (rows, byStage) = try VelocityReport.compute(c.warehouse)
        #expect(byStage)
        // January: L1, L2, L5, L7 (its first qualifying change); February: L3, L4, L6.
        #expect(rows == [.init(month: "2026-01", qualified: 4, growth: nil), .init(month: "2026-02", qualified: 3, growth: -0.25)])
    }
}
