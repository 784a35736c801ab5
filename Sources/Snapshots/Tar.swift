import Ingest
#if canImport(Glibc)
import Glibc
#endif

/// A minimal POSIX ustar writer and reader for snapshot archives: regular files only,
/// mode 0644, owner 0, time 0 (so the same files give the same archive bytes).
enum Tar {
    static let block = 512

    /// Appends the file at `source` to `fd` as `name`.
    static func append(file source: String, as name: String, to fd: Int32) throws(SnapshotError) {
        var st = stat()
        guard stat(source, &st) == 0 else { throw SnapshotError.io("cannot read \(source)") }
        let size = Int(st.st_size)
        guard name.utf8.count < 100 else { throw SnapshotError.invalid("the name \(name) is too long for a tar entry") }
        var header = [UInt8](repeating: 0, count: block)
        func put(_ text: String, at offset: Int) { for (i, b) in text.utf8.enumerated() { header[offset + i] = b } }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: width - 1 - digits.count) + digits
        }
        put(name, at: 0)
        put(octal(0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)
        put("        ", at: 148)
        header[156] = UInt8(ascii: "0")
        put("ustar", at: 257)
        put("00", at: 263)
        let sum = header.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7), at: 148)
        header[155] = UInt8(ascii: " ")
        try writeAll(header, to: fd)
        let input = try wrap { try FileByteSource(path: source) }
        var buffer = [UInt8](repeating: 0, count: 1 << 18)
        var copied = 0
        while true {
            let n = try wrap { try buffer.withUnsafeMutableBytes { try input.read(into: $0) } }
            if n == 0 { break }
            try writeAll(Array(buffer[0..<n]), to: fd)
            copied += n
        }
        guard copied == size else { throw SnapshotError.io("\(source) changed while it was archived") }
        let padding = (block - size % block) % block
        if padding > 0 { try writeAll([UInt8](repeating: 0, count: padding), to: fd) }
    }

    /// Writes the two zero blocks that end an archive.
    static func finish(_ fd: Int32) throws(SnapshotError) {
        try writeAll([UInt8](repeating: 0, count: 2 * block), to: fd)
    }

    static func writeAll(_ bytes: [UInt8], to fd: Int32) throws(SnapshotError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw SnapshotError.io("cannot write the archive: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    static func wrap<T>(_ body: () throws -> T) throws(SnapshotError) -> T {
        do { return try body() } catch let e as SnapshotError { throw e } catch { throw SnapshotError.io("\(error)") }
    }

    /// Reads the entries of an archive one after another.
    final class Reader {
        struct Entry {
            let name: String
            let size: Int
        }

        private let source: FileByteSource
        private var remainingInEntry = 0
        private var paddingAfterEntry = 0

        init(path: String) throws(SnapshotError) {
            source = try wrap { try FileByteSource(path: path) }
        }

        private func readExactly(_ count: Int) throws -> [UInt8]? {
            var out = [UInt8](repeating: 0, count: count)
            var got = 0
            while got < count {
                let n = try out.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got...])) }
                if n == 0 { return got == 0 ? nil : Array(out[0..<got]) }
                got += n
            }
            return out
        }

        /// The next entry, having skipped what is left of the current one; `nil` at the end.
        /// Anything but a regular file or a directory, and any name that is absolute or
        /// climbs out with `..`, is refused.
        func next() throws -> Entry? {
            if remainingInEntry + paddingAfterEntry > 0 { _ = try readExactly(remainingInEntry + paddingAfterEntry) }
            remainingInEntry = 0
            paddingAfterEntry = 0
            guard let header = try readExactly(Tar.block) else { return nil }
            guard header.count == Tar.block else { throw SnapshotError.corrupt(table: "archive", reason: "the archive is truncated inside a header") }
            if header.allSatisfy({ $0 == 0 }) { return nil }
            let stored = Int(String(decoding: header[148..<156].prefix { $0 != 0 && $0 != 32 }, as: UTF8.self), radix: 8)
            var copy = header
            for i in 148..<156 { copy[i] = 32 }
            guard stored == copy.reduce(0, { $0 + Int($1) }) else {
                throw SnapshotError.corrupt(table: "archive", reason: "a tar header's checksum does not match (damaged archive)")
            }
            func text(_ r: Range<Int>) -> String { String(decoding: header[r].prefix { $0 != 0 }, as: UTF8.self) }
            let prefix = text(345..<500)
            let name = (prefix.isEmpty ? "" : prefix + "/") + text(0..<100)
            let type = header[156]
            guard let size = Int(text(124..<136).trimmingCharacters(), radix: 8) else {
                throw SnapshotError.corrupt(table: "archive", reason: "a tar header has no valid size")
            }
            guard type == UInt8(ascii: "0") || type == 0 || type == UInt8(ascii: "5") else {
                throw SnapshotError.invalid("the archive holds \(name), which is a link or a special file; refused")
            }
            guard !name.hasPrefix("/"), !name.split(separator: "/").contains("..") else {
                throw SnapshotError.invalid("the archive entry \(name) would be written outside the snapshot; refused")
            }
            remainingInEntry = size
            paddingAfterEntry = (Tar.block - size % Tar.block) % Tar.block
            return Entry(name: type == UInt8(ascii: "5") ? name + "/" : name, size: size)
        }

        /// The current entry's content, as a byte source bounded to it.
        func content() -> ByteSource { EntrySource(reader: self) }

        fileprivate func readContent(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            guard remainingInEntry > 0 else { return 0 }
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, remainingInEntry)]))
            if n == 0 { throw SnapshotError.corrupt(table: "archive", reason: "the archive ends inside an entry (truncated)") }
            remainingInEntry -= n
            return n
        }
    }

    private final class EntrySource: ByteSource {
        let reader: Reader
        init(reader: Reader) { self.reader = reader }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try reader.readContent(into: buffer) }
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\0" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\0" { s.removeLast() }
        return String(s)
    }
}
