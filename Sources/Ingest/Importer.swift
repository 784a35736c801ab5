/// # Ingest — streaming CSV import into the warehouse
///
/// `leadledger import <source> FILE` ends up here. An ``Importer`` reads one file with the
/// byte-level ``CSVReader`` (1 MiB at a time: memory does not grow with the file), finds its
/// format by the header row, hands each row to the format's parser (a channel plugin's or a
/// core one), and hands the records to the warehouse's `ImportSink` — all in **one
/// transaction per file**, so a crash or kill mid-file leaves the warehouse as it was. Reading,
/// parsing, touch rules and hashing run on a second thread (``RowPipeline``), a few batches of
/// rows ahead of the writes; rows are written in file order all the same.
///
/// Rules it keeps:
/// - **Rejects, not failures.** A bad row is kept in `rejects` with file, line, column and
///   reason; the good rows land. Only a file that is not the expected format at all (empty,
///   binary, UTF-16, no matching header) is refused as a whole.
/// - **Idempotent.** The same file again (same source, same SHA-256) changes nothing and says
///   so; `reprocess` reads it again anyway. Either way, facts are keyed naturally (a lead's
///   touch at a second, a cost per day and campaign, a conversion per lead and second), so
///   overlapping files never double-count.
/// - **Channels by rule.** Web touches get their channel from the plugins' touch rules
///   (``TouchClassifier``).
/// - **Private by default.** Emails and phones become salted hashes (``IdentifierHasher``).
import ChannelKit
import Warehouse
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The outcome of importing one file.
public struct ImportResult: Sendable {
    public enum Status: Sendable, Equatable {
        case imported(runID: Int64)
        /// The same file was imported before, by this run: nothing was changed.
        case alreadyImported(previousRunID: Int64, at: Timestamp)
    }

    public let path: String
    public let source: String
    public let format: SourceFormat
    public let status: Status
    public let counts: ImportCounts
    /// The first rejected rows, for the command to show (all of them are in `rejects`).
    public let rejects: [Reject]
}

/// A refused row, as shown to people: `touches.csv:17:1 (occurred_at): reason`.
public struct Reject: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int?
    public let columnName: String?
    public let reason: String

    public var description: String {
        let place = column.map { "\(file):\(line):\($0)" } ?? "\(file):\(line)"
        let name = columnName.map { " (\($0))" } ?? ""
        return "\(place)\(name): \(reason)"
    }
}

/// Imports files into one warehouse.
public final class Importer {
    public let warehouse: Warehouse
    public let sources: [ImportSource]
    let channels: [any ChannelPlugin]
    /// The plugins' rules after the warehouse's grouping, read again for every file (a
    /// grouping set in between applies to the next file).
    private(set) var classifier: TouchClassifier
    let hasher: IdentifierHasher
    /// Called every ``progressInterval`` rows with the number of rows read so far.
    public var progress: ((Int) -> Void)?
    public var progressInterval = 10_000
    /// How many rejects a result carries for display.
    public var rejectsShown = 20
    public init(warehouse: Warehouse, channels: [any ChannelPlugin]) throws {
        self.warehouse = warehouse
        self.sources = ImportSource.all(channels: channels)
        self.channels = channels
        self.classifier = TouchClassifier(channels: channels, grouping: try ChannelGrouping.stored(in: warehouse, channels: channels))
        self.hasher = IdentifierHasher(salt: try warehouse.identifierSalt())
    }

    public func source(named id: String) throws(ImportError) -> ImportSource {
        guard let source = sources.first(where: { $0.id == id }) else {
            throw ImportError.unknownSource(id, known: sources.map(\.id))
        }
        return source
    }

