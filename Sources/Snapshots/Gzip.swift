import CZlib
import Digests
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
final class GzipWriter {
    private var stream = z_stream()
    private let fd: Int32
    private var out = [UInt8](repeating: 0, count: 1 << 18)
    private(set) var hasher = SHA256()
    private(set) var uncompressedBytes: Int64 = 0
    private(set) var compressedBytes: Int64 = 0
    private var pending: [UInt8] = []

    init(path: String, level: Int32) throws(SnapshotError) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw SnapshotError.io("cannot write \(path): \(String(cString: strerror(errno)))") }
        guard czlib_deflate_init_gzip(&stream, level) == Z_OK else { close(fd); throw SnapshotError.io("zlib could not start compressing") }
        pending.reserveCapacity(1 << 16)
    }

    deinit { close(fd) }

    /// Buffers text; compresses in 64 KiB steps.
    func write(_ text: String) throws(SnapshotError) {
        pending.append(contentsOf: text.utf8)
        if pending.count >= 1 << 16 { try flush(finish: false) }
    }

    /// Compresses what is pending, and ends the stream when `finish`.
    func flush(finish: Bool) throws(SnapshotError) {
        hasher.update(pending)
        uncompressedBytes += Int64(pending.count)
        var failure: SnapshotError?
        pending.withUnsafeMutableBufferPointer { input in
            stream.next_in = input.baseAddress
            stream.avail_in = UInt32(input.count)
            repeat {
                out.withUnsafeMutableBufferPointer { o in
                    stream.next_out = o.baseAddress
                    stream.avail_out = UInt32(o.count)
                    let rc = deflate(&stream, finish ? Z_FINISH : Z_NO_FLUSH)
                    if rc == Z_STREAM_ERROR { failure = .io("zlib failed while compressing") }
                    let produced = o.count - Int(stream.avail_out)
                    if produced > 0 {
                        if Glibc.write(fd, o.baseAddress, produced) != produced { failure = .io("cannot write: \(String(cString: strerror(errno)))") }
                        compressedBytes += Int64(produced)
                    }
                }
            } while failure == nil && (stream.avail_out == 0 || (finish && stream.avail_in > 0))
        }
        pending.removeAll(keepingCapacity: true)
        if let failure { throw failure }
    }

    func finish() throws(SnapshotError) -> (sha256: String, uncompressed: Int64, compressed: Int64) {
        try flush(finish: true)
        deflateEnd(&stream)
        var h = hasher
        return (h.finalize().hex, uncompressedBytes, compressedBytes)
    }
}

/// Decompresses a gzip stream read from another source. A stream that ends early, fails its
/// CRC check, or is followed by other bytes is an error.
final class GzipByteSource: ByteSource {
    private var stream = z_stream()
    private let input: any ByteSource
    private let inBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 16)
    private var inputEnded = false
    private var finished = false
    let name: String

    init(_ input: any ByteSource, name: String) throws(SnapshotError) {
        self.input = input
        self.name = name
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
