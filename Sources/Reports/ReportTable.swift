import ChannelKit

/// A report as rows of typed cells, rendered for people (an aligned table) or machines
/// (CSV with a header row, JSON as an array of objects with snake_case keys).
///
/// Undefined values are `null` in JSON and empty in CSV and tables, never `inf` or `NaN`.
public struct ReportTable: Sendable {
    public struct Column: Sendable {
        /// snake_case key for CSV headers and JSON.
        public let key: String
        /// Heading in the people's table.
        public let title: String
        /// False for a column only machines get (CSV, JSON): the table says it in a note instead.
        public let inTable: Bool

        public init(_ key: String, _ title: String, inTable: Bool = true) {
            self.key = key
            self.title = title
            self.inTable = inTable
        }
    }

    public enum Cell: Sendable, Equatable {
        case text(String)
        case integer(Int)
        /// An exact amount: minor units of a currency.
        case money(Int64, Currency)
        /// A derived amount of money in minor units (a ratio), rounded to the currency's digits.
        case moneyRatio(Double, Currency)
        /// A fraction shown as a percentage in tables (0.0523 → 5.23%) and as is elsewhere.
        case fraction(Double)
        case decimal(Double, places: Int)
        case boolean(Bool)
        case null
    }

    public enum Format: String, Sendable, CaseIterable {
        case table, json, csv
    }

    public let columns: [Column]
    public var rows: [[Cell]]
    /// Rows after a rule in tables (totals); ordinary rows in CSV and JSON.
    public var footer: [[Cell]]

    public init(columns: [Column], rows: [[Cell]] = [], footer: [[Cell]] = []) {
        self.columns = columns
        self.rows = rows
        self.footer = footer
    }

    public func render(_ format: Format) -> String {
        var out = ""
        write(format) { out += $0 }
        return out
    }

    /// Renders line by line (each piece ends with its line break), so that a report of a million
    /// rows is never one string in memory: ``render(_:)`` for long outputs.
    public func write(_ format: Format, to out: (String) -> Void) {
        switch format {
        case .table: writeTable(out)
        case .csv: writeCSV(out)
        case .json: writeJSON(out)
        }
    }

    // MARK: - Cell text

    /// Machine form: plain decimals, `.` as separator, no grouping, empty for null.
    static func plain(_ cell: Cell) -> String {
        switch cell {
        case .text(let s): return s
        case .integer(let n): return String(n)
        case .money(let minor, let currency): return currency.decimalString(minorUnits: minor)
        case .moneyRatio(let minor, let currency): return fixed(currency.majorUnits(1) * minor, places: currency.minorUnitDigits)
        case .fraction(let f): return fixed(f, places: 6)
        case .decimal(let v, let places): return fixed(v, places: places)
        case .boolean(let b): return b ? "true" : "false"
        case .null: return ""
        }
    }

    /// People's form: thousands grouped, fractions as percentages.
    static func human(_ cell: Cell) -> String {
        switch cell {
        case .integer(let n): return grouped(String(n))
        case .money, .moneyRatio, .decimal: return grouped(plain(cell))
        case .fraction(let f): return fixed(f * 100, places: 2) + "%"
        case .boolean(let b): return b ? "yes" : ""
        case .text(let s): return printable(s)
        case .null: return plain(cell)
        }
    }