    /// Imports `path` as `sourceID`, optionally forcing a format, in one transaction.
    /// `decimalSeparator` overrides the format's (`--decimal-comma`).
    public func importFile(source sourceID: String, path: String, format formatID: String? = nil, reprocess: Bool = false,
                           decimalSeparator: DecimalSeparator? = nil) throws -> ImportResult {
        let source = try source(named: sourceID)
        classifier = TouchClassifier(channels: channels, grouping: try ChannelGrouping.stored(in: warehouse, channels: channels))
        var candidates = source.formats
        if let formatID {
            guard let f = candidates.first(where: { $0.id == formatID }) else {
                throw ImportError.unknownFormat(source: source.id, format: formatID, known: candidates.map(\.id))
            }
            candidates = [f]
        }
        let expected = candidates.map { ($0.title, $0.columns.requiredList) }
        let reader: CSVReader
        do { reader = try CSVReader(path: path) } catch {
            switch error {
            case .emptyFile, .binaryFile, .wrongEncoding: throw ImportError.refused(error, source: source.id, expected: expected)
            default: throw error
            }
        }
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        // Only a file of a size imported before can be the same file: hash it first and skip the
        // parse. Any other file is hashed while it is parsed, in one pass.
        var knownChecksum: String?
        if !reprocess, try warehouse.hasImport(source: source.id, bytes: reader.fileSize) {
            let sha = try CSVReader.checksum(path: path)
            knownChecksum = sha
            if let previous = try warehouse.previousImport(source: source.id, sha256: sha) {
                return ImportResult(path: path, source: source.id, format: candidates[0], status: .alreadyImported(previousRunID: previous.id, at: previous.at),
                                    counts: ImportCounts(), rejects: [])
            }
        }

        // Find the header row within the first lines the formats allow.
        let depth = candidates.map(\.headerSearchDepth).max() ?? 1
        var match: (format: SourceFormat, header: ResolvedHeader)?
        var looked = 0
        var firstLine: [String] = []
        while match == nil, looked < depth, let record = reader.next() {
            looked += 1
            if looked == 1 { firstLine = record.fields }
            for format in candidates where looked <= format.headerSearchDepth {
                if let header = format.columns.resolve(header: record.fields) { match = (format, header); break }
            }
        }
        guard let (format, header) = match else {
            let semicolons = firstLine.joined().filter { $0 == ";" }.count
            let hint = firstLine.count == 1 && semicolons > 0
                ? "Its first line is separated by \";\": LeadLedger reads comma- or tab-separated files; export or save it as CSV with commas."
                : nil
            throw ImportError.unrecognisedHeader(path: path, source: source.id, expected: expected, hint: hint)
        }
        if let twice = format.columns.duplicated(in: header.cells) { throw ImportError.duplicateColumn(path: path, column: twice) }

        return try importRows(of: reader, path: path, fileName: fileName, source: source, format: format, header: header,
                              separator: decimalSeparator ?? format.decimalSeparator, reprocess: reprocess, knownChecksum: knownChecksum)
    }

