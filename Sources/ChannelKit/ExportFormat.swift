/// A file format a channel plugin imports, such as Meta Ads Manager's daily campaign report:
/// its rows become ``ChannelRecord``s.
public typealias ExportFormat = RowFormat<[ChannelRecord]>

/// A CSV file format: how to recognise it by its header, what its columns mean, and how one
/// row becomes an `Output`.
///
/// The host recognises a file as this format when one of its first ``headerSearchDepth``
/// lines holds every required column (so exports with a few lines of preamble, like
/// LinkedIn's, work), then hands each following row to ``parse``.
public struct RowFormat<Output>: Sendable {
    public typealias Parser = @Sendable (SourceRow) throws(RowError) -> Output

    /// Stable identifier, unique within its source (`"meta-ads"`), usable as `--format`.
    public let id: String
    /// Human name (`"Meta Ads Manager campaign report (daily)"`).
    public let title: String
    /// What the file is and how to get it from the platform.
    public let summary: String
    public let columns: [ColumnSpec]
    /// How many lines from the top may hold the header row.
    public let headerSearchDepth: Int
    /// A small valid example of the file, shown in docs and parsed by the tests.
    public let example: String
    /// How the format writes decimals; `.comma` for exports that write `1.234,56`. The
    /// import's `--decimal-comma` option says the same for one file.
    public let decimalSeparator: DecimalSeparator
    /// Rows after the header that are the export's own summary, not data — a `Total: Account`
    /// row, a copyright footer. The host skips and counts them; they are never parsed or rejected.
    public let summaryRows: SummaryRowRule?
    public let parse: Parser

    public init(
        id: String, title: String, summary: String, columns: [ColumnSpec], headerSearchDepth: Int = 1,
        decimalSeparator: DecimalSeparator = .point, summaryRows: SummaryRowRule? = nil, example: String, parse: @escaping Parser
    ) {
        self.id = id
        self.title = title
        self.summary = summary
        self.columns = columns
        self.headerSearchDepth = headerSearchDepth
        self.decimalSeparator = decimalSeparator
        self.summaryRows = summaryRows
        self.example = example
        self.parse = parse
    }

    /// The same format with its output transformed (how the host wraps a plugin's records).
    public func map<T>(_ transform: @escaping @Sendable (Output) -> T) -> RowFormat<T> {
        let parse = self.parse
        return RowFormat<T>(id: id, title: title, summary: summary, columns: columns, headerSearchDepth: headerSearchDepth,
                            decimalSeparator: decimalSeparator, summaryRows: summaryRows, example: example) { (row) throws(RowError) in transform(try parse(row)) }
    }

    /// Matches a header row against ``columns``. Returns `nil` unless every required column
    /// is present.
    public func resolve(header cells: [String]) -> ResolvedHeader? {
        columns.resolve(header: cells)
    }
}

extension [ColumnSpec] {
    /// The header row's cells matched to these columns (case-insensitive, spaces trimmed),
    /// or `nil` when a required column is missing.
    public func resolve(header cells: [String]) -> ResolvedHeader? {
        var indexByKey: [String: Int] = [:]
        let normalised = cells.map { $0.trimmingSpaces.lowercased() }
        for column in self {
            let names = column.names.map { $0.lowercased() }
            let index = normalised.firstIndex { cell in
                names.contains { column.matchesPrefix ? cell.hasPrefix($0) : cell == $0 }
            }
            if let index { indexByKey[column.key] = index } else if column.isRequired { return nil }
        }
        let personal = Set(filter(\.isPersonal).map(\.key))
        let kept = Set(indexByKey.filter { !personal.contains($0.key) }.values)
        return ResolvedHeader(cells: cells, indexByKey: indexByKey, keptForRejects: kept)
    }

    /// The first header cell (as written) that one of these columns matches more than once, if any.
    public func duplicated(in cells: [String]) -> String? {
        let normalised = cells.map { $0.trimmingSpaces.lowercased() }
        for column in self {
            let names = column.names.map { $0.lowercased() }
            let matching = normalised.indices.filter { i in names.contains { column.matchesPrefix ? normalised[i].hasPrefix($0) : normalised[i] == $0 } }
            if matching.count > 1 { return cells[matching[1]] }
        }
        return nil
    }

