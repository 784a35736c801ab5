import Foundation
import Testing
import ChannelKit
import ChannelRegistry
import Ingest
import TestSupport
import Warehouse
@testable import Snapshots
import Reports
import Attribution

/// A warehouse built from the bundled demo data, shared by the tests (they only read it).
final class DemoWarehouse: @unchecked Sendable {
    static let shared = try! DemoWarehouse()
    let dir = TemporaryDirectory()
    let warehouse: Warehouse
    let path: String

    init() throws {
        path = dir.file("demo.sqlite")
        warehouse = try Warehouse(path: path, channels: ChannelRegistry.all)
        let importer = try Importer(warehouse: warehouse, channels: ChannelRegistry.all)
        for step in try DatasetPlan.steps(in: packageRoot() + "/datasets/demo", channels: ChannelRegistry.all) {
            _ = try importer.importFile(source: step.source, path: step.path)
        }
    }

    /// A fresh connection: snapshot code uses temp tables, so tests running in parallel each get their own.
    func open() throws -> Warehouse { try Warehouse(path: path, channels: ChannelRegistry.all) }
}

func files(_ dir: String) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for f in try FileManager.default.contentsOfDirectory(atPath: dir) { out[f] = FileManager.default.contents(atPath: dir + "/" + f) }
    return out
}

func newWarehouse(_ dir: TemporaryDirectory, _ name: String = "restored.sqlite") throws -> Warehouse {
    try Warehouse(path: dir.file(name), channels: ChannelRegistry.all)
}

func counts(_ w: Warehouse) throws -> [String: Int] { try w.rowCounts() }

@Suite struct SnapshotRoundTripTests {
    @Test func exportRestoreExportIsByteIdenticalAndIntact() throws {
        let dir = TemporaryDirectory()
        let source = try DemoWarehouse.shared.open()
        try Snapshot.export(source, to: dir.file("a"), options: SnapshotOptions(), version: "test")
        #expect(try Snapshot.verify(dir.file("a")).isIntact)
        let restored = try newWarehouse(dir)
        _ = try Snapshot.restore(dir.file("a"), into: restored, merge: false)
        #expect(try counts(restored) == counts(source))
        try Snapshot.export(restored, to: dir.file("b"), options: SnapshotOptions(), version: "test")
        #expect(try files(dir.file("a")) == files(dir.file("b")))
        // Every report gives the same numbers on the restored warehouse.
        #expect(try ChannelReport.compute(restored).channels == ChannelReport.compute(source).channels)
        for channel in ChannelRegistry.all {
            #expect(try ChannelMetricsReport.compute(restored, channel: channel, by: .month).rows == ChannelMetricsReport.compute(source, channel: channel, by: .month).rows)
        }
        let journeys = { (w: Warehouse) in try JourneyReader.read(w, JourneyOptions()) }
        let markov = try MarkovModel()
        let before = try markov.attribute(journeys(source).journeys, units: journeys(source).units.count)
        let after = try markov.attribute(journeys(restored).journeys, units: journeys(restored).units.count)
        #expect(before == after)  // to the bit: the chain is summed in a fixed order
        // Deterministic: the same warehouse exported again gives the same bytes.
        try Snapshot.export(source, to: dir.file("c"), options: SnapshotOptions(), version: "test")
        #expect(try files(dir.file("a")) == files(dir.file("c")))
    }

    @Test func archivesRoundTripToo() throws {
        let dir = TemporaryDirectory()
        var options = SnapshotOptions()
        options.archive = true
        try Snapshot.export(try DemoWarehouse.shared.open(), to: dir.file("q1.tar"), options: options, version: "test")
        #expect(try Snapshot.verify(dir.file("q1.tar")).isIntact)
        let listing = try runCommand("/usr/bin/env", ["tar", "-tf", dir.file("q1.tar")])
        #expect(listing.stdout.hasPrefix("q1/manifest.json\nq1/settings.csv.gz\n"))
        let restored = try newWarehouse(dir)
        _ = try Snapshot.restore(dir.file("q1.tar"), into: restored, merge: false)
        #expect(try counts(restored) == counts(try DemoWarehouse.shared.open()))
    }