    /// Hands the rows after the header to the warehouse's import sink (one transaction).
    private func importRows(of reader: CSVReader, path: String, fileName: String, source: ImportSource, format: SourceFormat,
                            header: ResolvedHeader, separator: DecimalSeparator, reprocess: Bool, knownChecksum: String?) throws -> ImportResult {
        let sink = try warehouse.beginImport(.file(source: source.id, format: format.id, fileName: fileName), bytes: reader.fileSize, startedAt: now())
        do {
            let runID = sink.runID!
            var counts = ImportCounts()
            var shown: [Reject] = []
            let delimiter = reader.delimiter
            func reject(_ line: Int, _ fields: [String], _ error: RowError) throws {
                counts.rejected += 1
                let reason = header.scrub(error.reason, of: fields)
                try sink.reject(fileName: fileName, line: line, column: error.column, columnName: error.columnName,
                                  reason: reason, rawRow: CSVReader.encode(header.rejectCopy(of: fields), delimiter: delimiter))
                if shown.count < rejectsShown {
                    shown.append(Reject(file: fileName, line: line, column: error.column, columnName: error.columnName, reason: reason))
                }
            }
            // Rows are read and parsed on another thread (``RowPipeline``) while this one writes.
            let pipeline = RowPipeline(reader: reader, header: header, format: format, decimalSeparator: separator, classifier: classifier,
                                       hasher: hasher, leadKeys: sink.leads.keysInMemory)
            // Rows made only of touches are written ``TouchWriter/batchSize`` touches to a
            // statement; they are counted (or refused) when their touches are written.
            var pendingRows: [(line: Int, fields: [String], touches: Int)] = []
            var pendingTouches: [TouchRow] = []
            func writePendingTouches() throws {
                guard !pendingTouches.isEmpty else { return }
                let results = try sink.touches.insert(pendingTouches)
                var next = 0
                for row in pendingRows {
                    var outcome = WriteOutcome.unchanged
                    var refused: WarehouseError?
                    for result in results[next ..< next + row.touches] {
                        switch result {
                        case .success(let o): outcome = outcome.strongest(o)
                        case .failure(let error): refused = refused ?? error
                        }
                    }
                    next += row.touches
                    if let refused { try reject(row.line, row.fields, Self.refusal(refused)) } else { counts.count(outcome) }
                }
                pipeline.recycle(pendingRows)
                pendingRows.removeAll(keepingCapacity: true)
                pendingTouches.removeAll(keepingCapacity: true)
            }
            var sha = "", bytes: Int64 = 0
            var parsingFindsEmails = false
            do {
                reading: while true {
                    switch pipeline.next() {
                    case .end(let checksum, let size):
                        (sha, bytes) = (checksum, size)
                        break reading
                    case .batch(let rows):
                        for parsed in rows {
                            if case .summary = parsed.outcome {
                                counts.summaryRows += 1
                                continue
                            }
                            counts.read += 1
                            if let progress, counts.read % progressInterval == 0 { progress(counts.read) }
                            switch parsed.outcome {
                            case .summary:
                                break
                            case .rejected(let error):
                                try reject(parsed.line, parsed.fields, error)
                            case .records(let records):
                                do {
                                    let row = SourceRow(line: parsed.line, fields: parsed.fields, header: header)
                                    if let touches = try appendTouchRows(records, row: row, channel: source.channelID, sink: sink, to: &pendingTouches) {
                                        pendingRows.append((parsed.line, parsed.fields, touches))
                                        if pendingTouches.count >= 4 * TouchWriter.batchSize { try writePendingTouches() }
                                        continue
                                    }
                                    // Other rows are written in file order after the touches before them.
                                    try writePendingTouches()
                                    var outcome = WriteOutcome.unchanged
                                    var rowLead: Int64?
                                    for r in records {
                                        outcome = outcome.strongest(try write(r, row: row, channel: source.channelID, format: format, sink: sink, rowLead: &rowLead))
                                    }
                                    counts.count(outcome)
                                    if parsed.rounded { counts.rounded += 1 }
                                } catch let error as RowError {
                                    try reject(parsed.line, parsed.fields, error)
                                } catch let error as WarehouseError {
                                    switch error {
                                    case .constraint: try reject(parsed.line, parsed.fields, Self.refusal(error))
                                    case .duplicateInFile(let reason): try reject(parsed.line, parsed.fields, RowError(column: nil, columnName: nil, reason: reason))
                                    default: throw error
                                    }
                                }
                            }
                        }
                        pipeline.recycle(consume rows)
                        // Once the writer has read every lead's email hash, the parsing side finds them.
                        if !parsingFindsEmails, let hashes = sink.leads.emailsInMemory {
                            pipeline.findLeads(byEmail: hashes)
                            parsingFindsEmails = true
                        }
                    }
                }
                try writePendingTouches()
            } catch {
                pipeline.cancel()
                throw error
            }
            if !reprocess, sha != knownChecksum, let previous = try sink.previousImport(sha256: sha) {
                sink.rollback()
                return ImportResult(path: path, source: source.id, format: format, status: .alreadyImported(previousRunID: previous.id, at: previous.at),
                                    counts: ImportCounts(read: counts.read, unchanged: counts.read), rejects: [])
            }
            try sink.commit(counts, sha256: sha, bytes: bytes, finishedAt: now())
            return ImportResult(path: path, source: source.id, format: format, status: .imported(runID: runID), counts: counts, rejects: shown)
        } catch {
            sink.rollback()
            throw error
        }
    }

