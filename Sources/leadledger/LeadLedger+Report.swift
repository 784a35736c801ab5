import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ChannelKit
import ChannelRegistry
import Reports
import Warehouse

extension LeadLedger {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reports over the warehouse.",
            subcommands: [ChannelsReport.self, CampaignsReport.self, FunnelCommand.self, CohortsCommand.self, VelocityCommand.self, ChannelMetrics.self]
        )
    }

    struct ChannelsReport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "channels",
            abstract: "Compare channels: spend, clicks, leads, CPL, MQL/SQL, customers, conversion rate (95% interval), CAC, revenue, ROAS, days to convert.",
            discussion: "Leads count under their first-touch channel. Formulas: docs/kpis.md. The table ends with a ranking and a one-line answer."
        )

        @OptionGroup var filters: ReportFilters
        @OptionGroup var output: OutputOptions
        @OptionGroup var warehouse: WarehouseOptions

        func run() throws {
            let w = try warehouse.open()
            let result = try AcquisitionReport.compute(w, filters.options(unit: .channel))
            print(ChannelsReport.render(result, output.format), terminator: "")
        }

        static func render(_ result: AcquisitionReport.Result, _ format: OutputFormat) -> String {
            let table = result.table
            switch format {
            case .json: return table.render(.json)
            case .csv: return table.render(.csv)
            case .table:
                let p = result.options.period
                let span = "\(p.from?.description ?? "start") to \(p.to?.description ?? "end")"
                let currency = result.currency.map { "money in \($0)" } ?? "no money recorded"
                var out = "\(result.options.unit == .campaign ? "Campaign" : "Channel") comparison, \(span) (\(currency); leads by first touch)\n\n"
                out += table.render(.table)
                if let note = spendCoverNote(result) { out += note }
                if result.options.unit == .channel && result.options.interval == nil {
                    out += "\n" + ChannelsReport.comparison(ChannelRanking(result.rows), currency: result.currency)
                }
                return out
            }
        }

        /// Which channels the total's CPL, CAC, ROAS and CPC cover, when not every channel with
        /// leads has known spend.
        static func spendCoverNote(_ result: AcquisitionReport.Result) -> String? {
            guard let basis = result.total.spendBasis, result.total.spendMinor != nil else { return nil }
            let uncovered = Set(result.rows.filter { $0.leads > 0 && !basis.channels.contains($0.channel) }.map(\.channel)).sorted()
            guard !uncovered.isEmpty else { return nil }
            return "Total CPL, CAC, ROAS and CPC cover the channels with known spend (\(basis.channels.joined(separator: ", "))): "
                + "their \(Terminal.grouped(basis.leads)) leads and \(Terminal.grouped(basis.customers)) customers; not \(uncovered.joined(separator: ", ")), whose spend is unknown.\n"
        }

        static func comparison(_ r: ChannelRanking, currency: Currency?) -> String {
            func money(_ v: Double) -> String { currency.map { ReportTable.fixed($0.majorUnits(1) * v, places: $0.minorUnitDigits) } ?? ReportTable.fixed(v, places: 2) }
            func percent(_ v: Double) -> String { ReportTable.fixed(v * 100, places: 1) + "%" }
            var out = ""
            if !r.cheapestLeads.isEmpty { out += "Cheapest leads (CPL):      " + r.cheapestLeads.map { "\($0.channel) \(money($0.value))" }.joined(separator: " < ") + "\n" }
            if !r.cheapestCustomers.isEmpty { out += "Cheapest customers (CAC):  " + r.cheapestCustomers.map { "\($0.channel) \(money($0.value))" }.joined(separator: " < ") + "\n" }
            if !r.bestReturn.isEmpty { out += "Best return (ROAS):        " + r.bestReturn.map { "\($0.channel) \(ReportTable.fixed($0.value, places: 2))" }.joined(separator: " > ") + "\n" }
            if let best = r.best {
                out += "Conversion rate against the best, \(best.channel) \(percent(best.rate)) (two-proportion z-test, 5% level):\n"
                for t in r.tests {
                    let p = t.p.map { $0 < 0.001 ? "p < 0.001" : "p = " + ReportTable.fixed($0, places: 3) } ?? "no test"
                    out += "  \(t.channel) \(percent(t.rate)): \(t.significant ? "lower" : "not significantly different") (\(p))\n"
                }
            }
            if !r.smallSamples.isEmpty { out += "Small samples, not ranked (fewer than 30 leads or 5 customers): \(r.smallSamples.joined(separator: ", "))\n" }
            if let summary = r.summary { out += "\n\(summary)\n" }
            return out
        }
    }

    struct CampaignsReport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "campaigns",
            abstract: "The channel comparison by campaign (leads by their first touch's campaign; costs by the campaign they were booked to)."
        )

        @OptionGroup var filters: ReportFilters
        @OptionGroup var output: OutputOptions
        @OptionGroup var warehouse: WarehouseOptions

        func run() throws {
            let w = try warehouse.open()
            print(ChannelsReport.render(try AcquisitionReport.compute(w, filters.options(unit: .campaign)), output.format), terminator: "")
        }
    }

    struct FunnelCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "funnel",
            abstract: "Leads reaching each lifecycle stage per channel, stage-to-stage rates, median days in each stage, and lead quality."
        )

        @OptionGroup var filters: ReportScope
        @OptionGroup var output: OutputOptions
        @OptionGroup var warehouse: WarehouseOptions

        func run() throws {
            let w = try warehouse.open()
            let rows = try FunnelReport.compute(w, period: filters.period.reportPeriod, channel: filters.channel)
            let stages = FunnelReport.stages
            var columns: [ReportTable.Column] = [.init("channel", "Channel")]
            let counted = ["lead": ("leads", "Leads"), "mql": ("mqls", "MQL"), "sql": ("sqls", "SQL"), "opportunity": ("opportunities", "Opp."), "customer": ("customers", "Cust.")]
            columns += stages.map { .init(counted[$0]!.0, counted[$0]!.1) }
            columns += (0..<4).map { .init("\(stages[$0])_to_\(stages[$0 + 1])", "→\(stages[$0 + 1] == "opportunity" ? "opp" : stages[$0 + 1] == "customer" ? "cust" : stages[$0 + 1])") }
            columns += (0..<4).map { .init("days_in_\(stages[$0])", "days \(stages[$0] == "opportunity" ? "opp" : stages[$0])") }
            columns += [.init("quality_mql", "MQL share"), .init("quality_sql", "SQL share"), .init("quality_customer", "Cust. share")]
            let table = ReportTable(columns: columns, rows: rows.map { r in
                [.text(r.channel)] + r.reached.map(ReportTable.Cell.integer) + r.stageRates.map { $0.map(ReportTable.Cell.fraction) ?? .null }
                    + r.medianDaysInStage.map { $0.map { .decimal($0, places: 1) } ?? .null }
                    + [r.quality.mql, r.quality.sql, r.quality.customer].map { $0.map(ReportTable.Cell.fraction) ?? .null }
            })
            if output.format == .table { print("Funnel by first-touch channel (a lead reaching a stage has passed the ones before)\n") }
            Terminal.print(table, output.format)
        }
    }

    struct CohortsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cohorts",
            abstract: "Leads by arrival month with their cumulative conversion rate by months since arrival."
        )

        @Flag(help: "One cohort per arrival month and first-touch channel.")
        var byChannel = false

        @OptionGroup var filters: ReportScope
        @OptionGroup var output: OutputOptions
        @OptionGroup var warehouse: WarehouseOptions

        func run() throws {
            let w = try warehouse.open()
            let rows = try CohortReport.compute(w, period: filters.period.reportPeriod, byChannel: byChannel, channel: filters.channel)
            let months = rows.map(\.cumulative.count).max() ?? 0
            var columns: [ReportTable.Column] = [.init("month", "Cohort")]
            if byChannel { columns.append(.init("channel", "Channel")) }
            columns.append(.init("leads", "Leads"))
            columns += (0..<months).map { .init("month_\($0)", "M\($0)") }
            let table = ReportTable(columns: columns, rows: rows.map { r in
                [.text(r.month)] + (byChannel ? [.text(r.channel ?? "")] : []) + [.integer(r.leads)]
                    + (0..<months).map { $0 < r.cumulative.count ? .fraction(r.cumulative[$0]) : .null }
            })
            if output.format == .table { print("Cumulative conversion rate by months since arrival (complete months only)\n") }
            Terminal.print(table, output.format)
        }
    }

    struct VelocityCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "velocity",
            abstract: "Lead velocity: qualified leads per month and month-over-month growth."
        )

        @OptionGroup var filters: ReportScope
        @OptionGroup var output: OutputOptions
        @OptionGroup var warehouse: WarehouseOptions

        func run() throws {
            let w = try warehouse.open()
            let (rows, byStage) = try VelocityReport.compute(w, period: filters.period.reportPeriod, channel: filters.channel)
            let table = ReportTable(columns: [.init("month", "Month"), .init("qualified_leads", byStage ? "Qualified leads" : "New leads"), .init("growth", "Growth")],
                                    rows: rows.map { [.text($0.month), .integer($0.qualified), $0.growth.map(ReportTable.Cell.fraction) ?? .null] })
            if output.format == .table {
                print(byStage ? "Lead velocity: leads first reaching MQL or later, per month\n" : "Lead velocity: new leads per month (no stage data imported)\n")
            }
            Terminal.print(table, output.format)
        }
    }
}

