import ChannelKit
import Dispatch
import Parallelism
import Warehouse

/// One row of a file as the parsing side hands it to the writing side: the records the
/// format made of it (with what could be worked out without the warehouse), or why it is refused.
struct ParsedRow: Sendable {
    enum Outcome: Sendable {
        case records([PreparedRecord])
        case rejected(RowError)
        /// A total or footer row of the export (``SummaryRowRule``): counted, not written.
        case summary
    }

    let line: Int
    let fields: [String]
    let outcome: Outcome
    /// An amount of the row was rounded to its currency's minor unit.
    var rounded = false
}

/// A record with the work that needs no writing done: identifier hashes, a web touch's
/// channel, and — in a run that read every lead key into memory — the lead its key names.
/// `error` is thrown when the record's turn to be written comes, so that a row's earlier
/// records are written first, as they would be one record at a time.
struct PreparedRecord: Sendable {
    let record: IngestRecord
    var emailHash: String?
    var phoneHash: String?
    var channel: String?
    /// The lead of the record's lead key, found in the keys as the run began — or of the email
    /// its touch names, found in the email hashes the writer read (``RowPipeline/findLeads(byEmail:)``).
    /// A run only adds keys (`INSERT OR IGNORE INTO lead_keys`), never moves one, and only gives
    /// an email hash to a lead without one, so a key or hash found here names the same lead when
    /// the record is written; one not found is looked up again then (the run may have added it).
    var leadID: Int64?
    var error: RowError?
}

/// Reads and parses a file's rows on another thread while the caller writes the previous ones
/// to the warehouse: CSV decoding, the format's parser, touch rules and identifier hashing run
/// on one core, SQLite on the other. Rows come out in file order, in batches, through a queue of
/// at most a few batches (memory stays flat). The reader belongs to the parsing thread from
/// ``init`` on.
final class RowPipeline: @unchecked Sendable {
    enum Item {
        case batch([ParsedRow])
        /// The end of the file: its SHA-256 and size.
        case end(checksum: String, bytes: Int64)
    }

    static let batchSize = 1_024
    /// A batch is handed over early once its fields hold this many bytes, so that the queue's
    /// memory stays bounded whatever the rows' length.
    static let batchBytes = 4 << 20
    private let handoff = Handoff<Item>(capacity: 8)
    /// Signalled once the parsing side has let go of the reader.
    private let parsingEnded = DispatchSemaphore(value: 0)
    private var waitedForTheEnd = false
    private let lock = DispatchQueue(label: "leadledger.row-pipeline")
    /// What the writing side is done with, for the parsing thread to release (``recycle(_:)``).
    private var finished: [any Sendable] = []
    /// Every lead's email hash, once the writing side has read them (``findLeads(byEmail:)``).
    private var leadsByEmail: [HashBytes: Int64]?

    init(reader: CSVReader, header: ResolvedHeader, format: SourceFormat, decimalSeparator: DecimalSeparator = .point, classifier: TouchClassifier,
         hasher: IdentifierHasher, leadKeys: [String: Int64]? = nil) {
        let reader = UncheckedBox(reader)
        startThread { [self] in
            defer { parsingEnded.signal() }
            let reader = reader.value
            let width = header.cells.count
            var batch: [ParsedRow] = []
            batch.reserveCapacity(Self.batchSize)
            var bytes = 0
            var leadsByEmail: [HashBytes: Int64]?
            let reading = RowReading(separator: decimalSeparator)
            while let record = reader.next() {
                if batch.isEmpty, leadsByEmail == nil { leadsByEmail = lock.sync { self.leadsByEmail } }
                batch.append(Self.parse(record, width: width, header: header, format: format, reading: reading, classifier: classifier,
                                        hasher: hasher, leadKeys: leadKeys, leadsByEmail: leadsByEmail))
                for field in record.fields { bytes += field.utf8.count }
                if batch.count == Self.batchSize || bytes >= Self.batchBytes {
                    guard push(.batch(batch)) else { return }
                    batch.removeAll(keepingCapacity: true)
                    bytes = 0
                }
            }
            if !batch.isEmpty { guard push(.batch(batch)) else { return } }
            _ = push(.end(checksum: reader.finishChecksum(), bytes: reader.bytesRead))
        }
    }

    /// The next batch, or the end. Blocks while the parsing side is behind. Not called after
    /// the end or ``cancel()``.
    func next() -> Item { handoff.pop() }

    /// Has the parsing side find the leads of touches named by email in `hashes` (the sink's
    /// ``LeadIdentity/emailsInMemory``) from its next batch on, instead of the writing
    /// side finding each: an email platform's export names every row's lead by email, and the
    /// writing thread is the import's limit.
    func findLeads(byEmail hashes: [HashBytes: Int64]) {
        lock.sync { leadsByEmail = hashes }
    }

    /// Stops the parsing side (the writing side failed) and waits until it has let go of the
    /// reader.
    func cancel() {
        handoff.cancel()
        guard !waitedForTheEnd else { return }
        waitedForTheEnd = true
        parsingEnded.wait()
    }