    /// The source of a row's costs and metrics: the file's format and the row's `account`
    /// column, when the format has one (an ad account, a ledger's name).
    private func factSource(_ row: SourceRow, _ format: SourceFormat) -> FactSource {
        FactSource(format: format.id, account: row.value("account"))
    }

    /// Writes one record. `rowLead` is the lead the row's lead record created or merged, for
    /// the row's later records that point at it with ``LeadReference/sameRow``.
    private func write(_ prepared: PreparedRecord, row: SourceRow, channel: String?, format: SourceFormat, sink: ImportSink,
                       rowLead: inout Int64?) throws -> WriteOutcome {
        if let error = prepared.error { throw error }
        switch prepared.record {
        case .channel(.lead(let lead)):
            let (id, outcome) = try sink.leads.upsert(lead, emailHash: prepared.emailHash, phoneHash: prepared.phoneHash)
            rowLead = id
            return outcome
        case .channel(.touch(let touch)):
            guard let channel else { throw RowError(column: nil, columnName: nil, reason: "a core source cannot write channel touches") }
            return try sink.touches.insert(touchRow(touch, channel: channel, prepared: prepared, row: row, sink: sink, rowLead: rowLead))
        case .channel(.cost(let cost)):
            guard let channel else { throw RowError(column: nil, columnName: nil, reason: "a core source cannot write costs") }
            return try sink.facts.upsertCost(channel: channel, cost, source: factSource(row, format))
        case .channel(.metric(let metric)):
            guard let channel else { throw RowError(column: nil, columnName: nil, reason: "a core source cannot write channel metrics") }
            return try sink.facts.upsertMetric(channel: channel, metric, source: factSource(row, format))
        case .webTouch(let touch):
            return try sink.touches.insert(touchRow(touch, prepared: prepared, row: row, sink: sink))
        case .conversion(let conversion):
            let leadID = try requireLead(conversion.leadKey, known: prepared.leadID, row: row, sink: sink)
            return try sink.facts.insertConversion(leadID: leadID, at: conversion.at, revenue: conversion.revenue, externalID: conversion.externalID)
        case .stage(let stage):
            let leadID = try requireLead(stage.leadKey, known: prepared.leadID, row: row, sink: sink)
            return try sink.facts.insertStage(leadID: leadID, stage: stage.stage, at: stage.at)
        case .outreach(let attempt):
            let leadID = try requireLead(attempt.leadKey, known: prepared.leadID, row: row, sink: sink)
            return try sink.facts.insertOutreach(leadID: leadID, at: attempt.at, method: attempt.method, responded: attempt.responded)
        case .ledger(let named, let record):
            guard try sink.facts.hasChannel(named) else {
                throw row.error("channel", "no channel \(SourceRow.quoted(named)) in the warehouse; `leadledger channels` lists them")
            }
            switch record {
            case .cost(let cost): return try sink.facts.upsertCost(channel: named, cost, source: factSource(row, format))
            case .metric(let metric): return try sink.facts.upsertMetric(channel: named, metric, source: factSource(row, format))
            default: throw RowError(column: nil, columnName: nil, reason: "a ledger row writes costs and metrics only")
            }
        case .rate(let r):
            return try sink.facts.upsertRate(day: r.day, currency: r.currency.code, target: r.target.code, rate: r.rate)
        }
    }

