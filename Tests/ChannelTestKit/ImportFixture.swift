/// A fresh warehouse in a temporary folder with an importer, for tests that import files
/// the way `leadledger import` does and look at what landed.
import ChannelKit
import Ingest
import TestSupport
import Warehouse

public struct ImportFixture {
    public let dir = TemporaryDirectory()
    public let warehouse: Warehouse
    public let importer: Importer

    public init(channels: [any ChannelPlugin]) throws {
        warehouse = try Warehouse(path: dir.file("w.sqlite"), channels: channels)
        importer = try Importer(warehouse: warehouse, channels: channels)
    }

    /// Rows in `table` (a constant table name).
    public func count(_ table: String) throws -> Int {
        Int(try warehouse.db.scalarInt("SELECT count(*) FROM \(table)") ?? -1)
    }

    /// Writes `text` to `name` and imports it as `source`.
    @discardableResult
    public func importText(_ source: String, _ name: String, _ text: String, again: Bool = false) throws -> ImportResult {
        try importer.importFile(source: source, path: dir.write(name, text), reprocess: again)
    }

    /// The rows of a query, each as its columns' text (NULL as "∅"), for compact expectations.
    public func rows(_ sql: String, _ arguments: [SQLValue] = []) throws -> [[String]] {
        var out: [[String]] = []
        try warehouse.db.query(sql, arguments) { s in
            out.append((0..<s.columnCount).map { s.isNull($0) ? "∅" : (s.text($0) ?? "") })
        }
        return out
    }

    /// Imports the core leads `lead_id,created_at,email` given as `(id, created, email)`.
    public func seedLeads(_ leads: [(String, String, String)]) throws {
        let text = "lead_id,created_at,email\n" + leads.map { "\($0.0),\($0.1),\($0.2)" }.joined(separator: "\n") + "\n"
        let result = try importText("leads", "seed-leads.csv", text)
        precondition(result.rejects.isEmpty, "\(result.rejects)")
    }
}
