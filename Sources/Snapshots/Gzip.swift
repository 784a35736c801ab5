import ChannelKit
import CZlib
import Digests
import Dispatch
import Ingest
#if canImport(Glibc)
import Glibc
#endif

public enum SnapshotError: Error, CustomStringConvertible, Equatable {
    case io(String)
    case corrupt(table: String, reason: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .io(let m): return m
        case .corrupt(let table, let reason): return "\(table): \(reason)"
        case .invalid(let m): return m
        }
    }
}

/// Writes a gzip stream (system zlib) to a file, keeping the SHA-256 and size of the
/// uncompressed bytes. The gzip header carries no name and a zero time, so the same input
/// gives the same bytes.
///
/// Compressing runs on a serial queue of its own while the caller hashes and formats the next
/// rows — the same overlap `sqlite3 .dump | gzip` gets from its pipe. At most four 256 KiB
/// chunks wait at a time, so memory stays flat.
final class GzipWriter: @unchecked Sendable {
    private var stream = z_stream()
    private let fd: Int32
    private let out = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1 << 18)
    private var hasher = SHA256()
    private var uncompressedBytes: Int64 = 0
    private var compressedBytes: Int64 = 0
    private var failure: SnapshotError?
    private var pending: [UInt8] = []
    private let worker = DispatchQueue(label: "leadledger.snapshot.gzip")
    private let slots = DispatchSemaphore(value: 4)
    static let chunk = 1 << 18

    init(path: String, level: Int32) throws(SnapshotError) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw SnapshotError.io("cannot write \(path): \(String(cString: strerror(errno)))") }
        guard czlib_deflate_init_gzip(&stream, level) == Z_OK else { close(fd); throw SnapshotError.io("zlib could not start compressing") }
        pending.reserveCapacity(GzipWriter.chunk + 4096)
    }

    deinit {
        close(fd)
        out.deallocate()
    }

    /// Buffers text; hands full chunks to the compressing queue.
    func write(_ text: String) {
        pending.append(contentsOf: text.utf8)
        if pending.count >= GzipWriter.chunk { handOff(finish: false) }
    }

    /// Takes a full buffer of CSV bytes (leaving `bytes` empty for reuse).
    func submit(_ bytes: inout [UInt8]) {
        pending.append(contentsOf: bytes)
        bytes.removeAll(keepingCapacity: true)
        if pending.count >= GzipWriter.chunk { handOff(finish: false) }
    }

    private func handOff(finish: Bool) {
        // Hash here and compress there: the two halves of the work are about the same size.
        hasher.update(pending)
        uncompressedBytes += Int64(pending.count)
        let chunk = pending
        pending = []
        pending.reserveCapacity(GzipWriter.chunk + 4096)
        slots.wait()
        worker.async {
            self.compress(chunk, finish: finish)
            self.slots.signal()
        }
    }

    /// Runs on the worker queue only.
    private func compress(_ input: [UInt8], finish: Bool) {
        guard failure == nil else { return }
        var input = input
        input.withUnsafeMutableBufferPointer { buffer in
            stream.next_in = buffer.baseAddress
            stream.avail_in = UInt32(buffer.count)
            repeat {
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                if deflate(&stream, finish ? Z_FINISH : Z_NO_FLUSH) == Z_STREAM_ERROR { failure = .io("zlib failed while compressing"); return }
                let produced = out.count - Int(stream.avail_out)
                var written = 0
                while written < produced {
                    // A full disk shows as a short write first, then -1 with ENOSPC.
                    let n = Glibc.write(fd, out.baseAddress! + written, produced - written)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else {
                        failure = .io("cannot write the snapshot: \(n == 0 ? "the device took no more bytes" : String(cString: strerror(errno)))")
                        return
                    }
                    written += n
                }
                compressedBytes += Int64(produced)
            } while stream.avail_out == 0 || (finish && stream.avail_in > 0)
        }
    }

    func finish() throws(SnapshotError) -> (sha256: String, uncompressed: Int64, compressed: Int64) {
        handOff(finish: true)
        let result = worker.sync { () -> Result<(String, Int64, Int64), SnapshotError> in
            deflateEnd(&stream)
            if let failure { return .failure(failure) }
            var h = hasher
            return .success((h.finalize().hex, uncompressedBytes, compressedBytes))
        }
        return try result.get()
    }
}