    /// Appends to `touches` the touches of a row made only of touches (web touches, or a
    /// channel's touches that name their lead), to be written in batches, and says how many; nil
    /// for any other row, which is written record by record. A touch whose lead or campaign
    /// cannot be resolved refuses the whole row, before any of it is written. Either way, when
    /// it returns nil or throws, `touches` is as it was.
    private func appendTouchRows(_ records: [PreparedRecord], row: SourceRow, channel: String?, sink: ImportSink,
                                 to touches: inout [TouchRow]) throws -> Int? {
        let start = touches.count
        var complete = false
        defer { if !complete { touches.removeSubrange(start...) } }
        for prepared in records {
            guard prepared.error == nil else { return nil }
            switch prepared.record {
            case .webTouch(let touch):
                touches.append(try touchRow(touch, prepared: prepared, row: row, sink: sink))
            case .channel(.touch(let touch)):
                guard let channel else { return nil }
                if case .sameRow = touch.lead { return nil }
                touches.append(try touchRow(touch, channel: channel, prepared: prepared, row: row, sink: sink, rowLead: nil))
            default:
                return nil
            }
        }
        guard touches.count > start else { return nil }
        complete = true
        return touches.count - start
    }

    /// A channel's touch as the warehouse stores it: its lead and campaign resolved.
    private func touchRow(_ touch: TouchRecord, channel: String, prepared: PreparedRecord, row: SourceRow, sink: ImportSink, rowLead: Int64?) throws -> TouchRow {
        let leadID = try resolve(touch.lead, prepared: prepared, row: row, sink: sink, rowLead: rowLead)
        let campaign = try touch.campaign.flatMap { try sink.campaigns.id(channel: channel, campaign: $0) }
        return TouchRow(leadID: leadID, at: touch.at, channel: channel, campaignID: campaign, kind: touch.kind)
    }

    /// A web touch as the warehouse stores it: its lead, its channel (classified on the parsing
    /// side, or now) and its campaign.
    private func touchRow(_ touch: WebTouch, prepared: PreparedRecord, row: SourceRow, sink: ImportSink) throws -> TouchRow {
        let leadID = try requireLead(touch.leadKey, known: prepared.leadID, row: row, sink: sink)
        let channel = prepared.channel ?? classifier.channel(for: touch.raw)
        let campaign = try touch.utmCampaign.flatMap { try sink.campaigns.id(channel: channel, campaign: CampaignRef(name: $0)) }
        // Split here, not on the parsing side: that thread is the busier one (docs/benchmarks.md).
        let page = touch.landingPage.map(ClickIDs.split)
        return TouchRow(leadID: leadID, at: touch.at, channel: channel, campaignID: campaign, kind: touch.kind,
                        utmSource: touch.utmSource, utmMedium: touch.utmMedium, utmCampaign: touch.utmCampaign,
                        referrer: touch.referrer, page: page?.page, clickIDs: page?.clickIDs)
    }

    /// The reject reason for a value the warehouse refused (a CHECK or NOT NULL constraint).
    private static func refusal(_ error: WarehouseError) -> RowError {
        guard case .constraint(let message) = error else { return RowError(column: nil, columnName: nil, reason: error.description) }
        return RowError(column: nil, columnName: nil, reason: "refused by the warehouse: \(message)")
    }

    private func resolve(_ reference: LeadReference, prepared: PreparedRecord, row: SourceRow, sink: ImportSink, rowLead: Int64?) throws -> Int64 {
        switch reference {
        case .sameRow:
            guard let rowLead else { throw RowError(column: nil, columnName: nil, reason: "the row has no lead for its touch") }
            return rowLead
        case .key(let key):
            return try requireLead(key, known: prepared.leadID, row: row, sink: sink)
        case .email(let email, let column):
            if let known = prepared.leadID { return known }
            if let id = try sink.leads.leadID(forEmailHash: prepared.emailHash ?? hasher.hashEmail(email)) { return id }
            throw row.error(column, "no lead has this email; import the leads first, then this file again with --again")
        }
    }

    /// The lead known by `key`: `known` when the parsing side found it (``PreparedRecord/leadID``), else the sink's.
    private func requireLead(_ key: String, known: Int64?, row: SourceRow, sink: ImportSink) throws -> Int64 {
        if let known { return known }
        if let id = try sink.leads.leadID(forKey: key) { return id }
        throw row.error("lead_id", "no lead \(SourceRow.quoted(key)) is known; import the leads first, then import this file again with --again")
    }

    private func now() -> Int64 { Int64(time(nil)) }
}
