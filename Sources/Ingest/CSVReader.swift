#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Digests

/// A streaming, byte-level reader of RFC 4180 CSV (and tab-separated) files.
///
/// It reads the file in 1 MiB chunks, so memory does not grow with the file, and computes
/// the file's SHA-256 as it goes. It handles quoted fields with embedded delimiters, quotes
/// (`""`) and line breaks, CRLF and LF line ends, and a UTF-8 byte-order mark. Line numbers
/// are physical: a record that spans lines is reported at its first line.
///
/// A file that cannot be text is refused up front: an empty file, one with NUL bytes
/// (binary), or one in UTF-16 (with or without a byte-order mark).
///
/// Memory stays bounded whatever the input: a field keeps at most ``maxFieldBytes`` bytes and a
/// record at most ``maxFields`` fields; a longer one is flagged (``Record/oversizedColumn``,
/// ``Record/droppedFields``) for the caller to refuse.
public final class CSVReader {
    /// The longest field kept, in bytes (64 KiB: far above any URL, name or note an export holds).
    public static let defaultMaxFieldBytes = 1 << 16
    public let maxFieldBytes: Int
    /// The most bytes a record keeps over all its fields (1 MiB by default).
    public static let defaultMaxRecordBytes = 1 << 20
    public let maxRecordBytes: Int
    /// The most fields a record keeps.
    public static let maxFields = 4_096

    public struct Record: Sendable {
        /// 1-based line of the record's first line.
        public let line: Int
        public let fields: [String]
        /// 1-based column of the first field that is not valid UTF-8, if any.
        public let invalidUTF8Column: Int?
        /// True when the file ended inside a quoted field.
        public var unterminatedQuote = false
        /// Bit i is set when field i (of the first 64) was quoted: tells `""` (an empty
        /// string) from an empty field (a missing value) where that matters (snapshots).
        public var quotedMask: UInt64 = 0
        /// 1-based column of the first field longer than the reader's ``CSVReader/maxFieldBytes``,
        /// or that took the record past ``CSVReader/maxRecordBytes`` (kept cut), if any.
        public var oversizedColumn: Int?
        /// Fields past ``CSVReader/maxFields``, counted but not kept.
        public var droppedFields = 0

        /// How many fields the record has, kept or not.
        public var fieldCount: Int { fields.count + droppedFields }

        public func wasQuoted(_ field: Int) -> Bool { field < 64 && quotedMask & (1 << UInt64(field)) != 0 }
    }

    public let path: String
    public private(set) var delimiter = UInt8(ascii: ",")
    private let source: any ByteSource
    /// The first error the source reported (a corrupt compressed stream); reading stops there.
    public private(set) var readError: (any Error)?
    private var buffer: UnsafeMutableRawBufferPointer
    private var position = 0
    private var end = 0
    private var atEOF = false
    private var line = 1
    private var hasher = SHA256()
    public private(set) var bytesRead: Int64 = 0
    /// The file's size when it was opened.
    public let fileSize: Int64
    private var field: [UInt8] = []
    /// True until the first field is complete: a UTF-8 byte-order mark there is dropped.
    private var atStartOfFile = true

    public init(path: String, chunkSize: Int = 1 << 20, maxFieldBytes: Int = CSVReader.defaultMaxFieldBytes,
                maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes) throws(ImportError) {
        self.path = path
        self.maxFieldBytes = maxFieldBytes
        self.maxRecordBytes = maxRecordBytes
        var st = stat()
        guard stat(path, &st) == 0 else { throw ImportError.cannotRead(path: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ImportError.cannotRead(path: path, reason: "not a regular file") }
        fileSize = Int64(st.st_size)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ImportError.cannotRead(path: path, reason: String(cString: strerror(errno))) }
        source = FileByteSource(fd: fd)
        buffer = .allocate(byteCount: chunkSize, alignment: 16)
        field.reserveCapacity(256)
        refill()
        try checkStart()
    }

    /// Reads CSV from any byte source (a decompressing stream), comma-separated, with no
    /// checks for binary content. `name` is used in messages.
    public init(source: any ByteSource, name: String, chunkSize: Int = 1 << 20, maxFieldBytes: Int = CSVReader.defaultMaxFieldBytes,
                maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes) {
        self.path = name
        self.maxFieldBytes = maxFieldBytes
        self.maxRecordBytes = maxRecordBytes
        self.source = source
        fileSize = -1
        buffer = .allocate(byteCount: chunkSize, alignment: 16)
        field.reserveCapacity(256)
        refill()
    }

    deinit {
        buffer.deallocate()
    }

