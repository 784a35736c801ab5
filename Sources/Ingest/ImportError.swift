/// Why a whole file was refused. Row-level problems never throw: they go to rejects.
public enum ImportError: Error, CustomStringConvertible, Equatable {
    case cannotRead(path: String, reason: String)
    case emptyFile(path: String)
    case binaryFile(path: String)
    case wrongEncoding(path: String, found: String)
    case unknownSource(String, known: [String])
    case unknownFormat(source: String, format: String, known: [String])
    case unrecognisedHeader(path: String, source: String, expected: [(title: String, columns: String)], hint: String? = nil)
    /// A header that names one column twice: which of the two holds the value cannot be known.
    case duplicateColumn(path: String, column: String)
    /// A file refused before its header was read (empty, binary, UTF-16), with what was expected.
    indirect case refused(ImportError, source: String, expected: [(title: String, columns: String)])

    public var description: String {
        switch self {
        case .cannotRead(let path, let reason): return "cannot read \(path): \(reason)"
        case .emptyFile(let path): return "\(path) is empty; expected a CSV file with a header row"
        case .binaryFile(let path): return "\(path) is not a text file (it contains NUL bytes); expected a UTF-8 CSV export"
        case .wrongEncoding(let path, let found):
            return "\(path) is encoded as \(found); LeadLedger reads UTF-8. Re-save it as UTF-8 CSV (for example: iconv -f UTF-16 -t UTF-8)"
        case .unknownSource(let source, let known):
            return "unknown source \"\(source)\"; expected one of: \(known.joined(separator: ", "))"
        case .unknownFormat(let source, let format, let known):
            return "\(source) has no format \"\(format)\"; expected one of: \(known.joined(separator: ", "))"
        case .unrecognisedHeader(let path, let source, let expected, let hint):
            return "\(path) is not a \(source) file LeadLedger knows: no header row matches.\(hint.map { " " + $0 } ?? "") Expected the columns of\n"
                + Self.list(expected)
        case .duplicateColumn(let path, let column):
            return "\(path) names the column \"\(column)\" twice in its header; LeadLedger cannot tell which one holds the value. Remove or rename one"
        case .refused(let reason, let source, let expected):
            return "\(reason)\nA \(source) file has the columns of\n" + Self.list(expected)
        }
    }

    private static func list(_ expected: [(title: String, columns: String)]) -> String {
        expected.map { "  - \($0.title): \($0.columns)" }.joined(separator: "\n")
    }

    public static func == (a: ImportError, b: ImportError) -> Bool { a.description == b.description }
}
