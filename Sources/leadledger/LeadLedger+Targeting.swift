import ArgumentParser
import ChannelKit
import ChannelRegistry
import Foundation
import Reports
import Targeting
import Warehouse

/// Finds a file given on the command line, else the default under `datasets/` of this checkout.
func datasetFile(_ given: String?, _ name: String) -> String? {
    if let given { return given }
    return ["datasets/" + name, LeadLedger.Demo.sourceRoot() + "/datasets/" + name].first { FileManager.default.fileExists(atPath: $0) }
}

extension LeadLedger {
    struct Score: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score leads, grade them hot / warm / cold / dormant, and check how well the grades predict conversion.",
            discussion: "Rules: --rules FILE, else datasets/scoring-rules.json, else the built-in defaults. Formulas: docs/scoring.md."
        )

        @Option(help: "Score as of the end of this day (default: the day of the latest touch or conversion).")
        var asOf: Day?

        @Option(help: "Show only the N highest scores.")
        var top: Int?

        @Option(help: "Show only hot, warm, cold or dormant leads.")
        var temperature: String?

        @Option(help: "Scoring rules (JSON).")
        var rules: String?

        @Flag(name: .customLong("validate"), help: "Instead of the list: grade leads as of --as-of, then show each grade's conversion rate over the next --horizon days.")
        var checkPredictions = false

        @Option(help: "Days after --as-of in which a conversion counts, with --validate.")
        var horizon = 30

        @OptionGroup var output: OutputOptions
        @OptionGroup var warehouse: WarehouseOptions

        func validate() throws {
            if let temperature, Targeting.Temperature(rawValue: temperature) == nil { throw ValidationError("--temperature takes hot, warm, cold or dormant.") }
            if let top, top < 1 { throw ValidationError("--top must be at least 1.") }
            if horizon < 1 { throw ValidationError("--horizon must be at least 1 day.") }
        }

        func run() throws {
            var scoring = ScoringRules.standard
            if let file = datasetFile(rules, "scoring-rules.json") {
                guard let data = FileManager.default.contents(atPath: file) else { throw CommandError("cannot read \(file)") }
                do { scoring = try ScoringRules.load(data) } catch { throw CommandError("\(file): \(error)") }
            }
            let w = try warehouse.open()
            guard let day = try asOf ?? LeadScorer.latestDay(w) else { throw CommandError("the warehouse has no touches or conversions to score") }
            let scorer = LeadScorer(rules: scoring)
            if checkPredictions {
                let v = try TemperatureValidation.compute(w, scorer: scorer, asOf: day, horizonDays: horizon)
                let table = ReportTable(columns: [.init("temperature", "Temperature"), .init("leads", "Leads"), .init("converted", "Converted"),
                                                  .init("conversion_rate", "Conv. rate")],
                                        rows: v.rows.map { [.text($0.temperature.rawValue), .integer($0.leads), .integer($0.converted), $0.rate.map(ReportTable.Cell.fraction) ?? .null] })
                if output.format == .table { print("Temperatures as of \(day), conversions in the \(horizon) days after\n") }
                Terminal.print(table, output.format)
                return
            }
            var scores = try scorer.scores(w, asOf: day)
            if let temperature { scores = scores.filter { $0.temperature.rawValue == temperature } }
            scores.sort { ($0.score, $1.key) > ($1.score, $0.key) }
            let counts = Dictionary(grouping: scores, by: \.temperature).mapValues(\.count)
            if let top { scores = Array(scores.prefix(top)) }
            let table = ReportTable(
                columns: [.init("lead", "Lead"), .init("score", "Score"), .init("temperature", "Temperature"), .init("signals", "Signals"),
                          .init("last_touch_at", "Last touch"), .init("last_touch_channel", "Channel"), .init("last_touch_kind", "Kind")],
                rows: scores.map { s in
                    [.text(s.key), .decimal(s.score, places: 1), .text(s.temperature.rawValue),
                     .text(s.signals.prefix(4).map { "\($0.kind)×\($0.count)" }.joined(separator: " ")),
                     s.lastTouch.map { .text($0.at.description) } ?? .null, s.lastTouch.map { .text($0.channel) } ?? .null,
                     s.lastTouch.map { .text($0.kind) } ?? .null]
                })
            if output.format == .table {
                let summary = Targeting.Temperature.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
                print("Leads as of \(day) (customers excluded): \(summary)\n")
            }
            Terminal.print(table, output.format)
        }
    }

    struct Segments: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Target segments and their KPIs; which channels reach the targets; the buyer persona.",
            subcommands: [SegmentsReport.self, SegmentChannelsReport.self, PersonaReport.self],
            defaultSubcommand: SegmentsReport.self
        )
    }

    struct SegmentsReport: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "report", abstract: "Per segment: leads, share, customers, conversion rate, apportioned CPL and CAC, top channels.")

        @OptionGroup var definitions: SegmentDefinitions
        @OptionGroup var output: OutputOptions
        @OptionGroup var warehouse: WarehouseOptions

        func run() throws {
            let report = try SegmentReport.compute(try warehouse.open(), segments: try definitions.load())
            func money(_ minor: Double?) -> ReportTable.Cell {
                guard let minor else { return .null }
                return report.currency.map { .moneyRatio(minor, $0) } ?? .decimal(minor, places: 2)
            }
            let table = ReportTable(
                columns: [.init("segment", "Segment"), .init("target", "Target"), .init("leads", "Leads"), .init("share", "Share"),
                          .init("customers", "Customers"), .init("conversion_rate", "Conv. rate"), .init("cost_per_lead", "CPL"),
                          .init("cost_per_acquisition", "CAC"), .init("top_channels", "Top channels")],
                rows: report.rows.map { r in
                    [.text(r.name), .text(r.target ? "yes" : "no"), .integer(r.leads), r.share.map(ReportTable.Cell.fraction) ?? .null,
                     .integer(r.customers), r.conversionRate.map(ReportTable.Cell.fraction) ?? .null, money(r.costPerLeadMinor),
                     money(r.costPerCustomerMinor), .text(r.topChannels.map { "\($0.channel) \($0.leads)" }.joined(separator: ", "))]
                })
            if output.format == .table { print("Segments (CPL and CAC apportioned through each lead's first-touch channel)\n") }
            Terminal.print(table, output.format)
            if output.format == .table { print("\nWhich channels reach the targets: leadledger segments channels") }
        }
    }

    struct SegmentChannelsReport: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "channels", abstract: "Which channels reach the targets: per first-touch channel, its leads split into targets and potential only.")

        @OptionGroup var definitions: SegmentDefinitions
        @OptionGroup var output: OutputOptions
        @OptionGroup var warehouse: WarehouseOptions

        func run() throws {
            let report = try SegmentReport.compute(try warehouse.open(), segments: try definitions.load())
            let table = ReportTable(
                columns: [.init("channel", "Channel"), .init("leads", "Leads"), .init("target_leads", "Target leads"),
                          .init("potential_only", "Potential only"), .init("target_share", "Target share")],
                rows: report.channels.map { c in
                    [.text(c.channel), .integer(c.leads), .integer(c.targets), .integer(c.potentialOnly), c.targetShare.map(ReportTable.Cell.fraction) ?? .null]
                })
            if output.format == .table {
                let targets = report.rows.filter(\.target).map(\.name)
                print("Which channels reach our targets (leads by first-touch channel; targets: \(targets.isEmpty ? "no segment is marked as a target" : targets.joined(separator: ", ")))\n")
            }
            Terminal.print(table, output.format)
        }
    }

    /// The segment definitions a segments command reads.
    struct SegmentDefinitions: ParsableArguments {
        @Option(help: "Segment definitions (JSON); default datasets/segments.json.")
        var segments: String?

        func load() throws -> [Segment] {
            guard let file = datasetFile(segments, "segments.json"), let data = FileManager.default.contents(atPath: file) else {
                throw CommandError("no segments file: pass --segments FILE (see docs/scoring.md for the format)")
            }
            do { return try Segment.load(data) } catch { throw CommandError("\(file): \(error)") }
        }
    }

    struct PersonaReport: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "persona", abstract: "The buyer persona: attribute values over-represented among customers (lift, with counts).")

        @Option(help: "Only leads whose first touch was on this channel.")
        var channel: String?

        @Option(help: "In the table, leave out values held by fewer customers than this (JSON and CSV list every value).")
        var minCustomers = 5

        @OptionGroup var output: OutputOptions
        @OptionGroup var warehouse: WarehouseOptions

        func run() throws {
            let w = try warehouse.open()
            let persona = try Persona.compute(w, channel: channel)
            // People read the over-represented values; machines get every value with its counts.
            let shown = output.format == .table ? persona.overRepresented(minimumCustomers: minCustomers) : persona.traits
            let table = ReportTable(
                columns: [.init("attribute", "Attribute"), .init("value", "Value"), .init("lift", "Lift"), .init("customers", "Customers"),
                          .init("customer_share", "Share of customers"), .init("leads", "Leads"), .init("lead_share", "Share of leads")],
                rows: shown.map { t in
                    [.text(t.attribute), .text(t.value), t.lift.map { .decimal($0, places: 2) } ?? .null, .integer(t.customers),
                     t.customerShare.map(ReportTable.Cell.fraction) ?? .null,
                     .integer(t.leads), .fraction(t.leadShare)]
                })
            if output.format == .table {
                print("Buyer persona\(channel.map { " (\($0))" } ?? ""): values over-represented among \(persona.customers) customers\n")
            }
            Terminal.print(table, output.format)
        }
    }
}
