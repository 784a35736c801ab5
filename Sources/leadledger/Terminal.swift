#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Reports

/// Writing to the terminal: progress only when stderr is a terminal, quiet when piped.
enum Terminal {
    static let stderrIsTerminal = isatty(2) == 1

    static func error(_ text: String) {
        writeErr(text + "\n")
    }

    /// A progress line rewritten in place, on a terminal only.
    static func progress(_ text: String) {
        guard stderrIsTerminal else { return }
        writeErr("\r\u{1B}[K" + text)
    }

    static func clearProgress() {
        guard stderrIsTerminal else { return }
        writeErr("\r\u{1B}[K")
    }

    /// Prints a report line by line (a million-row table is never one string in memory).
    static func print(_ table: ReportTable, _ format: ReportTable.Format) {
        table.write(format) { Swift.print($0, terminator: "") }
    }

    static func writeErr(_ text: String) {
        var text = text
        text.withUTF8 { buffer in _ = write(2, buffer.baseAddress, buffer.count) }
    }

    static func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