    /// SHA-256 of a whole file, read in chunks, without parsing it.
    public static func checksum(path: String) throws(ImportError) -> String {
        let source = try FileByteSource(path: path)
        var hasher = SHA256()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        do {
            while case let n = try source.read(into: chunk), n > 0 {
                hasher.update(UnsafeBufferPointer(start: chunk.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n))
            }
        } catch {
            throw ImportError.cannotRead(path: path, reason: "\(error)")
        }
        return hasher.finalize().hex
    }

    /// SHA-256 of every byte read so far; after the last record, of the whole file.
    public func finishChecksum() -> String {
        while !atEOF { position = end; refill() }
        var h = hasher
        return h.finalize().hex
    }

    /// The next record, or `nil` at the end of the file. Blank lines are skipped.
    public func next() -> Record? {
        while true {
            guard let record = readRecord() else { return nil }
            if record.fields.count == 1 && record.fields[0].isEmpty { continue }
            return record
        }
    }

    /// Joins fields back into one CSV line, quoting where needed: how a rejected row is kept.
    public func encode(_ fields: [String]) -> String { Self.encode(fields, delimiter: delimiter) }

    /// ``encode(_:)`` for a file with this delimiter.
    public static func encode(_ fields: [String], delimiter: UInt8) -> String {
        let d = Character(Unicode.Scalar(delimiter))
        return fields.map { f in
            f.contains(where: { $0 == d || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + f.replacingOccurrencesOfQuote() + "\"" : f
        }.joined(separator: String(d))
    }

    // MARK: - Reading

    private func refill() {
        if position < end {
            // Keep unread bytes (never happens with byte-at-a-time reading, kept for safety).
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[position..<end]))
            end -= position
        } else {
            end = 0
        }
        position = 0
        guard readError == nil else { atEOF = true; return }
        do {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            if n > 0 {
                hasher.update(UnsafeBufferPointer(start: (buffer.baseAddress! + end).assumingMemoryBound(to: UInt8.self), count: n))
                end += n
                bytesRead += Int64(n)
            } else {
                atEOF = true
            }
        } catch {
            readError = error
            atEOF = true
        }
    }

