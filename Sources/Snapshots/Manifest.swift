import Foundation

/// `manifest.json`: what a snapshot holds and how to check it. Written with sorted keys, so the
/// same snapshot always has the same manifest bytes.
public struct Manifest: Codable, Sendable, Equatable {
    public struct Column: Codable, Sendable, Equatable {
        public let name: String
        public let type: String
    }

    public struct Table: Codable, Sendable, Equatable {
        public let name: String
        public let file: String
        public let columns: [Column]
        public let rows: Int
        public let uncompressedBytes: Int64
        public let compressedBytes: Int64
        public let sha256: String
    }

    public struct Filters: Codable, Sendable, Equatable {
        public let tables: [String]?
        public let from: String?
        public let to: String?
        public let channel: String?
        public let redacted: Bool
        public let level: Int
    }

    /// 2: `touchpoints` gained `click_ids` (the narrow touch store). 3: `costs` and
    /// `channel_metrics` gained `source_key` (costs kept per source), `channels` `is_free`.
    /// Formats 1 and 2 still read.
    public static let currentFormatVersion = 3

    public let format: String
    public let formatVersion: Int
    /// The warehouse schema: the newest migration applied, and all of them.
    public let schemaVersion: String
    public let migrations: [String]
    public let leadledgerVersion: String
    /// When the newest data in it was imported (so the same warehouse gives the same manifest).
    public let createdAt: String
    public let filters: Filters
    public let tables: [Table]

    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }

    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }

    func encoded() throws -> Data {
        var data = try Manifest.encoder.encode(self)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    static func decode(_ data: Data) throws(SnapshotError) -> Manifest {
        // Read the version first, so that a newer format is named as such rather than failing to parse.
        struct Version: Decodable { let format: String?; let formatVersion: Int? }
        guard let version = try? decoder.decode(Version.self, from: data), version.format == "leadledger-snapshot" else {
            throw SnapshotError.invalid("manifest.json is damaged or is not a LeadLedger snapshot manifest")
        }
        guard let v = version.formatVersion, v <= currentFormatVersion else {
            throw SnapshotError.invalid("the snapshot is format version \(version.formatVersion ?? 0), newer than this LeadLedger reads (\(currentFormatVersion)); upgrade LeadLedger")
        }
        do { return try decoder.decode(Manifest.self, from: data) } catch {
            throw SnapshotError.invalid("manifest.json is damaged: \(error)")
        }
    }
}