    /// Interoperability: the system's gzip reads a table, and it holds exactly the warehouse's rows.
    @Test func gzipReadsTablesThatMatchTheWarehouse() throws {
        let dir = TemporaryDirectory()
        let source = try DemoWarehouse.shared.open()
        try Snapshot.export(source, to: dir.file("s"), options: SnapshotOptions(), version: "test")
        let gz = try runCommand("/usr/bin/env", ["gzip", "-dc", dir.file("s") + "/costs.csv.gz"])
        #expect(gz.status == 0)
        let lines = gz.stdout.split(separator: "\r\n")
        #expect(lines[0] == "id,day,channel_id,campaign_id,detail,amount,currency,import_run_id,source_key")
        #expect(lines.count - 1 == Int(try source.db.scalarInt("SELECT count(*) FROM costs")!))
        var expected: [String] = []
        try source.db.query("SELECT id, day, channel_id, ifnull(campaign_id, ''), amount_minor, currency FROM costs ORDER BY id") { s in
            let amount = Currency(s.text(5)!)!.decimalString(minorUnits: s.int(4))
            expected.append("\(s.int(0)),\(s.text(1)!),\(s.text(2)!),\(s.text(3)!),\(amount),\(s.text(5)!)")
        }
        let got = lines.dropFirst().map { line -> String in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            return [f[0], f[1], f[2], f[3], f[5], f[6]].joined(separator: ",")
        }
        #expect(got == expected)
    }

    @Test func restoringIntoAWarehouseWithDataNeedsMergeAndMergeIsIdempotent() throws {
        let dir = TemporaryDirectory()
        let source = try DemoWarehouse.shared.open()
        try Snapshot.export(source, to: dir.file("s"), options: SnapshotOptions(), version: "test")
        #expect(throws: SnapshotError.self) { try Snapshot.restore(dir.file("s"), into: source, merge: false) }
        // Merging a warehouse's own snapshot into it adds nothing.
        let before = try counts(source)
        let merged = try Snapshot.restore(dir.file("s"), into: source, merge: true)
        #expect(try counts(source) == before)
        #expect(merged.rowsAdded.values.reduce(0, +) == 0)
    }
}

@Suite struct SnapshotSubsetTests {
    @Test(arguments: [("social", nil, nil), (nil, "2026-02-01", "2026-02-28"), ("events", "2026-01-15", "2026-03-31")] as [(String?, String?, String?)])
    func subsetsHaveNoDanglingReferences(_ channel: String?, _ from: String?, _ to: String?) throws {
        let dir = TemporaryDirectory()
        var options = SnapshotOptions()
        options.channel = channel
        options.from = from.flatMap { Day.parse($0) }
        options.to = to.flatMap { Day.parse($0) }
        try Snapshot.export(try DemoWarehouse.shared.open(), to: dir.file("s"), options: options, version: "test")
        // Restoring checks every foreign key at commit: a dangling reference would refuse the whole snapshot.
        let restored = try newWarehouse(dir)
        _ = try Snapshot.restore(dir.file("s"), into: restored, merge: false)
        var problems = 0
        try restored.db.query("PRAGMA foreign_key_check") { _ in problems += 1 }
        #expect(problems == 0)
        let touches = try restored.db.scalarInt("SELECT count(*) FROM touchpoints")!
        #expect(touches > 0)
        if let channel {
            #expect(try restored.db.scalarInt("SELECT count(*) FROM touchpoints WHERE channel_id <> ?", [.text(channel)]) == 0)
            #expect(try restored.db.scalarInt("SELECT count(*) FROM costs WHERE channel_id <> ?", [.text(channel)]) == 0)
        }
        if let from { #expect(try restored.db.scalarText("SELECT min(day) FROM costs")! >= from) }
    }

    @Test func redactedSnapshotsHoldNoIdentifierHashes() throws {
        let dir = TemporaryDirectory()
        var options = SnapshotOptions()
        options.redact = true
        options.tables = ["settings", "leads", "rejects", "import_runs"]
        try Snapshot.export(try DemoWarehouse.shared.open(), to: dir.file("s"), options: options, version: "test")
        let leads = try runCommand("/usr/bin/env", ["gzip", "-dc", dir.file("s") + "/leads.csv.gz"]).stdout
        #expect(leads.split(separator: "\r\n").dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false)[2].isEmpty })
        let settings = try runCommand("/usr/bin/env", ["gzip", "-dc", dir.file("s") + "/settings.csv.gz"]).stdout
        #expect(!settings.contains("identifier_salt"))
        #expect(try Snapshot.verify(dir.file("s")).isIntact)
    }
}

@Suite struct SnapshotDamageTests {
    /// A fresh copy of a small snapshot to damage.
    func snapshot(_ dir: TemporaryDirectory, archive: Bool = false) throws -> String {
        var options = SnapshotOptions()
        options.archive = archive
        options.tables = ["settings", "channels", "import_runs", "campaigns", "lead_keys", "leads", "costs"]
        let path = dir.file(archive ? "s.tar" : "s")
        try Snapshot.export(try DemoWarehouse.shared.open(), to: path, options: options, version: "test")
        return path
    }

