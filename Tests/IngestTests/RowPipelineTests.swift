import Testing
import ChannelKit
import ChannelRegistry
import TestSupport
@testable import Ingest
import Warehouse

/// The parsing thread hands rows over in file order and stops cleanly when the writing side
/// gives up half-way (the import then rolls back).
@Suite struct RowPipelineTests {
    let dir = TemporaryDirectory()

    func pipeline(rows: Int) throws -> RowPipeline {
        let text = "lead_id,converted_at,revenue,currency\n" + (1...rows).map { "L\($0),2026-03-01T00:00:00Z,\($0 % 7).00,USD\n" }.joined()
        let reader = try CSVReader(path: dir.write("c.csv", text), chunkSize: 4_096)
        let format = try #require(ImportSource.all(channels: ChannelRegistry.all).first { $0.id == "conversions" }?.formats.first)
        let first = try #require(reader.next())
        let header = try #require(format.columns.resolve(header: first.fields))
        return RowPipeline(reader: reader, header: header, format: format, classifier: TouchClassifier(channels: ChannelRegistry.all),
                           hasher: IdentifierHasher(salt: "s"))
    }

    @Test func rowsComeInFileOrderThenTheChecksum() throws {
        let p = try pipeline(rows: 5_000)
        var lines: [Int] = []
        while case .batch(let rows) = p.next() { lines += rows.map(\.line) }
        #expect(lines == Array(2...5_001))
    }

    /// A touch named by email gets its lead on the parsing side when the writer's email hashes
    /// are given and hold it; otherwise it is left to the writing side.
    @Test func touchesNamedByEmailFindTheirLeadInTheHashesGiven() throws {
        let hasher = IdentifierHasher(salt: "s")
        let classifier = TouchClassifier(channels: ChannelRegistry.all)
        let known = try #require(HashBytes(hex: hasher.hashEmail("An@Example.com")))
        func touch(_ email: String) -> IngestRecord {
            .channel(.touch(TouchRecord(lead: .email(email, column: "email"), at: Timestamp(secondsSinceEpoch: 0), kind: .emailOpen, campaign: nil)))
        }
        let hashes = [known: Int64(42)]
        #expect(RowPipeline.prepare(touch(" an@example.com"), classifier, hasher, leadsByEmail: hashes).leadID == 42)
        #expect(RowPipeline.prepare(touch("binh@example.com"), classifier, hasher, leadsByEmail: hashes).leadID == nil)
        #expect(RowPipeline.prepare(touch("an@example.com"), classifier, hasher).leadID == nil)
        let prepared = RowPipeline.prepare(touch("an@example.com"), classifier, hasher, leadsByEmail: hashes)
        #expect(prepared.emailHash == hasher.hashEmail("an@example.com"))
    }

    @Test func cancellingHalfWayStopsTheParsingThread() throws {
        for _ in 0..<20 {
            let p = try pipeline(rows: 50_000)
            guard case .batch(let first) = p.next() else { Issue.record("no first batch"); return }
            #expect(first.first?.line == 2)
            p.cancel()  // returns only once the parsing side has stopped
        }
    }
}
