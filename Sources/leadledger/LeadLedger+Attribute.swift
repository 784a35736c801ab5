import ArgumentParser
import Attribution
import ChannelKit
import ChannelRegistry
import Reports
import Warehouse
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LeadLedger {
    struct Attribute: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Credit conversions to channels or campaigns with multi-touch attribution models.",
            discussion: """
                Models: first, last, linear, time-decay, position, w-shaped, full-path, markov, shapley, or all. \
                Each conversion's journey is the lead's touches in the lookback window before it; leads that never \
                converted are null paths (Markov). Formulas and defaults: docs/attribution.md. With --paths FILE, the \
                journeys come from an aggregated path file (path;total_conversions;total_conversion_value;total_null) \
                and the models that need no timestamps or stages run on it.
                """
        )

        static let modelIDs = ["first", "last", "linear", "time-decay", "position", "w-shaped", "full-path", "markov", "shapley"]

        @Option(help: "first, last, linear, time-decay, position, w-shaped, full-path, markov, shapley, or all.")
        var model = "all"

        @Option(help: "Credit channels or campaigns.")
        var by = "channel"

        @Option(help: "Ignore touches more than this many days before the conversion.")
        var lookback = 90

        @Flag(help: "Count impressions as touches (left out by default).")
        var includeImpressions = false

        @Option(help: "Time decay: days for a touch's weight to halve.")
        var halfLife = 7.0

        @Option(help: "Position based: weight of the first touch.")
        var firstWeight = 0.4

        @Option(help: "Position based: weight of the last touch.")
        var lastWeight = 0.4

        @Option(help: "W-shaped and full-path: weight of each anchor touch (default 0.3 and 0.225).")
        var anchorWeight: Double?

        @Option(help: "Markov: order of the chain (1 to 8).")
        var order = 1

        @Option(help: "Path transform for every model: unique, exposure, first, frequency (default: exposure for Markov, unique otherwise).")
        var transform: String?

        @Option(help: "Remove these units (comma-separated) from paths unless a path is only them.")
        var removeIfNotAll: String?

        @Option(help: "Remove these units (comma-separated) from the end of paths unless a path is only them.")
        var removeIfLastAndNotAll: String?

        @Option(help: "Keep only the last N steps of each path.")
        var maxPath: Int?

        @Flag(help: "Markov: print removal effects, the conversion probability and (order 1) the transition matrix.")
        var details = false

        @Flag(help: "Print how long reading the journeys and each model took (to standard error).")
        var timings = false

        @Option(help: "Read aggregated journeys from this file instead of the warehouse.")
        var paths: String?

        @Option(help: "Field separator of --paths files.")
        var separator = ";"

        @OptionGroup var period: PeriodOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var warehouse: WarehouseOptions

        func validate() throws {
            guard model == "all" || Self.modelIDs.contains(model) else {
                throw ValidationError("Unknown model \"\(model)\"; expected one of: \(Self.modelIDs.joined(separator: ", ")), all.")
            }
            guard ["channel", "campaign"].contains(by) else { throw ValidationError("--by takes channel or campaign.") }
            if let transform { guard ["unique", "exposure", "first", "frequency"].contains(transform) else {
                throw ValidationError("--transform takes unique, exposure, first or frequency.")
            } }
            if let maxPath, maxPath < 1 { throw ValidationError("--max-path must be at least 1.") }
            if separator.count != 1 { throw ValidationError("--separator must be one character.") }
            if paths != nil, ["time-decay", "w-shaped", "full-path"].contains(model) {
                throw ValidationError("\(model) needs touch times or stages, which a --paths file does not have; use first, last, linear, position, markov or shapley.")
            }
        }

        func models(fromFile: Bool) throws -> [any AttributionModel] {
            var all: [any AttributionModel] = [
                FirstTouchModel(), LastTouchModel(), LinearModel(), try TimeDecayModel(halfLifeDays: halfLife),
                try PositionBasedModel(first: firstWeight, last: lastWeight),
                try StageAnchoredModel(.wShaped, anchorWeight: anchorWeight), try StageAnchoredModel(.fullPath, anchorWeight: anchorWeight),
                try MarkovModel(order: order), ShapleyModel(),
            ]
            if fromFile { all.removeAll { ["time-decay", "w-shaped", "full-path"].contains($0.id) } }
            return model == "all" ? all : all.filter { $0.id == model }
        }

        func run() throws {
            let clock = ContinuousClock()
            var phaseStart = clock.now
            func lap(_ what: String) {
                guard timings else { return }
                let d = phaseStart.duration(to: clock.now).components
                Terminal.writeErr("\(what): \(ReportTable.fixed(Double(d.seconds) + Double(d.attoseconds) * 1e-18, places: 3)) s\n")
                phaseStart = clock.now
            }
            let chosen = try models(fromFile: paths != nil)
            var units: UnitTable
            var journeys: [Journey]
            var spend: [String: Int64] = [:]
            var currency: Currency?
            if let paths {
                guard let text = try? String(contentsOfFile: paths, encoding: .utf8) else { throw CommandError("cannot read \(paths)") }
                do {
                    (units, journeys) = try PathFile.parse(text, separator: Character(separator))
                } catch {
                    throw CommandError("\(paths): \(error)")
                }
            } else {
                var options = JourneyOptions()
                options.unit = by == "campaign" ? .campaign : .channel
                options.lookbackDays = lookback
                if includeImpressions { options.kinds.insert(.impression) }
                options.from = period.from
                options.to = period.to
                options.nullPaths = chosen.contains { $0.readsNullPaths }
                options.stepTimes = chosen.contains { $0.readsStepTimes }
                let w = try warehouse.open()
                let set = try JourneyReader.read(w, options)
                (units, journeys, currency) = (set.units, set.journeys, set.currency)
                spend = try JourneyReader.spend(w, options)
                for name in spend.keys { _ = units.id(for: name) }
            }
            func unitSet(_ list: String?) -> Set<Int32>? {
                list.map { Set($0.split(separator: ",").map { units.id(for: String($0).trimmingCharacters()) }) }
            }
            var transforms: [PathTransform] = []
            switch transform {
            case "exposure": transforms.append(.exposure)
            case "first": transforms.append(.first)
            case "frequency": transforms.append(.frequency)
            default: break
            }
            if let set = unitSet(removeIfNotAll) { transforms.append(.removeIfNotAll(set)) }
            if let set = unitSet(removeIfLastAndNotAll) { transforms.append(.removeIfLastAndNotAll(set)) }
            let runner = AttributionRun(transforms: transform == nil && transforms.isEmpty ? nil : (transform == nil ? [.unique] + transforms : transforms),
                                        maxLength: maxPath)
            lap("read \(journeys.count) journeys")
            var results: [AttributionRun.ModelResult] = []
            for model in chosen {
                results += try runner.run([model], journeys: journeys, units: units.count)
                lap("model \(model.id)")
            }
            let table = AttributionTable(units: units, results: results, spend: spend, currency: currency, unitKey: by,
                                         totalConversions: journeys.reduce(0) { $0 + $1.conversions })
            switch output.format {
            case .json: print(table.long.render(.json), terminator: "")
            case .csv: print(table.long.render(.csv), terminator: "")
            case .table:
                print(results.count == 1 ? table.long.render(.table) : table.sideBySide.render(.table), terminator: "")
                print("\nTotal conversions: \(ReportTable.fixed(table.totalConversions, places: 2)); every model credits exactly that many.")
            }
            if details, let markov = chosen.first(where: { $0 is MarkovModel }) as? MarkovModel {
                let fit = try markov.fit(runner.transformed(journeys, for: markov), units: units.count)
                print(MarkovDetails.render(fit, units: units, order: order), terminator: "")
            }
        }
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

