import Foundation
import Testing
import ChannelKit
import ChannelRegistry
import Ingest
import Snapshots
import TestSupport
import Warehouse

/// Seeded fuzzing of everything that reads outside input: the number, money and time parsers,
/// the CSV reader, a whole import, and the snapshot reader. The rule for every case: no trap,
/// an answer or a refusal; what is kept stays within the documented bounds. The seeds make a
/// failure reproducible; CI runs these with the other tests.
@Suite struct FuzzTests {
    /// Characters that meet the parsers' edge cases, and some that should never pass.
    static let alphabet: [String] = ["0", "1", "5", "9", ".", ",", "-", "+", "e", "E", " ", "$", "€", "₫", "S$", "USD", "eur", "%", "٣",
                                     "\u{A0}", "\u{0}", "\"", "\n", "T", ":", "Z", "/", "(", "9223372036854775807", "99999999999999999999"]

    static func randomText(_ rng: inout SplitMix, length: Int = 12) -> String {
        (0..<Int.random(in: 0...length, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
    }

    @Test func numberMoneyAndTimeParsersAnswerOrRefuse() {
        var rng = SplitMix(seed: 9)
        let currencies = ["USD", "VND", "KWD", "CLF"].compactMap { Currency($0) }
        for _ in 0..<30_000 {
            let text = Self.randomText(&rng)
            for currency in currencies {
                for separator in DecimalSeparator.allCases {
                    guard case .success(let read) = Money.read(text, currency: currency, separator: separator) else { continue }
                    // Whatever is accepted is in range and reads back from its plain form exactly.
                    #expect(read.money.minorUnits.magnitude <= UInt64(Money.maximumMinorUnits), "\(text)")
                    #expect(Money.parse(currency.decimalString(minorUnits: read.money.minorUnits), currency: currency) == read.money, "\(text)")
                }
            }
            if case .success(let n) = DecimalText.read(text) { #expect(!n.double.isNaN, "\(text)") }
            _ = Day.parse(text)
            _ = Timestamp.parse(text)
        }
    }

    /// Random bytes and mutations of every format's example: the reader returns records within
    /// its bounds, and whole imports answer, keep good rows or refuse the file, and leave a
    /// consistent warehouse.
    @Test func csvReaderAndImportsSurviveMutatedFiles() throws {
        var rng = SplitMix(seed: 23)
        let dir = TemporaryDirectory()
        let warehouse = try Warehouse(path: dir.file("w.sqlite"), channels: ChannelRegistry.all)
        let importer = try Importer(warehouse: warehouse, channels: ChannelRegistry.all)
        let sources = importer.sources
        for round in 0..<300 {
            let source = sources.randomElement(using: &rng)!
            var bytes = Array(source.formats.randomElement(using: &rng)!.example.utf8)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: bytes = (0..<Int.random(in: 0...400, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 1: for _ in 0..<Int.random(in: 1...8, using: &rng) where !bytes.isEmpty { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            case 2: bytes += Array(("\n" + Self.randomText(&rng, length: 40)).utf8)
            default:  // a field far past the limit
                bytes += Array(("\n" + String(repeating: "9", count: CSVReader.defaultMaxFieldBytes + 10)).utf8)
            }
            let path = dir.write("f\(round).csv", Data(bytes))
            if let reader = try? CSVReader(path: path) {
                while let record = reader.next() {
                    #expect(record.fields.allSatisfy { $0.utf8.count <= CSVReader.defaultMaxFieldBytes * 3 })  // U+FFFD for bad bytes
                    #expect(record.fields.count <= CSVReader.maxFields)
                }
            }
            do { _ = try importer.importFile(source: source.id, path: path) } catch is ImportError {} catch let error as WarehouseError {
                Issue.record("round \(round), \(source.id): the warehouse failed: \(error)")
            }
        }
        #expect(try warehouse.db.scalarText("PRAGMA integrity_check") == "ok")
        var violations = 0
        try warehouse.db.query("PRAGMA foreign_key_check") { _ in violations += 1 }
        #expect(violations == 0)
    }

    /// Flipped, cut and repeated bytes of a small snapshot archive: verify and restore refuse
    /// (or, rarely, accept an intact one) and never leave a partial restore.
    @Test func snapshotReaderSurvivesMutatedArchives() throws {
        var rng = SplitMix(seed: 41)
        let dir = TemporaryDirectory()
        let source = try Warehouse(path: dir.file("s.sqlite"), channels: ChannelRegistry.all)
        let importer = try Importer(warehouse: source, channels: ChannelRegistry.all)
        _ = try importer.importFile(source: "leads", path: dir.write("l.csv", "lead_id,created_at,country\nA,2026-01-01T00:00:00Z,VN\nB,2026-01-02T00:00:00Z,SG\n"))
        _ = try importer.importFile(source: "conversions", path: dir.write("c.csv", "lead_id,converted_at,revenue,currency\nA,2026-01-05T00:00:00Z,10.00,USD\n"))
        var options = SnapshotOptions()
        options.archive = true
        _ = try Snapshot.export(source, to: dir.file("good.tar"), options: options, version: "fuzz")
        let good = try Array(Data(contentsOf: URL(fileURLWithPath: dir.file("good.tar"))))
        for round in 0..<150 {
            var bytes = good
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: for _ in 0..<Int.random(in: 1...6, using: &rng) { bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
            case 1: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
            default:
                let start = Int.random(in: 0..<bytes.count, using: &rng)
                bytes.insert(contentsOf: bytes[start..<min(bytes.count, start + 700)], at: Int.random(in: 0..<bytes.count, using: &rng))
            }
            let path = dir.write("m\(round).tar", Data(bytes))
            _ = try? Snapshot.verify(path)
            let target = try Warehouse(path: dir.file("t\(round).sqlite"), channels: ChannelRegistry.all)
            do {
                _ = try Snapshot.restore(path, into: target, merge: false)
            } catch {
                #expect(try target.db.scalarInt("SELECT count(*) FROM leads") == 0, "round \(round): a refused restore wrote rows")
            }
        }
    }
}
