import ChannelKit
import Foundation
import Ingest
import Warehouse

/// Reads a snapshot — a directory or a tar archive — table by table, checking each table as it
/// streams: gzip integrity, the header, every value's type, the row count, the byte count and
/// the SHA-256 of the uncompressed CSV.
final class SnapshotReader {
    /// Limits that keep reading bounded whatever a snapshot holds (docs/snapshots.md).
    static let maxManifestBytes = 4 << 20
    static let maxFieldBytes = 4 << 20
    static let maxRecordBytes = 8 << 20
    let path: String
    let manifest: Manifest
    private let tarReader: Tar.Reader?
    private let root: String

    init(path: String) throws(SnapshotError) {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw SnapshotError.io("no snapshot at \(path)") }
        if isDirectory.boolValue {
            tarReader = nil
            root = path
            let size = (try? FileManager.default.attributesOfItem(atPath: path + "/manifest.json")[.size] as? Int) ?? 0
            guard size <= SnapshotReader.maxManifestBytes else {
                throw SnapshotError.invalid("\(path): its manifest.json is larger than \(SnapshotReader.maxManifestBytes >> 20) MiB; it is not a LeadLedger manifest")
            }
            guard let data = FileManager.default.contents(atPath: path + "/manifest.json") else {
                throw SnapshotError.invalid("\(path) has no manifest.json; it is not a snapshot")
            }
            manifest = try Manifest.decode(data)
        } else {
            let reader = try Tar.Reader(path: path)
            tarReader = reader
            var entry: Tar.Reader.Entry?
            do {
                repeat { entry = try reader.next() } while entry?.name.hasSuffix("/") == true
            } catch let e as SnapshotError { throw e } catch { throw SnapshotError.io("\(error)") }
            guard let entry, entry.name.hasSuffix("/manifest.json") || entry.name == "manifest.json" else {
                throw SnapshotError.invalid("\(path) is not a snapshot archive: its first file must be manifest.json")
            }
            root = String(entry.name.dropLast("manifest.json".count))
            var data = Data()
            let source = reader.content()
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            do {
                while true {
                    let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                    if n == 0 { break }
                    data.append(contentsOf: buffer[0..<n])
                    guard data.count <= SnapshotReader.maxManifestBytes else {
                        throw SnapshotError.invalid("\(path): its manifest.json is larger than \(SnapshotReader.maxManifestBytes >> 20) MiB; it is not a LeadLedger manifest")
                    }
                }
            } catch let e as SnapshotError { throw e } catch { throw SnapshotError.io("\(error)") }
            manifest = try Manifest.decode(data)
        }
    }

    /// Calls `body` for every table of the manifest with its compressed bytes, or `nil` when the
    /// snapshot lacks its file; in archive order for archives.
    func forEachTable(_ body: (Manifest.Table, (any ByteSource)?) throws -> Void) throws {
        var seen = Set<String>()
        if let tarReader {
            while let entry = try tarReader.next() {
                if entry.name.hasSuffix("/") { continue }
                guard entry.name.hasPrefix(root), let table = manifest.tables.first(where: { root + $0.file == entry.name }) else {
                    throw SnapshotError.invalid("the archive holds \(entry.name), which its manifest does not list")
                }
                guard seen.insert(table.name).inserted else { throw SnapshotError.invalid("the archive holds \(entry.name) twice") }
                try body(table, tarReader.content())
            }
            for table in manifest.tables where !seen.contains(table.name) { try body(table, nil) }
        } else {
            for table in manifest.tables {
                let file = root + "/" + table.file
                try body(table, FileManager.default.fileExists(atPath: file) ? try FileByteSource(path: file) : nil)
            }
        }
    }

    /// Streams one table's rows as warehouse values (in the table's column order) and returns
    /// what is wrong with it, if anything. Stops at the first damaged value.
    /// Rows of an older format come in the current columns, those it lacks empty.
    static func read(_ table: Manifest.Table, from compressed: (any ByteSource)?, formatVersion: Int = Manifest.currentFormatVersion,
                     row: ([SQLValue]) throws -> Void) throws -> [String] {
        guard let current = SnapshotTables.named(table.name) else { return ["this LeadLedger has no table \(table.name)"] }
        guard let compressed else { return ["\(table.file) is missing"] }
        let written = current.columns(inFormat: formatVersion)
        guard table.columns == written.map({ Manifest.Column(name: $0.name, type: $0.kind.rawValue) }) else {
            return ["its columns differ from the ones this LeadLedger writes (\(written.map(\.name).joined(separator: ",")))"]
        }
        // Where each written column goes in the current ones.
        let places = written.map { column in current.columns.firstIndex { $0.name == column.name }! }
        var rowValues = current.columns.map(\.missing)
        let spec = SnapshotTable(name: current.name, orderBy: current.orderBy, columns: written, redacted: current.redacted, subset: current.subset)
        let reader = CSVReader(source: try GzipByteSource(compressed, name: table.name, maximumOutput: table.uncompressedBytes), name: table.file,
                               maxFieldBytes: SnapshotReader.maxFieldBytes, maxRecordBytes: SnapshotReader.maxRecordBytes)
        var problems: [String] = []
        guard let header = reader.next() else {
            return [reader.readError.map { "\($0)" } ?? "\(table.file) is empty"]
        }
        if let error = reader.readError { return ["\(error)".replacingOccurrences(of: "\(table.name): ", with: "")] }
        guard header.fields == spec.columns.map(\.name) else { return ["its header row is not \(spec.columns.map(\.name).joined(separator: ","))"] }
        let currencyIndex = spec.currencyIndex
        var rows = 0
        var values = [SQLValue](repeating: .null, count: spec.columns.count)
        reading: while let record = reader.next() {
            rows += 1
            guard record.fieldCount == spec.columns.count else {
                problems.append("row \(rows) has \(record.fieldCount) fields, not \(spec.columns.count)")
                break
            }
            if let column = record.oversizedColumn {
                problems.append("row \(rows), column \(column): a field longer than \(SnapshotReader.maxFieldBytes >> 20) MiB, or a row longer than \(SnapshotReader.maxRecordBytes >> 20) MiB")
                break
            }
            for (i, column) in spec.columns.enumerated() {
                let field = record.fields[i]
                if field.isEmpty && !record.wasQuoted(i) { values[i] = .null; continue }
                switch column.kind {
                case .text, .date: values[i] = .text(field)
                case .integer:
                    guard let v = Int64(field) else { problems.append("row \(rows), \(column.name): \"\(field)\" is not an integer"); break reading }
                    values[i] = .integer(v)
                case .real:
                    guard let v = Double(field) else { problems.append("row \(rows), \(column.name): \"\(field)\" is not a number"); break reading }
                    values[i] = .real(v)
                case .timestamp:
                    guard let t = Timestamp.parse(field) else { problems.append("row \(rows), \(column.name): \"\(field)\" is not a time"); break reading }
                    values[i] = .integer(t.secondsSinceEpoch)
                case .decimal:
                    guard let code = currencyIndex.map({ record.fields[$0] }), let currency = Currency(code),
                          let money = Money.parse(field, currency: currency) else {
                        problems.append("row \(rows), \(column.name): \"\(field)\" is not an amount in the row's currency"); break reading
                    }
                    values[i] = .integer(money.minorUnits)
                }
            }
            for (i, place) in places.enumerated() { rowValues[place] = values[i] }
            try row(rowValues)
        }
        if let error = reader.readError { return problems + ["\(error)".replacingOccurrences(of: "\(table.name): ", with: "")] }
        if !problems.isEmpty { return problems }
        let sha = reader.finishChecksum()
        if rows != table.rows { problems.append("it has \(rows) rows; the manifest says \(table.rows)") }
        if reader.bytesRead != table.uncompressedBytes { problems.append("it holds \(reader.bytesRead) bytes of CSV; the manifest says \(table.uncompressedBytes)") }
        if sha != table.sha256 { problems.append("its SHA-256 is \(sha); the manifest says \(table.sha256) (the data was changed)") }
        return problems
    }
}

extension Snapshot {
    /// What `verify` found: per table, its problems (none when intact).
    public struct Verification: Sendable {
        public let manifest: Manifest
        public let problems: [(table: String, problem: String)]
        public var isIntact: Bool { problems.isEmpty }
    }

    /// Re-reads the whole snapshot and reports every problem by table.
    public static func verify(_ path: String) throws -> Verification {
        let reader = try SnapshotReader(path: path)
        var problems: [(String, String)] = []
        try reader.forEachTable { table, source in
            do {
                for p in try SnapshotReader.read(table, from: source, formatVersion: reader.manifest.formatVersion, row: { _ in }) { problems.append((table.name, p)) }
            } catch let e as SnapshotError {
                problems.append((table.name, "\(e)".replacingOccurrences(of: "\(table.name): ", with: "")))
            }
        }
        return Verification(manifest: reader.manifest, problems: problems)
    }
}
