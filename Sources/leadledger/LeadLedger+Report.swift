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
            subcommands: [ChannelsReport.self, ChannelMetrics.self]
        )
    }

    struct ChannelsReport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "channels",
            abstract: "Compare channels: spend, leads, cost per lead, customers, conversion rate, CPA, revenue, ROAS, days to convert.",
            discussion: "Leads count under their first-touch channel. Formulas: docs/kpis.md."
        )

        @OptionGroup var period: PeriodOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var warehouse: WarehouseOptions

        func run() throws {
            let w = try Warehouse(path: warehouse.path, channels: ChannelRegistry.all)
            let comparison = try ChannelReport.compute(w, period: period.reportPeriod)
            print(ChannelsReport.render(comparison, output.format), terminator: "")
        }

        static func render(_ comparison: ChannelComparison, _ format: OutputFormat) -> String {
            let table = comparison.table
            switch format {
            case .json: return table.render(.json)
            case .csv: return table.render(.csv)
            case .table:
                let period = "\(comparison.period.from?.description ?? "start") to \(comparison.period.to?.description ?? "end")"
                let currency = comparison.currency.map { "money in \($0)" } ?? "no money recorded"
                return "Channel comparison, \(period) (\(currency); leads by first touch)\n\n" + table.render(.table)
            }
        }
    }
}

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
            let w = try Warehouse(path: warehouse.path, channels: ChannelRegistry.all)
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