/// Period and channel options shared by every report.
struct ReportScope: ParsableArguments {
    @OptionGroup var period: PeriodOptions

    @Option(help: "Only this channel (leads by first touch, its costs and metrics).")
    var channel: String?

    func validate() throws {
        if let channel, ChannelRegistry.channel(id: channel) == nil, !["direct", "other"].contains(channel) {
            throw ValidationError("Unknown channel \"\(channel)\"; expected one of: \((ChannelRegistry.all.map(\.id) + ["direct", "other"]).joined(separator: ", ")).")
        }
    }
}

/// The scope plus the time series and currency options of the channel and campaign reports.
struct ReportFilters: ParsableArguments {
    @OptionGroup var scope: ReportScope

    @Option(help: "Turn the report into a time series: day, week (Monday-based) or month.")
    var by: ReportOptions.Interval?

    @Option(help: "Report money in this currency, converting with the imported exchange rates (leadledger import rates FILE).")
    var currency: String?

    func validate() throws {
        if let currency, Currency(currency) == nil { throw ValidationError("--currency takes an ISO 4217 code such as USD.") }
    }

    func options(unit: ReportOptions.Unit) -> ReportOptions {
        var o = ReportOptions()
        o.period = scope.period.reportPeriod
        o.unit = unit
        o.interval = by
        o.channel = scope.channel
        o.currency = currency.flatMap { Currency($0) }
        return o
    }
}

