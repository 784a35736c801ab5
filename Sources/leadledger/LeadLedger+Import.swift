import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ChannelKit
import ChannelRegistry
import Ingest
import Warehouse

extension LeadLedger {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import files from a channel or a core source into the warehouse.",
            discussion: """
                SOURCE is a channel id (see `leadledger channels`) or a core source: leads, touches, conversions. \
                Each file is imported in one transaction: a bad row is kept in rejects with its line and column, \
                the good rows land, and a file imported before changes nothing.
                """
        )

        @Argument(help: "A channel id or a core source (leads, touches, conversions).")
        var source: String

        @Argument(help: "CSV files to import.")
        var files: [String]

        @Option(help: "Use this format of the source instead of recognising it by its header.")
        var format: String?

        @Flag(help: "Read a file again even if it was imported before (facts already present are not duplicated).")
        var again = false

        @Flag(help: "The files write decimals with a comma (1.234,56), as European exports do; without it a comma only groups thousands.")
        var decimalComma = false

        @OptionGroup var warehouse: WarehouseOptions

        /// For the tests: SIGKILL the process after this many rows, to prove that a killed
        /// import leaves the warehouse as it was.
        @Option(name: .customLong("test-kill-after-rows"), help: .private)
        var killAfterRows: Int?

        /// For the tests: files of this many bytes or more take the large route
        /// (``Warehouse/largeImportBytes``), so that a small file can.
        @Option(name: .customLong("test-large-import-bytes"), help: .private)
        var largeImportBytes: Int64?

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("Name at least one file to import.") }
        }

        func run() throws {
            let w = try warehouse.open(creating: true)
            if let largeImportBytes { w.largeImportBytes = largeImportBytes }
            let importer = try Importer(warehouse: w, channels: ChannelRegistry.all)
            var failed = false
            for file in files {
                do {
                    let result = try Import.importWithProgress(importer, source: source, path: file, format: format, again: again,
                                                               decimalSeparator: decimalComma ? .comma : nil, killAfterRows: killAfterRows)
                    print(Import.summary(result))
                    if result.counts.read > 0 && result.counts.rejected == result.counts.read {
                        Terminal.error("error: every row of \(file) was refused; nothing from it landed")
                        failed = true
                    }
                } catch let error as ImportError {
                    Terminal.clearProgress()
                    Terminal.error("error: \(error)")
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }

        /// Runs one import, showing progress on a terminal.
        static func importWithProgress(_ importer: Importer, source: String, path: String, format: String?, again: Bool,
                                       decimalSeparator: DecimalSeparator? = nil, killAfterRows killAfter: Int? = nil) throws -> ImportResult {
            importer.progressInterval = killAfter ?? 50_000
            importer.progress = { rows in
                if let killAfter, rows >= killAfter { kill(getpid(), SIGKILL) }
                Terminal.progress("\(path): \(Terminal.grouped(rows)) rows…")
            }
            defer { Terminal.clearProgress() }
            return try importer.importFile(source: source, path: path, format: format, reprocess: again, decimalSeparator: decimalSeparator)
        }

        static func summary(_ r: ImportResult) -> String {
            let c = r.counts
            switch r.status {
            case .alreadyImported(let previous, let at):
                return "\(r.path): already imported (run #\(previous), \(at)); nothing changed. Use --again to read it again."
            case .imported(let run):
                var lines = ["\(r.path): \(r.format.title) — \(Terminal.grouped(c.read)) rows: \(Terminal.grouped(c.inserted)) new, "
                             + "\(Terminal.grouped(c.updated)) updated, \(Terminal.grouped(c.unchanged)) unchanged, "
                             + "\(Terminal.grouped(c.rejected)) rejected (run #\(run))"]
                if c.summaryRows > 0 {
                    lines.append("  \(Terminal.grouped(c.summaryRows)) total or footer \(c.summaryRows == 1 ? "row" : "rows") of the export skipped")
                }
                if c.rounded > 0 {
                    lines.append("  \(Terminal.grouped(c.rounded)) \(c.rounded == 1 ? "row had" : "rows had") an amount with more decimals than its currency has; rounded half away from zero")
                }
                for reject in r.rejects { lines.append("  rejected \(reject)") }
                if c.rejected > r.rejects.count {
                    lines.append("  … and \(c.rejected - r.rejects.count) more; all are in the rejects table (import_run_id = \(run))")
                }
                return lines.joined(separator: "\n")
            }
        }
    }
}