    /// The header cells of the required columns, for messages: `"Day", "Campaign name", …`.
    public var requiredList: String {
        filter(\.isRequired).map { "\"\($0.names[0])\($0.matchesPrefix ? "…" : "")\"" }.joined(separator: ", ")
    }
}

/// One column a format reads.
public struct ColumnSpec: Sendable {
    /// The name the parser asks for (`"spend"`), independent of the export's wording.
    public let key: String
    /// Header texts that denote the column, first one canonical; compared case-insensitively.
    public let names: [String]
    /// When true, a header cell that *starts with* a name matches (`Amount spent (USD)`).
    public let matchesPrefix: Bool
    public let isRequired: Bool
    public let description: String
    /// Personal data (an email, a phone, a name, free-text notes): never kept in plain text,
    /// not even in the rejects table. Keys `email`, `phone`, `name` and `notes` are personal
    /// whatever this says.
    public let isPersonal: Bool

    public init(_ key: String, names: [String], prefix: Bool = false, required: Bool = true, personal: Bool = false, description: String) {
        self.key = key
        self.names = names
        self.matchesPrefix = prefix
        self.isRequired = required
        self.isPersonal = personal || ColumnSpec.personalKeys.contains(key)
        self.description = description
    }

    public static let personalKeys: Set<String> = ["email", "phone", "name", "notes"]
}

/// A header row matched against a format's columns.
public struct ResolvedHeader: Sendable {
    public let cells: [String]
    public let indexByKey: [String: Int]
    /// Indices of the columns the format reads that are not personal: the only ones a reject
    /// keeps in its copy of the row.
    public let keptForRejects: Set<Int>
    /// `indexByKey` as pairs, for ``index(of:)``.
    private let indexPairs: [(key: String, length: Int, index: Int)]

    public init(cells: [String], indexByKey: [String: Int], keptForRejects: Set<Int>? = nil) {
        self.cells = cells
        self.indexByKey = indexByKey
        self.keptForRejects = keptForRejects ?? Set(indexByKey.values)
        indexPairs = indexByKey.map { ($0.key, $0.key.utf8.count, $0.value) }
    }

    /// The index of the column with key `key`, as `indexByKey` says. A format has a dozen keys
    /// or so, and comparing them in turn costs less than hashing the key (a parser asks for
    /// every column of every row); lengths first, as unequal strings of equal length take
    /// `String`'s slow comparison.
    public func index(of key: String) -> Int? {
        let length = key.utf8.count
        return indexPairs.first { $0.length == length && $0.key == key }?.index
    }

    /// `reason` with every value of the row that a reject does not keep (personal columns, and
    /// columns the format does not read) replaced by `[personal]`: whatever a parser wrote, a
    /// reason never carries such a value into `rejects` or onto the screen.
    public func scrub(_ reason: String, of fields: [String]) -> String {
        var reason = reason
        for i in fields.indices where !keptForRejects.contains(i) {
            let value = fields[i].trimmingSpaces
            // Values of one or two characters would blank out ordinary words; they identify nobody.
            if value.count >= 3, reason.contains(value) { reason = reason.replacing(value, with: "[personal]") }
        }
        return reason
    }

    /// The row as a reject keeps it: the columns the format reads as they were, personal ones
    /// as `[personal]`, and columns it does not read (which may hold anything) as `[not kept]`.
    public func rejectCopy(of fields: [String]) -> [String] {
        let read = Set(indexByKey.values)
        return fields.indices.map { i in
            if keptForRejects.contains(i) || fields[i].isEmpty { return fields[i] }
            return read.contains(i) ? "[personal]" : "[not kept]"
        }
    }
}

/// Why a row was refused: which column (1-based, with its header text) and a reason
/// written for people.
public struct RowError: Error, Sendable, Equatable {
    public let column: Int?
    public let columnName: String?
    public let reason: String