extension ReportOptions.Interval: ExpressibleByArgument {}

extension LeadLedger {
    struct ChannelMetrics: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "channel",
            abstract: "One channel's own metrics and spend over time, by campaign, or by a breakdown (SEO pages and queries).",
            discussion: "Metric definitions: `leadledger channels`; docs/formats/<channel>.md."
        )

        @Argument(help: "The channel id (see `leadledger channels`).")
        var channel: String

        @Option(help: "Group by day, week (Monday-based), month, campaign, or one of the channel's breakdowns (seo: page, query).")
        var by = "week"

        @OptionGroup var period: PeriodOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var warehouse: WarehouseOptions

        func validate() throws {
            guard let plugin = ChannelRegistry.channel(id: channel) else {
                throw ValidationError("Unknown channel \"\(channel)\"; expected one of: \(ChannelRegistry.all.map(\.id).joined(separator: ", ")).")
            }
            let choices = ["day", "week", "month", "campaign"] + plugin.breakdowns
            guard choices.contains(by) else { throw ValidationError("--by takes one of: \(choices.joined(separator: ", ")).") }
        }

        func run() throws {
            let plugin = ChannelRegistry.channel(id: channel)!
            let grouping: ChannelMetricsReport.Grouping
            switch by {
            case "day": grouping = .day
            case "week": grouping = .week
            case "month": grouping = .month
            case "campaign": grouping = .campaign
            default: grouping = .breakdown(by)
            }
            let w = try warehouse.open()
            let result = try ChannelMetricsReport.compute(w, channel: plugin, period: period.reportPeriod, by: grouping)
            switch output.format {
            case .json: print(result.table.render(.json), terminator: "")
            case .csv: print(result.table.render(.csv), terminator: "")
            case .table:
                print("\(plugin.displayName) by \(by)\(result.currency.map { " (money in \($0))" } ?? "")\n")
                print(result.table.render(.table), terminator: "")
            }
        }
    }
}
