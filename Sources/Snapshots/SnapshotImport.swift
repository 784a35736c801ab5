import ChannelKit
import Foundation
import Warehouse

extension Snapshot {
    /// What an import restored: rows read per table, and rows that were new to the warehouse.
    public struct Restored: Sendable {
        public var rowsRead: [String: Int] = [:]
        public var rowsAdded: [String: Int] = [:]
    }

    /// Restores the snapshot at `path` into `warehouse`, in one transaction, checking every table
    /// as it streams. Without `merge` the warehouse must hold no imported data; with it, the
    /// snapshot's facts join the warehouse's under the file imports' rules (a fact already present
    /// is not added again; costs and metrics are restated) and its ids are renumbered.
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
        // One transaction that may write the whole warehouse: with a rollback journal when
        // nothing else has it open, as a large file import is.
        return try warehouse.withRollbackJournal { try restoreRows(reader, path: path, into: warehouse, merge: merge) }
    }

    private static func restoreRows(_ reader: SnapshotReader, path: String, into warehouse: Warehouse, merge: Bool) throws -> Restored {
        let db = warehouse.db
        try db.execute("BEGIN IMMEDIATE")
        do {
            try db.execute("PRAGMA defer_foreign_keys = ON")
            var restored = Restored()
            let writer = merge ? try MergeWriter(db) : nil
            if let writer, try writer.saltDiffers(from: reader.manifest, path: path) {
                throw SnapshotError.invalid("the snapshot was made with another identifier salt: the same people could not be recognised; restore it into a new warehouse instead")
            }
            try reader.forEachTable { table, source in
                let insert = merge ? nil : try db.prepare(freshInsertSQL(table.name))
                var read = 0, added = 0
                let problems = try SnapshotReader.read(table, from: source) { values in
                    read += 1
                    if let writer {
                        if try writer.add(table.name, values) { added += 1 }
                    } else {
                        insert!.reset()
                        try insert!.bind(values)
                        try insert!.step()
                        added += db.changes
                    }
                }
                if let problem = problems.first { throw SnapshotError.corrupt(table: table.name, reason: problem) }
                restored.rowsRead[table.name] = read
                restored.rowsAdded[table.name] = added
            }
            try warehouse.refreshDerivedLeadColumns()
            do {
                try db.execute("COMMIT")
            } catch .constraint {
                throw SnapshotError.invalid("the snapshot's rows refer to rows it does not hold (was it exported with --tables?); nothing was restored")
            }
            return restored
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }

    static func freshInsertSQL(_ table: String) throws(SnapshotError) -> String {
        guard let spec = SnapshotTables.named(table) else { throw SnapshotError.invalid("this LeadLedger has no table \(table)") }
        let columns = spec.columns.map(\.dbColumn)
        let conflict: String
        switch table {
        case "settings": conflict = " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        case "channels": conflict = " ON CONFLICT (id) DO NOTHING"
        default: conflict = ""
        }
        return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.indices.map { "?\($0 + 1)" }.joined(separator: ", ")))\(conflict)"
    }
}

/// Adds a snapshot's rows to a warehouse that already holds data: ids are renumbered, people
/// are recognised by their keys or email hash, and facts already present are skipped.
final class MergeWriter {
    let db: Database
    var runs: [Int64: Int64] = [:]
    var newRuns = Set<Int64>()
    var campaigns: [Int64: Int64] = [:]
    var leads: [Int64: Int64] = [:]
    var keysOfLead: [Int64: [String]] = [:]

    init(_ db: Database) throws { self.db = db }

    func saltDiffers(from manifest: Manifest, path: String) throws -> Bool {
        // The salt travels in the settings table; a redacted snapshot has neither salt nor hashes.
        manifest.filters.redacted ? false : try snapshotSalt(path) != (try db.scalarText("SELECT value FROM settings WHERE key = 'identifier_salt'"))
    }