/// Attribution results as report tables.
struct AttributionTable {
    let units: UnitTable
    let results: [AttributionRun.ModelResult]
    let spend: [String: Int64]
    let currency: Currency?
    let unitKey: String
    let totalConversions: Double

    /// Units with any credit or spend, most credited first (by the first model).
    var shownUnits: [Int] {
        let shown = (0..<units.count).filter { u in results.contains { $0.credit.conversions[u] > 1e-12 } || spend[units.names[u]] != nil }
        return shown.sorted { a, b in
            let ca = results.first?.credit.conversions[a] ?? 0, cb = results.first?.credit.conversions[b] ?? 0
            return ca != cb ? ca > cb : units.names[a] < units.names[b]
        }
    }

    func money(_ minor: Double) -> ReportTable.Cell {
        currency.map { .moneyRatio(minor, $0) } ?? .decimal(minor, places: 2)
    }

    /// One row per unit and model: the JSON/CSV shape, and the table for a single model.
    var long: ReportTable {
        let columns: [ReportTable.Column] = [
            .init(unitKey, unitKey == "channel" ? "Channel" : "Campaign"), .init("model", "Model"), .init("conversions", "Conversions"),
            .init("revenue", "Revenue"), .init("spend", "Spend"), .init("cost_per_conversion", "Cost/conv."), .init("roas", "ROAS"),
        ]
        var rows: [[ReportTable.Cell]] = []
        for result in results {
            for u in shownUnits {
                let c = result.credit.conversions[u]
                let revenue = result.credit.value[u]
                let s = spend[units.names[u]].map(Double.init)
                rows.append([
                    .text(units.names[u]), .text(result.model), .decimal(c, places: 4), money(revenue),
                    s.map(money) ?? .null, s.flatMap { s in c > 0 ? money(s / c) : nil } ?? .null,
                    s.flatMap { s in s > 0 ? .decimal(revenue / s, places: 2) : nil } ?? .null,
                ])
            }
        }
        return ReportTable(columns: columns, rows: rows)
    }

