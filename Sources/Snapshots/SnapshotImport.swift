import ChannelKit
import Foundation
import Warehouse

extension Snapshot {
    /// What an import restored: rows read per table, rows new to the warehouse, rows that
    /// restated one it had (a cost or a revenue changed), and rows refused with the reason
    /// (a merge only: a conversion id the warehouse knows on another lead, say).
    public struct Restored: Sendable {
        public var rowsRead: [String: Int] = [:]
        public var rowsAdded: [String: Int] = [:]
        public var rowsUpdated: [String: Int] = [:]
        public var refusals: [String] = []
    }

    /// Restores the snapshot at `path` into `warehouse` through one ``ImportSink`` (one
    /// transaction), checking every table as it streams. Without `merge` the warehouse must hold
    /// no imported data and the rows are copied as they are; with it, the snapshot's facts join
    /// the warehouse's under the file imports' rules (``SnapshotMerge``) and its ids are renumbered.
    public static func restore(_ path: String, into warehouse: Warehouse, merge: Bool) throws -> Restored {
        let reader = try SnapshotReader(path: path)
        // Everything the manifest names must be a table this LeadLedger restores, before anything is written.
        for table in reader.manifest.tables where SnapshotTables.named(table.name) == nil {
            throw SnapshotError.invalid("the snapshot's manifest names a table this LeadLedger does not have (\(table.name)); nothing was restored")
        }
        let db = warehouse.db
        let occupied = try ["leads", "touchpoints", "costs", "channel_metrics", "conversions", "import_runs", "campaigns"].contains {
            try db.scalarInt("SELECT count(*) FROM \($0)") ?? 0 > 0
        }
        if occupied && !merge {
            throw SnapshotError.invalid("\(warehouse.path) already holds data; restore into a new warehouse, or add --merge to combine them")
        }
        if merge, try SnapshotMerge.saltDiffers(reader.manifest, path: path, warehouse: warehouse) {
            throw SnapshotError.invalid("the snapshot was made with another identifier salt: the same people could not be recognised; restore it into a new warehouse instead")
        }
        let bytes = reader.manifest.tables.reduce(Int64(0)) { $0 &+ max(0, $1.uncompressedBytes) }
        let sink = try warehouse.beginImport(merge ? .snapshotMerge : .snapshotRestore, bytes: bytes)
        do {
            var restored = Restored()
            var merging = merge ? SnapshotMerge(sink: sink) : nil
            try reader.forEachTable { table, source in
                // Touches go through the touch store's writer (codes, tags, click ids), ids kept.
                let copier = merge || table.name == "touchpoints" ? nil : try sink.rowCopier(table: table.name, columns: try columns(of: table.name))
                var read = 0, added = 0, updated = 0
                let problems = try SnapshotReader.read(table, from: source, formatVersion: reader.manifest.formatVersion) { values in
                    read += 1
                    let outcome: WriteOutcome
                    if merging != nil {
                        do {
                            outcome = try merging!.add(table.name, values)
                        } catch WarehouseError.duplicateInFile(let reason) {
                            restored.refusals.append("\(table.name) row \(read): \(reason)")
                            return
                        }
                    } else if let copier {
                        outcome = try copier.copy(values) ? .inserted : .unchanged
                    } else {
                        guard let run = values[11].integerValue else { throw SnapshotError.corrupt(table: table.name, reason: "a touch has no import run") }
                        sink.stampRows(withRun: run)
                        outcome = try sink.touches.insert(try SnapshotMerge.touchRow(values, lead: values[1].integerValue, campaign: values[4].integerValue, id: values[0].integerValue))
                    }
                    if outcome == .inserted { added += 1 } else if outcome == .updated { updated += 1 }
                }
                if let problem = problems.first { throw SnapshotError.corrupt(table: table.name, reason: problem) }
                restored.rowsRead[table.name] = read
                restored.rowsAdded[table.name] = added
                restored.rowsUpdated[table.name] = updated
            }
            do {
                try sink.commit()
            } catch WarehouseError.constraint {
                throw SnapshotError.invalid("the snapshot's rows refer to rows it does not hold (was it exported with --tables?); nothing was restored")
            }
            return restored
        } catch {
            sink.rollback()
            throw error
        }
    }

    static func columns(of table: String) throws(SnapshotError) -> [String] {
        guard let spec = SnapshotTables.named(table) else { throw SnapshotError.invalid("this LeadLedger has no table \(table)") }
        return spec.columns.map(\.dbColumn)
    }
}