    private func snapshotSalt(_ path: String) throws -> String? {
        var salt: String?
        try SnapshotReader(path: path).forEachTable { table, source in
            guard table.name == "settings" else { return }
            _ = try SnapshotReader.read(table, from: source) { values in
                if values[0] == .text("identifier_salt"), case .text(let s) = values[1] { salt = s }
            }
        }
        return salt
    }

    private func id(_ v: SQLValue) -> Int64? { if case .integer(let i) = v { return i } else { return nil } }
    /// A row's own id, which every such row has: an empty one is a damaged snapshot, refused.
    private func ownID(_ v: [SQLValue], _ table: String) throws(SnapshotError) -> Int64 {
        guard let i = id(v[0]) else { throw SnapshotError.corrupt(table: table, reason: "a row has no id") }
        return i
    }
    private func mapped(_ v: SQLValue, _ map: [Int64: Int64]) -> SQLValue { id(v).flatMap { map[$0] }.map { .integer($0) } ?? .null }

    /// Adds one row of `table`; true when it was new.
    func add(_ table: String, _ v: [SQLValue]) throws -> Bool {
        switch table {
        case "settings":
            return false
        case "channels":
            try db.run("INSERT INTO channels (id, display_name, origin) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING", Array(v[0...2]))
            return db.changes > 0
        case "import_runs":
            if let existing = try db.scalarInt("SELECT id FROM import_runs WHERE source = ? AND file_sha256 = ? AND started_at = ?", [v[1], v[4], v[6]]) {
                runs[try ownID(v, table)] = existing
                return false
            }
            try db.run("""
                INSERT INTO import_runs (source, format, file_name, file_sha256, file_bytes, started_at, finished_at, rows_read, rows_inserted,
                                         rows_updated, rows_unchanged, rows_rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, Array(v[1...]))
            runs[try ownID(v, table)] = db.lastInsertedRowID
            newRuns.insert(try ownID(v, table))
            return true
        case "exchange_rates":
            try db.run("INSERT INTO exchange_rates (day, currency, target, rate, import_run_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                       [v[1], v[2], v[3], v[4], mapped(v[5], runs)])
            return db.changes > 0
        case "campaigns":
            try db.run("INSERT INTO campaigns (channel_id, key, name, external_id) VALUES (?, ?, ?, ?) ON CONFLICT (channel_id, key) DO NOTHING",
                       Array(v[1...4]))
            let added = db.changes > 0
            campaigns[try ownID(v, table)] = try db.scalarInt("SELECT id FROM campaigns WHERE channel_id = ? AND key = ?", [v[1], v[2]])
            return added
        case "lead_keys":
            if case .text(let key) = v[0], let lead = id(v[1]) { keysOfLead[lead, default: []].append(key) }
            return false
        case "leads":
            let snapshotID = try ownID(v, table)
            var existing: Int64?
            for key in keysOfLead[snapshotID] ?? [] where existing == nil {
                existing = try db.scalarInt("SELECT lead_id FROM lead_keys WHERE key = ?", [.text(key)])
            }
            if existing == nil, v[2] != .null { existing = try db.scalarInt("SELECT id FROM leads WHERE email_hash = ?", [v[2]]) }
            if existing == nil, v[2] == .null, v[3] != .null { existing = try db.scalarInt("SELECT id FROM leads WHERE phone_hash = ? ORDER BY id LIMIT 1", [v[3]]) }
            var values = v
            values[13] = mapped(v[13], runs)
            let added: Bool
            if let existing {
                try db.run("""
                    UPDATE leads SET created_at = min(created_at, ?2), country = coalesce(country, ?5), region = coalesce(region, ?6),
                        age_band = coalesce(age_band, ?7), gender = coalesce(gender, ?8), income_band = coalesce(income_band, ?9),
                        industry = coalesce(industry, ?10), company_size = coalesce(company_size, ?11), interests = coalesce(interests, ?12),
                        source_label = coalesce(source_label, ?13)
                    WHERE id = ?1
                    """, [.integer(existing)] + Array(values[1...12]))
                leads[snapshotID] = existing
                added = false
            } else {
                try db.run("""
                    INSERT INTO leads (created_at, email_hash, phone_hash, country, region, age_band, gender, income_band, industry, company_size,
                                       interests, source_label, import_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, Array(values[1...]))
                leads[snapshotID] = db.lastInsertedRowID
                added = true
            }
            for key in keysOfLead[snapshotID] ?? [] {
                try db.run("INSERT OR IGNORE INTO lead_keys (key, lead_id) VALUES (?, ?)", [.text(key), .integer(leads[snapshotID] ?? 0)])
            }
            return added
        case "touchpoints":
            try db.run("""
                INSERT INTO touchpoints (lead_id, occurred_at, channel_id, campaign_id, kind, utm_source, utm_medium, utm_campaign, referrer,
                                         landing_page, import_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, [mapped(v[1], leads), v[2], v[3], mapped(v[4], campaigns)] + Array(v[5...10]) + [mapped(v[11], runs)])
            return db.changes > 0
        case "costs", "channel_metrics":
            // Restatement, as in file imports: the same fact with the same value is skipped, a
            // different value replaces the old one.
            let isCost = table == "costs"
            let key: [SQLValue] = [v[1], v[2], mapped(v[3], campaigns), isCost ? v[4] : v[4], isCost ? .null : v[5]]
            let existing = try db.scalarText(isCost
                ? "SELECT amount_minor || '/' || currency FROM costs WHERE day = ?1 AND channel_id = ?2 AND ifnull(campaign_id, 0) = ifnull(?3, 0) AND detail = ?4"
                : "SELECT value FROM channel_metrics WHERE day = ?1 AND channel_id = ?2 AND ifnull(campaign_id, 0) = ifnull(?3, 0) AND metric = ?4 AND detail = ?5",
                isCost ? Array(key[0...3]) : key)
            let incoming: String? = isCost ? { if case .integer(let a) = v[5], case .text(let c) = v[6] { return "\(a)/\(c)" } else { return nil } }()
                                           : { if case .real(let x) = v[6] { return String(x) } else { return nil } }()
            if let existing, let incoming, existing == incoming || Double(existing) == Double(incoming) { return false }
            let columns = isCost ? "day, channel_id, campaign_id, detail, amount_minor, currency, import_run_id"
                                 : "day, channel_id, campaign_id, metric, detail, value, import_run_id"
            try db.run("INSERT OR REPLACE INTO \(table) (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [v[1], v[2], mapped(v[3], campaigns), v[4], v[5], v[6], mapped(v[7], runs)])
            return true
        case "conversions":
            try db.run("""
                INSERT INTO conversions (lead_id, converted_at, revenue_minor, currency, external_id, import_run_id)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, [mapped(v[1], leads), v[2], v[3], v[4], v[5], mapped(v[6], runs)])
            return db.changes > 0
        case "lifecycle_stages":
            try db.run("INSERT INTO lifecycle_stages (lead_id, stage, changed_at, import_run_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                       [mapped(v[1], leads), v[2], v[3], mapped(v[4], runs)])
            return db.changes > 0
        case "outreach_attempts":
            try db.run("INSERT INTO outreach_attempts (lead_id, attempted_at, method, responded, import_run_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                       [mapped(v[1], leads), v[2], v[3], v[4], mapped(v[5], runs)])
            return db.changes > 0
        case "rejects":
            // Only the rejects of runs this merge added: the others are already here.
            guard let run = id(v[1]), newRuns.contains(run) else { return false }
            try db.run("INSERT INTO rejects (import_run_id, file_name, line, column_number, column_name, reason, raw_row) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [mapped(v[1], runs)] + Array(v[2...7]))
            return true
        default:
            return false
        }
    }
}