/// Decompresses a gzip stream read from another source. A stream that ends early, fails its
/// CRC check, or is followed by other bytes is an error — and so is one that inflates past its
/// declared size or past ``maximumRatio`` times the compressed bytes read so far (plus
/// ``ratioAllowance``): a decompression bomb is refused after inflating about that much, so time
/// and memory stay bounded by the bytes actually inflated.
final class GzipByteSource: ByteSource {
    /// How many times its compressed size a member may inflate to. LeadLedger's own tables
    /// compress 1–10× (docs/snapshots.md); deflate's own limit is about 1,032×.
    static let maximumRatio: UInt64 = 200
    /// Inflated bytes always allowed, whatever the ratio (small tables compress badly anyway).
    static let ratioAllowance: UInt64 = 1 << 20
    private let maximumOutput: UInt64
    private var stream = z_stream()
    private let input: any ByteSource
    private let inBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 16)
    private var inputEnded = false
    private var finished = false
    let name: String

    /// - Parameter maximumOutput: the size the stream may inflate to at most (a manifest's
    ///   declared size).
    init(_ input: any ByteSource, name: String, maximumOutput: Int64 = .max) throws(SnapshotError) {
        self.input = input
        self.name = name
        self.maximumOutput = UInt64(max(0, maximumOutput))
        guard czlib_inflate_init_gzip(&stream) == Z_OK else { throw SnapshotError.io("zlib could not start decompressing") }
    }

    deinit {
        inflateEnd(&stream)
        inBuffer.deallocate()
    }

    func read(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        if finished || out.isEmpty { return 0 }
        stream.next_out = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
        stream.avail_out = UInt32(out.count)
        while stream.avail_out > 0 {
            if stream.avail_in == 0 {
                if inputEnded { throw SnapshotError.corrupt(table: name, reason: "the file ends before its gzip stream does (truncated)") }
                let n = try input.read(into: inBuffer)
                if n == 0 { inputEnded = true; continue }
                stream.next_in = inBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
                stream.avail_in = UInt32(n)
            }
            let rc = inflate(&stream, Z_NO_FLUSH)
            let inflated = UInt64(stream.total_out), compressed = UInt64(stream.total_in)
            if inflated > maximumOutput {
                throw SnapshotError.corrupt(table: name, reason: "it inflates past the \(maximumOutput) bytes its manifest declares")
            }
            if inflated > Self.maximumRatio * compressed + Self.ratioAllowance {
                throw SnapshotError.corrupt(table: name, reason: "it inflates more than \(Self.maximumRatio) times its compressed size (a decompression bomb?)")
            }
            if rc == Z_STREAM_END {
                finished = true
                let trailing = stream.avail_in > 0 ? Int(stream.avail_in) : try input.read(into: inBuffer)
                if trailing > 0 {
                    throw SnapshotError.corrupt(table: name, reason: "there are bytes after the end of the gzip stream")
                }
                break
            }
            if rc == Z_BUF_ERROR && stream.avail_in == 0 { continue }
            if rc != Z_OK {
                let detail = stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                throw SnapshotError.corrupt(table: name, reason: "the gzip data is damaged (\(detail))")
            }
        }
        return out.count - Int(stream.avail_out)
    }
}

/// CSV fields appended as bytes to a local buffer: no Strings and no dynamic exclusivity checks
/// on the export's hot path.
struct CSVBytes {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(GzipWriter.chunk + 4096) }

    var isFull: Bool { bytes.count >= GzipWriter.chunk }

    @inline(__always) mutating func byte(_ b: UInt8) { bytes.append(b) }

    mutating func string(_ s: String) { bytes.append(contentsOf: s.utf8) }

    mutating func endLine() { bytes.append(13); bytes.append(10) }

    mutating func integer(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(truncatingIfNeeded: magnitude / divisor) + 48)
            magnitude %= divisor
            divisor /= 10
        }
    }

    /// Zero-padded to `width` digits.
    mutating func padded(_ value: Int, _ width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 { bytes.append(UInt8(v / divisor % 10) + 48); v %= divisor; divisor /= 10 }
    }

    /// ISO 8601 UTC, as ``Timestamp`` prints it.
    mutating func timestamp(_ seconds: Int64) {
        let day = Timestamp(secondsSinceEpoch: seconds).day
        let (y, m, d) = day.components
        let second = Int(seconds - Int64(day.daysSinceEpoch) * 86_400)
        padded(y, 4); bytes.append(45); padded(m, 2); bytes.append(45); padded(d, 2); bytes.append(84)
        padded(second / 3600, 2); bytes.append(58); padded(second / 60 % 60, 2); bytes.append(58); padded(second % 60, 2); bytes.append(90)
    }

    /// RFC 4180 text: quoted when it holds a comma, a quote or a line break, and when empty.
    mutating func text(_ field: UnsafeBufferPointer<UInt8>) {
        let needsQuotes = field.isEmpty || field.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }
        guard needsQuotes else { bytes.append(contentsOf: field); return }
        bytes.append(34)
        for b in field { if b == 34 { bytes.append(34) }; bytes.append(b) }
        bytes.append(34)
    }
}