    /// One row per unit, one column of credited conversions per model.
    var sideBySide: ReportTable {
        var columns: [ReportTable.Column] = [.init(unitKey, unitKey == "channel" ? "Channel" : "Campaign"), .init("spend", "Spend")]
        columns += results.map { .init($0.model, $0.model) }
        let rows = shownUnits.map { u -> [ReportTable.Cell] in
            [.text(units.names[u]), spend[units.names[u]].map { money(Double($0)) } ?? .null]
                + results.map { .decimal($0.credit.conversions[u], places: 1) }
        }
        let footer: [[ReportTable.Cell]] = [[.text("total"), .null] + results.map { .decimal($0.credit.totalConversions, places: 1) }]
        return ReportTable(columns: columns, rows: rows, footer: footer)
    }
}

/// The Markov chain behind the credits, for `--details`.
enum MarkovDetails {
    static func name(_ symbols: [Int32], _ units: UnitTable) -> String {
        symbols.map { s in
            if let (u, n) = Journey.decodeLabel(s) { return "\(units.names[Int(u)])(\(n))" }
            return units.names[Int(s)]
        }.joined(separator: " > ")
    }

    static func render(_ fit: MarkovModel.Fit, units: UnitTable, order: Int) -> String {
        var out = "\nMarkov chain (order \(order)): P(conversion) = \(ReportTable.fixed(fit.conversionProbability, places: 6))\n\n"
        let effects = ReportTable(columns: [.init("unit", "Unit"), .init("removal_effect", "Removal effect")],
                                  rows: (0..<units.count).filter { fit.removalEffects[$0] > 0 }
                                      .sorted { fit.removalEffects[$0] > fit.removalEffects[$1] }
                                      .map { [.text(units.names[$0]), .decimal(fit.removalEffects[$0], places: 6)] })
        out += effects.render(.table)
        guard order == 1 else { return out }
        let targets = fit.states.indices.map { name(fit.states[$0], units) } + ["(conversion)", "(null)"]
        func column(_ t: Int) -> Int { t >= 0 ? t : (t == MarkovModel.Fit.conversionTarget ? fit.states.count : fit.states.count + 1) }
        var rows: [[ReportTable.Cell]] = []
        for (r, row) in fit.transitions.enumerated() {
            var cells = [ReportTable.Cell](repeating: .null, count: targets.count)
            for (t, p) in row { cells[column(t)] = .decimal(p, places: 4) }
            rows.append([.text(r == 0 ? "(start)" : targets[r - 1])] + cells)
        }
        let matrix = ReportTable(columns: [.init("from", "from \\ to")] + targets.map { .init($0, $0) }, rows: rows)
        return out + "\nTransition matrix:\n\n" + matrix.render(.table)
    }
}
