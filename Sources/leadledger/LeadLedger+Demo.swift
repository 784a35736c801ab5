import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ChannelKit
import ChannelRegistry
import Ingest
import Reports
import Warehouse

extension LeadLedger {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a fresh warehouse from the bundled sample data and print the channel comparison.",
            discussion: """
                Imports datasets/demo in order — leads.csv, each channel's folder (datasets/demo/<channel id>/), \
                touches.csv, conversions.csv, stages.csv — into a new warehouse (default ./leadledger-demo.sqlite, rebuilt \
                on every run) and prints `report channels`.
                """
        )

        @Option(help: ArgumentHelp("Warehouse file to (re)build.", valueName: "path"))
        var db = "leadledger-demo.sqlite"

        @Option(help: ArgumentHelp("The sample data folder (default: datasets/demo of this checkout).", valueName: "dir"))
        var data: String?

        @OptionGroup var output: OutputOptions

        func run() throws {
            let dir = try Demo.dataDirectory(data)
            try Demo.removeDemoWarehouse(db)
            let w = try Warehouse(path: db, channels: ChannelRegistry.all)
            try w.record(createdBy: Demo.creator)
            let log = output.format == .table
            if let file = DatasetPlan.grouping(in: dir) {
                let grouping = try Grouping.read(file)
                let result = try grouping.apply(to: w, channels: ChannelRegistry.all)
                if log { print("\(file): " + Grouping.summary(result, grouping: grouping)) }
            }
            let importer = try Importer(warehouse: w, channels: ChannelRegistry.all)
            for step in try DatasetPlan.steps(in: dir, channels: ChannelRegistry.all) {
                let result = try Import.importWithProgress(importer, source: step.source, path: step.path, format: nil, again: false)
                if log { print(Import.summary(result)) }
            }
            let result = try AcquisitionReport.compute(w, ReportOptions())
            if log { print("\nWarehouse: \(db)\n") }
            print(ChannelsReport.render(result, output.format), terminator: "")
        }

        static func dataDirectory(_ given: String?) throws -> String {
            if let given {
                guard access(given + "/leads.csv", R_OK) == 0 else { throw CommandError("\(given) does not hold the demo data (no leads.csv)") }
                return given
            }
            let candidates = ["datasets/demo", sourceRoot() + "/datasets/demo"]
            guard let found = candidates.first(where: { access($0 + "/leads.csv", R_OK) == 0 }) else {
                throw CommandError("cannot find the demo data (datasets/demo); run from the LeadLedger checkout or pass --data DIR")
            }
            return found
        }

        /// The checkout this binary was built from.
        static func sourceRoot(file: String = #filePath) -> String {
            var parts = file.split(separator: "/", omittingEmptySubsequences: false)
            parts.removeLast(3)  // Sources/leadledger/LeadLedger+Demo.swift
            return parts.joined(separator: "/")
        }

        /// What a demo warehouse records as its creator: only such a file is ever deleted.
        static let creator = "leadledger demo"

        /// Deletes a previous demo warehouse; refuses to delete anything else.
        static func removeDemoWarehouse(_ path: String) throws {
            guard access(path, F_OK) == 0 else { return }
            let isDemo: Bool = {
                guard let db = try? Database(path: path) else { return false }
                return (try? Warehouse.creator(of: db)) == Demo.creator
            }()
            guard isDemo else {
                throw CommandError("\(path) exists and is not a demo warehouse; the demo will not overwrite it. Choose another --db")
            }
            for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
        }
    }
}