    public init(column: Int?, columnName: String?, reason: String) {
        self.column = column
        self.columnName = columnName
        self.reason = reason
    }
}

/// What reading a file's rows noticed that is no error: amounts rounded to the currency's
/// minor unit. One per file, used by the one thread that parses its rows.
public final class RowReadingNotes: @unchecked Sendable {
    /// Amounts with digits beyond their currency's minor unit, rounded.
    public private(set) var roundedAmounts = 0
    public init() {}
    func noteRounded() { roundedAmounts += 1 }
}

/// One data row of an export, as a plugin sees it: values by column key, plus typed
/// accessors that fail with a ``RowError`` naming the column.
///
/// A reason never quotes a value of a personal column; numbers and money are quoted by no
/// accessor (the reason says what is wrong with them instead).
public struct SourceRow: Sendable {
    /// 1-based line number of the row's first line in the file.
    public let line: Int
    public let fields: [String]
    public let header: ResolvedHeader
    /// How the file writes decimals.
    public let decimalSeparator: DecimalSeparator
    public let notes: RowReadingNotes?

    public init(line: Int, fields: [String], header: ResolvedHeader, decimalSeparator: DecimalSeparator = .point, notes: RowReadingNotes? = nil) {
        self.line = line
        self.fields = fields
        self.header = header
        self.decimalSeparator = decimalSeparator
        self.notes = notes
    }

