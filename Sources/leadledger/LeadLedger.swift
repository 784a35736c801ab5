/// # leadledger — the command
///
/// The host executable: it owns the warehouse, the command line and the registry of channel
/// plugins (which it knows only through `ChannelKit.ChannelPlugin`). Each subcommand lives in
/// its own `LeadLedger+<Command>.swift`.
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

@main
struct LeadLedger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leadledger",
        abstract: "Compare lead-acquisition channels from one local warehouse.",
        discussion: """
            Import each channel's exports and your CRM's leads, web touches and conversions into one \
            SQLite warehouse, then compare channels: cost per lead, conversion rate, cost per acquisition, \
            revenue, ROAS and time from lead to customer.

            Try it on the bundled sample data: leadledger demo
            """,
        version: "0.1.0",
        subcommands: [Demo.self, Init.self, Channels.self, Import.self, Report.self, Attribute.self, Score.self, Segments.self, SnapshotCommand.self, Formats.self, Grouping.self]
    )
}

/// Where the warehouse is: `--db`, else `$LEADLEDGER_DB`, else `./leadledger.sqlite`.
struct WarehouseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Warehouse file (default: $LEADLEDGER_DB or ./leadledger.sqlite).", valueName: "path"))
    var db: String?

    var path: String {
        if let db { return db }
        if let env = getenv("LEADLEDGER_DB").map({ String(cString: $0) }), !env.isEmpty { return env }
        return "leadledger.sqlite"
    }

    /// Opens the existing warehouse (upgrading it if needed) with every built-in channel: a
    /// command that reads never creates an empty warehouse at a mistyped path.
    func open() throws -> Warehouse { try open(creating: false) }

    /// Opens the warehouse, creating it when the file is new or empty (`init`, `import`,
    /// `snapshot import`). An upgrade of an existing file says so on a terminal while it runs
    /// (it rebuilds tables: a minute on a warehouse of a million leads).
    func open(creating: Bool) throws -> Warehouse {
        defer { Terminal.clearProgress() }
        return try Warehouse(path: path, channels: ChannelRegistry.all, mustExist: !creating) { steps in
            Terminal.progress("upgrading the warehouse \(path) to the new schema (\(steps.joined(separator: ", "))); this happens once…")
        }
    }
}

/// `--from` and `--to` for every report.
struct PeriodOptions: ParsableArguments {
    @Option(help: "First day (YYYY-MM-DD, UTC), inclusive.")
    var from: Day?

    @Option(help: "Last day (YYYY-MM-DD, UTC), inclusive.")
    var to: Day?

    func validate() throws {
        if let from, let to, from > to { throw ValidationError("--from \(from) is after --to \(to).") }
    }

    var reportPeriod: ReportPeriod { ReportPeriod(from: from, to: to) }
}

/// `--format table|json|csv` for every report.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table (for people), json or csv (for machines).")
    var format: OutputFormat = .table
}

/// The reports' own formats, read from the command line.
typealias OutputFormat = ReportTable.Format

extension ReportTable.Format: ExpressibleByArgument {}

/// A `YYYY-MM-DD` argument.
extension Day: ExpressibleByArgument {
    public init?(argument: String) {
        guard let day = Day.parse(argument), argument.count == 10 else { return nil }
        self = day
    }

    public static var defaultCompletionKind: CompletionKind { .default }
}

/// An error message for people, printed without a stack trace.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