    private func checkStart() throws(ImportError) {
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<end])
        if end == 0 { throw ImportError.emptyFile(path: path) }
        if end >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            throw ImportError.wrongEncoding(path: path, found: "UTF-16")
        }
        if bytes.contains(0) {
            // UTF-16 text without a byte-order mark: ASCII characters leave every other byte 0.
            let sample = bytes.prefix(4096)
            let zerosAtEven = stride(from: 0, to: sample.count, by: 2).filter { sample[$0] == 0 }.count
            let zerosAtOdd = stride(from: 1, to: sample.count, by: 2).filter { sample[$0] == 0 }.count
            let half = sample.count / 2
            if half > 0, max(zerosAtEven, zerosAtOdd) * 10 >= half * 9, min(zerosAtEven, zerosAtOdd) * 10 <= half {
                throw ImportError.wrongEncoding(path: path, found: "UTF-16 (without a byte-order mark)")
            }
            throw ImportError.binaryFile(path: path)
        }
        // Tab-separated when the first lines hold more tabs than commas (Meta's lead exports).
        var tabs = 0, commas = 0, lines = 0
        for b in bytes[position...] {
            if b == 9 { tabs += 1 } else if b == 44 { commas += 1 } else if b == 10 { lines += 1; if lines == 20 { break } }
        }
        if tabs > commas { delimiter = 9 }
    }

    @inline(__always)
    private func peekByte() -> UInt8? {
        if position == end {
            if atEOF { return nil }
            refill()
            if position == end { return nil }
        }
        return buffer[position]
    }

    private func readRecord() -> Record? {
        guard peekByte() != nil else { return nil }
        let startLine = line
        var fields: [String] = []
        var invalid: Int?
        // The field being read and the start-of-file flag are this call's locals, taken from the
        // reader and given back at the end (the field's storage is kept from record to record):
        // used in place, each use of a class's stored property is checked for exclusive access
        // at run time, twice a field — 5 % of the parsing thread's instructions (callgrind).
        var field = self.field, atStartOfFile = self.atStartOfFile
        self.field = []
        defer { (self.field, self.atStartOfFile) = (field, atStartOfFile) }
        field.removeAll(keepingCapacity: true)
        var inQuotes = false
        var quotedField = false
        var quotedMask: UInt64 = 0
        var oversized: Int?
        var dropped = 0
        // The most the current field may keep: its own limit, and what the record has left.
        var fieldLimit = min(self.maxFieldBytes, self.maxRecordBytes)
        var recordLeft = self.maxRecordBytes

        func endField() {
            guard fields.count < CSVReader.maxFields else {
                dropped += 1
                field.removeAll(keepingCapacity: true)
                quotedField = false
                return
            }
            if quotedField && fields.count < 64 { quotedMask |= 1 << UInt64(fields.count) }
            if atStartOfFile {
                atStartOfFile = false
                if field.starts(with: [0xEF, 0xBB, 0xBF]) { field.removeFirst(3) }
            }
            // `String(decoding:)` puts U+FFFD in place of bytes that are not UTF-8, so the field
            // was valid exactly when the string's bytes are the field's. (`String(validating:)`
            // says so directly but is not specialised: a tenth of the parsing thread's time went
            // to its generic-metadata lookups.) An ASCII field needs no comparison.
            let s = String(decoding: field, as: UTF8.self)
            if !field.allSatisfy({ $0 < 0x80 }) && !s.utf8.elementsEqual(field) {
                if invalid == nil { invalid = fields.count + 1 }
            }
            fields.append(s)
            recordLeft -= field.count
            fieldLimit = min(self.maxFieldBytes, recordLeft)
            field.removeAll(keepingCapacity: true)
            quotedField = false
        }

        let quote = UInt8(ascii: "\"")
        let delimiter = self.delimiter
        while true {
            if position == end {
                if atEOF { break }
                refill()
                if position == end { break }
            }
            let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            // Copy the run of ordinary bytes up to the next byte that means something.
            var i = position
            if inQuotes {
                while i < end && base[i] != quote {
                    if base[i] == 10 { line += 1 }
                    i += 1
                }
            } else {
                while i < end {
                    let c = base[i]
                    if c == delimiter || c == quote || c == 10 || c == 13 { break }
                    i += 1
                }
            }
            if i > position {
                let room = fieldLimit - field.count
                if i - position > room {
                    if oversized == nil { oversized = fields.count + dropped + 1 }
                    if room > 0 { field.append(contentsOf: UnsafeBufferPointer(start: base + position, count: room)) }
                } else {
                    field.append(contentsOf: UnsafeBufferPointer(start: base + position, count: i - position))
                }
            }
            position = i
            if i == end { continue }
            let b = base[i]
            position += 1
            if inQuotes {
                // b is a quote: an escaped quote ("") or the end of the quoted part.
                if peekByte() == quote {
                    position += 1
                    if field.count < fieldLimit { field.append(quote) } else if oversized == nil { oversized = fields.count + dropped + 1 }
                } else {
                    inQuotes = false
                }
                continue
            }
            switch b {
            case delimiter:
                endField()
            case quote:
                let fieldStart = field.isEmpty || (atStartOfFile && field == [0xEF, 0xBB, 0xBF])
                if fieldStart && !quotedField { inQuotes = true; quotedField = true } else if field.count < fieldLimit { field.append(b) } else if oversized == nil { oversized = fields.count + dropped + 1 }
            case 13:
                if peekByte() == 10 { continue }
                line += 1
                endField()
                return Record(line: startLine, fields: fields, invalidUTF8Column: invalid, quotedMask: quotedMask, oversizedColumn: oversized, droppedFields: dropped)
            default:  // 10
                line += 1
                endField()
                return Record(line: startLine, fields: fields, invalidUTF8Column: invalid, quotedMask: quotedMask, oversizedColumn: oversized, droppedFields: dropped)
            }
        }
        endField()
        return Record(line: startLine, fields: fields, invalidUTF8Column: invalid, unterminatedQuote: inQuotes, quotedMask: quotedMask,
                      oversizedColumn: oversized, droppedFields: dropped)
    }
}

/// Where a ``CSVReader`` gets its bytes: a file, or a stream that decompresses one.
public protocol ByteSource: AnyObject {
    /// Fills the start of `buffer`; returns how many bytes, 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A file descriptor, closed when the source is released.
public final class FileByteSource: ByteSource {
    let fd: Int32

    public init(fd: Int32) { self.fd = fd }

    /// Opens `path` for reading.
    public convenience init(path: String) throws(ImportError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ImportError.cannotRead(path: path, reason: String(cString: strerror(errno))) }
        self.init(fd: fd)
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw ImportError.cannotRead(path: "file", reason: String(cString: strerror(errno))) }
        }
    }
}

extension String {
    func replacingOccurrencesOfQuote() -> String {
        var out = ""
        for c in self { if c == "\"" { out += "\"\"" } else { out.append(c) } }
        return out
    }
}