    /// The trimmed value of a column, or `nil` when the column is absent or the cell empty.
    public func value(_ key: String) -> String? {
        guard let index = header.index(of: key), index < fields.count else { return nil }
        let trimmed = fields[index].trimmingSpaces
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The header text of a column as the file wrote it (`Amount spent (USD)`).
    public func headerText(_ key: String) -> String? {
        header.index(of: key).map { header.cells[$0] }
    }

    /// A ``RowError`` pointing at a column.
    public func error(_ key: String, _ reason: String) -> RowError {
        let index = header.index(of: key)
        return RowError(column: index.map { $0 + 1 }, columnName: index.map { header.cells[$0] } ?? key, reason: reason)
    }

    public func required(_ key: String) throws(RowError) -> String {
        guard let v = value(key) else { throw error(key, "is empty; a value is required") }
        return v
    }

    public func timestamp(_ key: String) throws(RowError) -> Timestamp {
        let text = try required(key)
        guard let t = Timestamp.parse(text) else {
            throw error(key, "\(Self.quoted(text)) is not a date-time; expected ISO 8601 such as 2026-01-15T09:30:00Z")
        }
        return t
    }

    public func day(_ key: String) throws(RowError) -> Day {
        let text = try required(key)
        guard let d = Day.parse(text) else {
            throw error(key, "\(Self.quoted(text)) is not a date; expected YYYY-MM-DD or M/D/YYYY")
        }
        return d
    }

    /// A non-negative whole count; an empty cell is 0 (platforms leave zero cells blank).
    /// Thousands may be grouped (`1,234`); at most ``maximumCount``.
    public func count(_ key: String) throws(RowError) -> Int {
        guard let text = value(key) else { return 0 }
        let number = try self.number(key, text)
        guard let n = number.integer, n >= 0 else { throw error(key, "\(Self.quoted(text)) is not a whole non-negative number") }
        guard n <= Self.maximumCount else { throw error(key, "\(Self.quoted(text)) is beyond the largest count accepted (10^12)") }
        return Int(n)
    }

    /// The largest count a row may give (impressions, clicks, sends…): 10¹², so that sums over
    /// years of rows stay exact in a `Double` and far from Int64's limit.
    public static let maximumCount: Int64 = 1_000_000_000_000

    /// A non-negative amount of money; an empty cell is zero. `negative` says why a negative
    /// amount is refused.
    public func money(_ key: String, currency: Currency, negative: String = "a cost cannot be negative") throws(RowError) -> Money {
        guard let text = value(key) else { return Money(minorUnits: 0, currency: currency) }
        let m: Money
        switch Money.read(text, currency: currency, separator: decimalSeparator) {
        case .success(let read):
            if read.rounded { notes?.noteRounded() }
            m = read.money
        case .failure(let e):
            throw error(key, "\(Self.quoted(text)) \(e.reason)")
        }
        guard m.minorUnits >= 0 else { throw error(key, "\(Self.quoted(text)) is negative; \(negative)") }
        return m
    }

    /// A non-negative decimal number (an average position such as `4.3`), at most `maximum`.
    public func decimal(_ key: String, maximum: Double = 1e12) throws(RowError) -> Double {
        let text = try required(key)
        let v = try number(key, text)
        guard !v.negative || v.double == 0 else { throw error(key, "\(Self.quoted(text)) is negative; a non-negative number is required") }
        guard v.double <= maximum else { throw error(key, "\(Self.quoted(text)) is beyond the largest value accepted here (\(maximum == maximum.rounded() && maximum < 1e15 ? String(Int64(maximum)) : "\(maximum)"))") }
        return v.double
    }

    /// A rate as exports write it: `3.2%` or `0.032`; returned as a fraction (0.032).
    public func rate(_ key: String) throws(RowError) -> Double? {
        guard let text = value(key) else { return nil }
        let isPercent = text.hasSuffix("%")
        let number = isPercent ? String(text.dropLast()).trimmingSpaces : text
        guard case .success(let v) = DecimalText.read(number, separator: decimalSeparator), !v.negative || v.double == 0,
              isPercent ? v.double <= 100 : v.double <= 1 else {
            throw error(key, "\(Self.quoted(text)) is not a rate such as 3.2% or 0.032")
        }
        return isPercent ? v.double / 100 : v.double
    }

    private func number(_ key: String, _ text: String) throws(RowError) -> DecimalText {
        switch DecimalText.read(text, separator: decimalSeparator) {
        case .success(let v): return v
        case .failure(let e): throw error(key, "\(Self.quoted(text)) \(e.reason)")
        }
    }

    /// A value of a column that is not personal, quoted for a reason: at most 40 characters.
    public static func quoted(_ text: String) -> String {
        "\"" + (text.count > 40 ? text.prefix(40) + "…" : text) + "\""
    }

    /// yes/no, true/false, 1/0, y/n (any case); `nil` when empty.
    public func bool(_ key: String) throws(RowError) -> Bool? {
        guard let text = value(key) else { return nil }
        switch text.lowercased() {
        case "yes", "y", "true", "1", "x": return true
        case "no", "n", "false", "0": return false
        default: throw error(key, "\(Self.quoted(text)) is not yes or no")
        }
    }

    /// An optional date-time column.
    public func optionalTimestamp(_ key: String) throws(RowError) -> Timestamp? {
        value(key) == nil ? nil : try timestamp(key)
    }

    /// An amount of money in the currency of the column `currencyKey`, or `nil` when the
    /// amount is empty. A non-empty amount without a currency is refused.
    public func optionalMoney(_ key: String, currencyKey: String) throws(RowError) -> Money? {
        guard value(key) != nil else { return nil }
        guard value(currencyKey) != nil else { throw error(currencyKey, "is empty, but an amount is given; a currency such as USD is required") }
        return try money(key, currency: try currency(currencyKey))
    }

    public func currency(_ key: String) throws(RowError) -> Currency {
        let text = try required(key)
        guard let c = Currency(text) else {
            throw error(key, "\(Self.quoted(text)) is not an ISO 4217 currency code such as USD")
        }
        return c
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks. Most fields have
    /// none, and are returned after looking at their first and last byte only.
    public var trimmingSpaces: String {
        func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 13 || b == 10 }
        let text = String(self)
        let u = text.utf8
        let untouched = u.withContiguousStorageIfAvailable { $0.isEmpty || !isSpace($0[0]) && !isSpace($0[$0.count - 1]) }
        if untouched == true { return text }
        guard let first = u.firstIndex(where: { !isSpace($0) }), let last = u.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[first...last])
    }

    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