    func expectRefused(_ path: String, table: String, containing text: String) throws {
        let result = try Snapshot.verify(path)
        #expect(result.problems.contains { $0.table == table && $0.problem.contains(text) }, "\(result.problems)")
        let dir = TemporaryDirectory()
        let target = try newWarehouse(dir)
        let before = try counts(target)
        #expect(throws: (any Error).self) { try Snapshot.restore(path, into: target, merge: false) }
        #expect(try counts(target) == before)
    }

    @Test func aTruncatedTableIsRefused() throws {
        let dir = TemporaryDirectory()
        let path = try snapshot(dir)
        let file = path + "/leads.csv.gz"
        let data = FileManager.default.contents(atPath: file)!
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: file))
        try expectRefused(path, table: "leads", containing: "truncated")
    }

    @Test func aFlippedByteIsRefused() throws {
        let dir = TemporaryDirectory()
        let path = try snapshot(dir)
        let file = path + "/costs.csv.gz"
        var data = FileManager.default.contents(atPath: file)!
        data[data.count / 2] ^= 0x5A
        try data.write(to: URL(fileURLWithPath: file))
        let result = try Snapshot.verify(path)
        #expect(result.problems.contains { $0.table == "costs" }, "\(result.problems)")
        let target = try newWarehouse(dir, "t.sqlite")
        #expect(throws: (any Error).self) { try Snapshot.restore(path, into: target, merge: false) }
        #expect(try target.db.scalarInt("SELECT count(*) FROM leads") == 0)
    }

    @Test func aTamperedTableIsRefusedByItsChecksum() throws {
        let dir = TemporaryDirectory()
        let path = try snapshot(dir)
        // Re-compress a changed table: gzip is valid, the content is not what the manifest says.
        let csv = try runCommand("/usr/bin/env", ["gzip", "-dc", path + "/costs.csv.gz"]).stdout.replacingOccurrences(of: ",120.00,", with: ",1.00,")
        let plain = dir.write("costs.csv", csv)
        #expect(try runCommand("/usr/bin/env", ["gzip", "-nf", plain]).status == 0)
        try FileManager.default.removeItem(atPath: path + "/costs.csv.gz")
        try FileManager.default.moveItem(atPath: plain + ".gz", toPath: path + "/costs.csv.gz")
        try expectRefused(path, table: "costs", containing: "SHA-256")
    }

    @Test func aWrongRowCountIsRefused() throws {
        let dir = TemporaryDirectory()
        let path = try snapshot(dir)
        let manifest = path + "/manifest.json"
        var text = try String(contentsOfFile: manifest, encoding: .utf8)
        let leads = try Snapshot.verify(path).manifest.tables.first { $0.name == "leads" }!
        text = text.replacingOccurrences(of: "\"rows\" : \(leads.rows)", with: "\"rows\" : \(leads.rows + 1)")
        try text.write(toFile: manifest, atomically: true, encoding: .utf8)
        try expectRefused(path, table: "leads", containing: "the manifest says \(leads.rows + 1)")
    }

    @Test func aMissingTableIsRefused() throws {
        let dir = TemporaryDirectory()
        let path = try snapshot(dir)
        try FileManager.default.removeItem(atPath: path + "/lead_keys.csv.gz")
        try expectRefused(path, table: "lead_keys", containing: "missing")
    }

    @Test func aNewerFormatIsRefusedByName() throws {
        let dir = TemporaryDirectory()
        let path = try snapshot(dir)
        let manifest = path + "/manifest.json"
        let current = Manifest.currentFormatVersion
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
            .replacingOccurrences(of: "\"format_version\" : \(current)", with: "\"format_version\" : \(current + 1)")
        try text.write(toFile: manifest, atomically: true, encoding: .utf8)
        #expect(throws: SnapshotError.invalid("the snapshot is format version \(current + 1), newer than this LeadLedger reads (\(current)); upgrade LeadLedger")) {
            try Snapshot.verify(path)
        }
    }

    /// Rewrites one table's entry of a snapshot's manifest.
    func editManifest(_ path: String, table: String, _ change: (inout [String: Any]) -> Void) throws {
        let file = path + "/manifest.json"
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        var tables = try #require(json["tables"] as? [[String: Any]])
        let i = try #require(tables.firstIndex { $0["name"] as? String == table })
        change(&tables[i])
        json["tables"] = tables
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(to: URL(fileURLWithPath: file))
    }

    /// 64 MiB of one byte compress to about 64 KiB: refused once it inflates past 200 times what
    /// was read, in a fraction of a second, however large the manifest says the table is.
    @Test func aDecompressionBombIsRefusedEarly() throws {
        let dir = TemporaryDirectory()
        let path = try snapshot(dir)
        let made = try runCommand("/bin/sh", ["-c", "head -c 67108864 /dev/zero | tr '\\0' a | gzip -n > '\(path)/leads.csv.gz'"])
        #expect(made.status == 0, "\(made.stderr)")
        try editManifest(path, table: "leads") { $0["uncompressed_bytes"] = 1 << 40 }
        let started = Date()
        try expectRefused(path, table: "leads", containing: "200 times its compressed size")
        // Not a timing assertion: a bomb fully inflated would take far longer than this bound.
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func aTableInflatingPastItsDeclaredSizeIsRefused() throws {
        let dir = TemporaryDirectory()
        let path = try snapshot(dir)
        try editManifest(path, table: "leads") { $0["uncompressed_bytes"] = 1_000 }
        try expectRefused(path, table: "leads", containing: "inflates past the 1000 bytes its manifest declares")
    }

    /// An unknown table in the manifest: verify lists it, import refuses before writing (it trapped).
    @Test func aManifestNamingAnUnknownTableIsRefused() throws {
        let dir = TemporaryDirectory()
        let path = try snapshot(dir)
        try editManifest(path, table: "costs") { $0["name"] = "payroll" }
        try expectRefused(path, table: "payroll", containing: "no table payroll")
    }

    /// A full disk is named as such (it said "cannot write: Success" when a write came up short).
    @Test func aFullDiskIsNamed() throws {
        let writer = try GzipWriter(path: "/dev/full", level: 6)
        writer.write(String(repeating: "a,b,c\r\n", count: 200_000))
        #expect(throws: SnapshotError.io("cannot write the snapshot: No space left on device")) { try writer.finish() }
    }

    /// Archives whose entries would land outside the snapshot, or are links, are refused.
    @Test(arguments: ["../evil.csv.gz", "/tmp/evil.csv.gz", "link"])
    func hostileArchivesAreRefused(_ kind: String) throws {
        let dir = TemporaryDirectory()
        let tar = dir.file("bad.tar")
        let work = dir.file("work")
        try FileManager.default.createDirectory(atPath: work + "/snap", withIntermediateDirectories: true)
        let good = try snapshot(dir)
        try FileManager.default.copyItem(atPath: good + "/manifest.json", toPath: work + "/snap/manifest.json")
        var arguments = ["tar", "-cf", tar, "-C", work, "snap/manifest.json"]
        switch kind {
        case "link":
            try FileManager.default.createSymbolicLink(atPath: work + "/snap/leads.csv.gz", withDestinationPath: "/etc/passwd")
            arguments.append("snap/leads.csv.gz")
        default:
            dir.write("evil.csv.gz", "x")
            arguments += ["--absolute-names", "--transform", "s|.*evil.csv.gz|\(kind == "/tmp/evil.csv.gz" ? "/tmp/evil.csv.gz" : "snap/../evil.csv.gz")|", dir.file("evil.csv.gz")]
        }
        let made = try runCommand("/usr/bin/env", arguments)
        #expect(made.status == 0, "\(made.stderr)")
        let target = try newWarehouse(dir, "t.sqlite")
        #expect(throws: SnapshotError.self) { try Snapshot.restore(tar, into: target, merge: false) }
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/evil.csv.gz.out"))
    }
}