    /// Hands values the writing side is done with — a batch's rows, rows it kept for their
    /// touches — back to the parsing thread, which releases them after queueing its next batch.
    /// A batch is thousands of strings and arrays allocated on the parsing thread; freed on the
    /// writing thread, they cost it time and waits for the allocator arena's lock, which the
    /// parsing thread holds (docs/benchmarks.md, "Why the code is shaped so"). What is handed
    /// back after the end of the file is released with the pipeline.
    func recycle(_ value: consuming any Sendable) {
        // Moved into the list, so that this thread keeps no reference to release afterwards.
        var moving: (any Sendable)? = consume value
        lock.sync { finished.append(moving.take()!) }
    }

    /// Queues `item`; false when the writing side cancelled (the parsing side then stops).
    private func push(_ item: Item) -> Bool {
        guard handoff.push(item) else { return false }
        let done = lock.sync { () -> [any Sendable] in
            defer { finished = [] }
            return finished
        }
        _ = consume done  // released here, on the parsing thread
        return true
    }

    /// One record: the structural checks, the format's parser, then what needs no warehouse.
    static func parse(_ record: CSVReader.Record, width: Int, header: ResolvedHeader, format: SourceFormat, reading: RowReading = RowReading(),
                      classifier: TouchClassifier, hasher: IdentifierHasher, leadKeys: [String: Int64]? = nil,
                      leadsByEmail: [HashBytes: Int64]? = nil) -> ParsedRow {
        func rejected(_ error: RowError) -> ParsedRow { ParsedRow(line: record.line, fields: record.fields, outcome: .rejected(error)) }
        if let rule = format.summaryRows, rule.matches(record.fields), !record.unterminatedQuote, record.invalidUTF8Column == nil {
            return ParsedRow(line: record.line, fields: [], outcome: .summary)
        }
        if record.unterminatedQuote {
            return rejected(RowError(column: record.fields.count, columnName: nil, reason: "the file ends inside a quoted field (a \" is not closed)"))
        }
        if let column = record.invalidUTF8Column {
            return rejected(RowError(column: column, columnName: column <= width ? header.cells[column - 1] : nil,
                                     reason: "is not valid UTF-8 text; re-save the file as UTF-8"))
        }
        if record.fieldCount != width {
            let column = min(record.fieldCount, width) + 1
            return rejected(RowError(column: column, columnName: column <= width ? header.cells[column - 1] : nil,
                                     reason: "the row has \(record.fieldCount) fields but the header has \(width)"))
        }
        if let column = record.oversizedColumn {
            return rejected(RowError(column: column, columnName: column <= width ? header.cells[column - 1] : nil,
                                     reason: "is longer than \(CSVReader.defaultMaxFieldBytes / 1024) KiB (a field) or takes the row past \(CSVReader.defaultMaxRecordBytes >> 20) MiB, the longest LeadLedger reads"))
        }
        do {
            let roundedBefore = reading.notes.roundedAmounts
            let records = try format.parse(SourceRow(line: record.line, fields: record.fields, header: header,
                                                     decimalSeparator: reading.separator, notes: reading.notes))
            return ParsedRow(line: record.line, fields: record.fields, outcome: .records(records.map {
                prepare($0, classifier, hasher, leadKeys: leadKeys, leadsByEmail: leadsByEmail)
            }), rounded: reading.notes.roundedAmounts > roundedBefore)
        } catch {
            return rejected(error)
        }
    }

    static func prepare(_ record: IngestRecord, _ classifier: TouchClassifier, _ hasher: IdentifierHasher,
                        leadKeys: [String: Int64]? = nil, leadsByEmail: [HashBytes: Int64]? = nil) -> PreparedRecord {
        var prepared = PreparedRecord(record: record)
        if let leadKeys, let key = record.leadKey { prepared.leadID = leadKeys[key] }
        switch record {
        case .channel(.lead(let lead)):
            if lead.key == nil && lead.email == nil && lead.phone == nil {
                prepared.error = RowError(column: nil, columnName: nil, reason: "the lead has no id, email or phone to be known by")
            }
            prepared.emailHash = lead.email.map(hasher.hashEmail)
            prepared.phoneHash = lead.phone.map(hasher.hashPhone)
        case .channel(.touch(let touch)):
            if case .email(let email, _) = touch.lead {
                let hash = hasher.hashEmail(email)
                prepared.emailHash = hash
                if let leadsByEmail { prepared.leadID = HashBytes(hex: hash).flatMap { leadsByEmail[$0] } }
            }
        case .webTouch(let touch):
            prepared.channel = classifier.channel(for: touch.raw)
        default:
            break
        }
        return prepared
    }
}

/// How one file's rows are read: its decimal separator, and the notes its rows leave.
struct RowReading {
    var separator: DecimalSeparator = .point
    let notes = RowReadingNotes()
}
