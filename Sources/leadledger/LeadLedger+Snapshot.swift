import ArgumentParser
import ChannelKit
import ChannelRegistry
import Reports
import Snapshots
import Warehouse

extension LeadLedger {
    struct SnapshotCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "snapshot",
            abstract: "Export, verify and restore compressed dataset snapshots (gzip CSV per table + manifest). Format: docs/snapshots.md.",
            subcommands: [Export.self, Verify.self, Restore.self]
        )
    }
}

extension LeadLedger.SnapshotCommand {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "export", abstract: "Write a snapshot of the warehouse to a new directory (or .tar with --archive).")

        @Argument(help: "The snapshot directory (or .tar file) to create.")
        var path: String

        @Flag(help: "Write one uncompressed .tar holding the snapshot directory.")
        var archive = false

        @Option(help: "Only these tables (comma-separated).")
        var tables: String?

        @Option(help: "Only this channel's touchpoints, costs and metrics, with the leads they belong to.")
        var channel: String?

        @Option(help: "gzip level, 1 (fastest) to 9 (smallest).")
        var level = 6

        @Flag(help: "Leave out identifier hashes, the salt and rejected rows' contents.")
        var redact = false

        @OptionGroup var period: PeriodOptions
        @OptionGroup var warehouse: WarehouseOptions

        func validate() throws {
            guard (1...9).contains(level) else { throw ValidationError("--level takes 1 to 9.") }
        }

        func run() throws {
            let w = try warehouse.open()
            var options = SnapshotOptions()
            options.tables = tables.map { $0.split(separator: ",").map(String.init) }
            options.channel = channel
            options.from = period.from
            options.to = period.to
            options.level = level
            options.redact = redact
            options.archive = archive
            let clock = ContinuousClock()
            let start = clock.now
            let manifest = try Snapshot.export(w, to: path, options: options, version: LeadLedger.configuration.version)
            let d = start.duration(to: clock.now).components
            let seconds = Double(d.seconds) + Double(d.attoseconds) * 1e-18
            let raw = manifest.tables.reduce(0) { $0 + $1.uncompressedBytes }
            let packed = manifest.tables.reduce(0) { $0 + $1.compressedBytes }
            let rows = manifest.tables.reduce(0) { $0 + $1.rows }
            print("Snapshot \(path): \(manifest.tables.count) tables, \(Terminal.grouped(rows)) rows, "
                  + "\(ReportTable.fixed(Double(raw) / 1e6, places: 1)) MB of CSV in \(ReportTable.fixed(Double(packed) / 1e6, places: 1)) MB "
                  + "(ratio \(ReportTable.fixed(Double(raw) / Double(max(packed, 1)), places: 1))), \(ReportTable.fixed(seconds, places: 2)) s.")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check a snapshot's manifest, every table's checksum and row count; exit 1 if anything is wrong.")

        @Argument(help: "The snapshot directory or .tar file.")
        var path: String

        func run() throws {
            let result = try Snapshot.verify(path)
            if result.isIntact {
                print("\(path): intact — \(result.manifest.tables.count) tables, \(Terminal.grouped(result.manifest.tables.reduce(0) { $0 + $1.rows })) rows, checksums match.")
            } else {
                for (table, problem) in result.problems { Terminal.error("\(path): \(table): \(problem)") }
                throw ExitCode(1)
            }
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Restore a snapshot into a new or empty warehouse (or --merge into one with data), checking it as it streams."
        )

        @Argument(help: "The snapshot directory or .tar file.")
        var path: String

        @Flag(help: "Combine with the data already in the warehouse, under the file imports' rules.")
        var merge = false

        @OptionGroup var warehouse: WarehouseOptions

        func run() throws {
            let w = try warehouse.open(creating: true)
            let restored = try Snapshot.restore(path, into: w, merge: merge)
            let read = restored.rowsRead.values.reduce(0, +)
            let added = restored.rowsAdded.values.reduce(0, +)
            let updated = restored.rowsUpdated.values.reduce(0, +)
            var summary = "Restored \(path) into \(w.path): \(Terminal.grouped(read)) rows read, \(Terminal.grouped(added)) added"
            if merge { summary += ", \(Terminal.grouped(updated)) restated, \(Terminal.grouped(restored.refusals.count)) refused" }
            print(summary + ".")
            for refusal in restored.refusals.prefix(20) { print("  refused \(refusal)") }
            if restored.refusals.count > 20 { print("  … and \(restored.refusals.count - 20) more") }
        }
    }
}