    /// Text as a terminal may show it: escape sequences, control characters (line breaks and tabs
    /// become spaces) and the bidirectional overrides that can disguise text are dropped, so a
    /// campaign name cannot move the cursor, recolour the screen or pose as another name.
    static func printable(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        enum State { case text, escape, csi, osc }
        var state = State.text
        for scalar in s.unicodeScalars {
            let v = scalar.value
            switch state {
            case .escape:
                // ESC [ opens a control sequence, ESC ] an operating-system command; any other
                // character ends a two-character sequence.
                state = scalar == "[" ? .csi : scalar == "]" ? .osc : .text
                continue
            case .csi:
                if v >= 0x40 && v <= 0x7E { state = .text }
                continue
            case .osc:
                // Ends at BEL, or at ESC (its string terminator is ESC \).
                if v == 0x07 { state = .text } else if v == 0x1B { state = .escape }
                continue
            case .text:
                break
            }
            switch v {
            case 0x1B: state = .escape
            case 0x9B: state = .csi
            case 0x9D: state = .osc
            case 0x09, 0x0A, 0x0D: out.append(" ")
            case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: continue
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// A text cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab or carriage
    /// return first), with a `'` before it, as OWASP recommends; numbers such as `-3` stay as they are.
    static func spreadsheetSafe(_ s: String) -> String {
        guard let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return s }
        if first == "-" || first == "+", Double(s) != nil { return s }
        return "'" + s
    }

    static func isNumeric(_ cell: Cell) -> Bool {
        switch cell {
        case .text, .boolean: return false
        default: return true
        }
    }

    /// Rounds half away from zero to `places` decimals, without exponent notation.
    public static func fixed(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e18 else { return String(value) }
        let n = Int64(scaled)
        let s = Int64(scale)
        let sign = value < 0 && n != 0 ? "-" : ""
        guard places > 0 else { return sign + String(n) }
        let fraction = String(n % s)
        return sign + String(n / s) + "." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    static func grouped(_ number: String) -> String {
        var body = Substring(number)
        var sign = ""
        if body.hasPrefix("-") { sign = "-"; body = body.dropFirst() }
        let point = body.firstIndex(of: ".") ?? body.endIndex
        let whole = Array(body[..<point])
        var out = ""
        for (i, c) in whole.enumerated() {
            if i > 0 && (whole.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return sign + out + body[point...]
    }

    // MARK: - Renderers

    /// Two passes: the widths of every cell's text, then the lines (texts are made again rather
    /// than kept for every row).
    func writeTable(_ out: (String) -> Void) {
        guard columns.allSatisfy(\.inTable) else {
            let shown = columns.indices.filter { columns[$0].inTable }
            ReportTable(columns: shown.map { columns[$0] }, rows: rows.map { r in shown.map { r[$0] } },
                        footer: footer.map { r in shown.map { r[$0] } }).writeTable(out)
            return
        }
        let all = [rows, footer].joined()
        var widths = columns.map { $0.title.count }
        var numeric = columns.map { _ in false }
        for row in all {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], ReportTable.human(cell).count)
                if ReportTable.isNumeric(cell) && cell != .null { numeric[i] = true }
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, t in
                let padding = String(repeating: " ", count: widths[i] - t.count)
                return numeric[i] ? padding + t : t + padding
            }.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        out(line(columns.map(\.title)))
        out(rule)
        for row in rows { out(line(row.map(ReportTable.human))) }
        if !footer.isEmpty {
            out(rule)
            for row in footer { out(line(row.map(ReportTable.human))) }
        }
    }

    func writeCSV(_ out: (String) -> Void) {
        func quote(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" : s
        }
        out(columns.map { quote($0.key) }.joined(separator: ",") + "\r\n")
        for row in [rows, footer].joined() {
            out(row.map { cell in
                if case .text(let s) = cell { return quote(ReportTable.spreadsheetSafe(s)) }
                return quote(ReportTable.plain(cell))
            }.joined(separator: ",") + "\r\n")
        }
    }

    func writeJSON(_ out: (String) -> Void) {
        guard !rows.isEmpty || !footer.isEmpty else { return out("[]\n") }
        out("[\n")
        var first = true
        for row in [rows, footer].joined() {
            out((first ? "" : ",\n") + "  {" + zip(columns, row).map { column, cell in "\"\(column.key)\": \(ReportTable.json(cell))" }.joined(separator: ", ") + "}")
            first = false
        }
        out("\n]\n")
    }

    static func json(_ cell: Cell) -> String {
        switch cell {
        case .text(let s): return jsonString(s)
        case .null: return "null"
        default:
            let p = plain(cell)
            return p.isEmpty ? "null" : p
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

extension ChannelComparison {
    /// The comparison as a ``ReportTable``: one row per channel, the total as footer.
    public var table: ReportTable {
        AcquisitionTable.make(rows: channels, total: total, currency: currency, period: false, campaign: false)
    }
}

extension AcquisitionReport.Result {
    public var table: ReportTable {
        AcquisitionTable.make(rows: rows, total: total, currency: currency, period: options.interval != nil, campaign: options.unit == .campaign)
    }
}

/// The columns of the channel and campaign reports, for people and machines.
enum AcquisitionTable {
    static func make(rows: [ChannelKPIs], total: ChannelKPIs, currency: Currency?, period: Bool, campaign: Bool) -> ReportTable {
        var columns: [ReportTable.Column] = []
        if period { columns.append(.init("period", "Period")) }
        columns.append(.init("channel", "Channel"))
        if campaign { columns.append(.init("campaign", "Campaign")) }
        columns += [
            .init("spend", "Spend"), .init("impressions", "Impr."), .init("clicks", "Clicks"), .init("ctr", "CTR"), .init("cost_per_click", "CPC"),
            .init("leads", "Leads"), .init("cost_per_lead", "CPL"), .init("mqls", "MQL"), .init("sqls", "SQL"), .init("customers", "Cust."),
            .init("conversion_rate", "Conv."), .init("conversion_rate_low", "95% low"), .init("conversion_rate_high", "95% high"),
            .init("cost_per_acquisition", "CAC"), .init("revenue", "Revenue"), .init("roas", "ROAS"),
            .init("median_days_to_convert", "Days med."), .init("p90_days_to_convert", "Days p90"), .init("small_sample", "Small"),
            .init("spend_covers", "Spend covers", inTable: false),
        ]
        func money(_ minor: Int64?) -> ReportTable.Cell {
            guard let minor else { return .null }
            return currency.map { .money(minor, $0) } ?? .integer(Int(minor))
        }
        func moneyRatio(_ v: Double?) -> ReportTable.Cell {
            guard let v else { return .null }
            return currency.map { .moneyRatio(v, $0) } ?? .decimal(v, places: 2)
        }
        func count(_ v: Double?) -> ReportTable.Cell { v.map { abs($0) < 9e18 ? .integer(Int($0)) : .decimal($0, places: 0) } ?? .null }
        func row(_ k: ChannelKPIs, isTotal: Bool) -> [ReportTable.Cell] {
            var cells: [ReportTable.Cell] = []
            if period { cells.append(isTotal ? .text("") : .text(k.period ?? "")) }
            cells.append(.text(k.channel))
            if campaign { cells.append(isTotal ? .text("") : .text(k.campaign ?? "(none)")) }
            let interval = k.conversionInterval
            cells += [
                money(k.spendMinor), count(k.impressions), count(k.clicks), k.clickThroughRate.map(ReportTable.Cell.fraction) ?? .null,
                moneyRatio(k.costPerClickMinor), .integer(k.leads), moneyRatio(k.costPerLeadMinor), k.mqls.map(ReportTable.Cell.integer) ?? .null,
                k.sqls.map(ReportTable.Cell.integer) ?? .null, .integer(k.customers), k.conversionRate.map(ReportTable.Cell.fraction) ?? .null,
                interval.map { .fraction($0.low) } ?? .null, interval.map { .fraction($0.high) } ?? .null, moneyRatio(k.costPerAcquisitionMinor),
                money(k.revenueMinor), k.returnOnAdSpend.map { .decimal($0, places: 2) } ?? .null,
                k.medianDaysToConvert.map { .decimal($0, places: 1) } ?? .null, k.p90DaysToConvert.map { .decimal($0, places: 1) } ?? .null,
                k.leads > 0 && k.isSmallSample ? .boolean(true) : (k.leads > 0 ? .boolean(false) : .null),
                k.spendBasis.map { .text($0.channels.joined(separator: " ")) } ?? .null,
            ]
            return cells
        }
        return ReportTable(columns: columns, rows: rows.map { row($0, isTotal: false) }, footer: [row(total, isTotal: true)])
    }
}
