import Foundation
import Testing
import TestSupport
@testable import Ingest

@Suite struct CSVReaderTests {
    let dir = TemporaryDirectory()

    func records(_ text: String, chunkSize: Int = 1 << 20) throws -> [CSVReader.Record] {
        let reader = try CSVReader(path: dir.write("f.csv", text), chunkSize: chunkSize)
        var out: [CSVReader.Record] = []
        while let r = reader.next() { out.append(r) }
        return out
    }

    @Test func readsQuotedFieldsWithDelimitersQuotesAndLineBreaks() throws {
        let r = try records("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",z\n3,,\n")
        #expect(r.map(\.fields) == [["a", "b", "c"], ["1", "x, y", "say \"hi\""], ["2", "two\nlines", "z"], ["3", "", ""]])
        // A record is reported at its first line; the one after a two-line record is on line 5.
        #expect(r.map(\.line) == [1, 2, 3, 5])
    }

    /// The same file read in 1-byte, 3-byte and large chunks gives the same records: the
    /// chunk boundary can fall anywhere, inside quotes or inside a CRLF.
    @Test(arguments: [1, 3, 7, 1 << 20])
    func chunkBoundariesDoNotMatter(_ chunk: Int) throws {
        let text = "\u{FEFF}h1,h2\r\n\"a\"\"b\",\"c\r\nd\"\r\nlast,row"
        let r = try records(text, chunkSize: chunk)
        #expect(r.map(\.fields) == [["h1", "h2"], ["a\"b", "c\r\nd"], ["last", "row"]])
        #expect(r.map(\.line) == [1, 2, 4])
    }

    @Test func aByteOrderMarkBeforeAQuotedHeaderIsDropped() throws {
        #expect(try records("\u{FEFF}\"id\",name\n1,a\n").map(\.fields) == [["id", "name"], ["1", "a"]])
    }

    @Test func detectsTabSeparatedFiles() throws {
        let reader = try CSVReader(path: dir.write("f.tsv", "id\tname\n1\tAn, Nguyen\n"))
        #expect(reader.delimiter == 9)
        #expect(reader.next()?.fields == ["id", "name"])
        #expect(reader.next()?.fields == ["1", "An, Nguyen"])
    }

    @Test func skipsBlankLinesButCountsThem() throws {
        let r = try records("a\n\n\nb\n")
        #expect(r.map(\.line) == [1, 4])
    }

    @Test func flagsInvalidUTF8AndUnterminatedQuotes() throws {
        var bytes = Array("a,b\nok,".utf8)
        bytes += [0xC3, 0x28]  // an invalid two-byte sequence
        bytes += Array("\nx,\"never closed\n".utf8)
        let reader = try CSVReader(path: dir.write("bad.csv", Data(bytes)))
        _ = reader.next()
        #expect(reader.next()?.invalidUTF8Column == 2)
        let last = reader.next()
        #expect(last?.unterminatedQuote == true)
    }

    /// Second route: over every field of up to three bytes from a set of ASCII, lead,
    /// continuation and never-valid bytes (truncated, overlong, surrogate and out-of-range
    /// sequences among them), a field is flagged exactly when `String(validating:)` refuses it.
    @Test func flagsExactlyTheFieldsThatAreNotUTF8() throws {
        let pieces: [UInt8] = [0x61, 0x80, 0xBF, 0xC0, 0xC3, 0xE0, 0xED, 0xEF, 0xF1, 0xF4, 0xF5, 0xFF, 0xA0]
        var fields: [[UInt8]] = pieces.map { [$0] }
        fields += pieces.flatMap { a in pieces.map { [a, $0] } }
        fields += pieces.flatMap { a in pieces.flatMap { b in pieces.map { [a, b, $0] } } }
        fields += [[0xF1, 0x80, 0x80, 0x80], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xED, 0xA0, 0x80]]
        var bytes = Array("id,value\n".utf8)
        for f in fields { bytes += Array("x,".utf8) + f + [0x0A] }
        let reader = try CSVReader(path: dir.write("utf8.csv", Data(bytes)))
        _ = reader.next()
        var flagged = 0
        for f in fields {
            let record = try #require(reader.next())
            let valid = String(validating: f, as: UTF8.self) != nil
            #expect(record.invalidUTF8Column == (valid ? nil : 2), "\(f)")
            #expect(record.fields[1] == String(decoding: f, as: UTF8.self))
            if !valid { flagged += 1 }
        }
        #expect(flagged > 1_000 && flagged < fields.count)
    }

    @Test func refusesFilesThatCannotBeCSV() throws {
        #expect(throws: ImportError.emptyFile(path: dir.write("empty.csv", ""))) { try CSVReader(path: dir.file("empty.csv")) }
        let binary = dir.write("x.csv", Data([0x50, 0x4B, 0x03, 0x04, 0x00, 0x00]))
        #expect(throws: ImportError.binaryFile(path: binary)) { try CSVReader(path: binary) }
        let utf16 = dir.write("u.csv", Data([0xFF, 0xFE, 0x61, 0x00]))
        #expect(throws: ImportError.wrongEncoding(path: utf16, found: "UTF-16")) { try CSVReader(path: utf16) }
        #expect(throws: ImportError.self) { try CSVReader(path: dir.file("missing.csv")) }
        #expect(throws: ImportError.self) { try CSVReader(path: dir.path) }
    }

    @Test func checksumCoversTheWholeFile() throws {
        let text = (0..<20_000).map { "row,\($0)" }.joined(separator: "\n")
        let reader = try CSVReader(path: dir.write("big.csv", text), chunkSize: 4096)
        _ = reader.next()
        let sum = try runCommand("/usr/bin/env", ["sha256sum", dir.file("big.csv")])
        #expect(reader.finishChecksum() == String(sum.stdout.prefix(64)))
        #expect(reader.bytesRead == Int64(text.utf8.count))
    }

    @Test func encodesRowsBackForRejects() throws {
        let reader = try CSVReader(path: dir.write("f.csv", "a\n"))
        #expect(reader.encode(["1", "x, y", "say \"hi\""]) == "1,\"x, y\",\"say \"\"hi\"\"\"")
    }
}
