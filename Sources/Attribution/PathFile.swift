/// Aggregated journeys in the format the widely used open-source attribution packages read:
/// one row per distinct path, `path;total_conversions;total_conversion_value;total_null`,
/// with the path written `a > b > c`. A header row is optional; values are decimal numbers.
public enum PathFile {
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Parses the file's text. Blank lines are skipped; any malformed line is an error (the
    /// file is the whole input of the analysis, so a partial result would mislead).
    public static func parse(_ text: String, separator: Character = ";") throws(Problem) -> (units: UnitTable, journeys: [Journey]) {
        var units = UnitTable()
        var journeys: [Journey] = []
        for (i, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingSuffix("\r")
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = line.split(separator: separator, omittingEmptySubsequences: false).map { $0.trimmed }
            if i == 0 && fields.first?.lowercased() == "path" { continue }
            guard fields.count == 4 else {
                throw Problem(line: i + 1, reason: "expected 4 fields separated by \"\(separator)\" (path, total_conversions, total_conversion_value, total_null), found \(fields.count)")
            }
            let names = fields[0].split(separator: ">").map { $0.trimmed }
            guard !names.isEmpty, !names.contains(where: \.isEmpty) else { throw Problem(line: i + 1, reason: "the path \"\(fields[0])\" has an empty step") }
            var numbers: [Double] = []
            for (k, f) in fields[1...3].enumerated() {
                guard let v = Double(f), v.isFinite, v >= 0 else {
                    throw Problem(line: i + 1, reason: "\"\(f)\" is not a non-negative number (\(["total_conversions", "total_conversion_value", "total_null"][k]))")
                }
                numbers.append(v)
            }
            journeys.append(Journey(steps: names.map { units.id(for: $0) }, conversions: numbers[0], value: numbers[1], nulls: numbers[2]))
        }
        return (units, journeys)
    }
}

extension Substring {
    var trimmed: String {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }

    func trimmingSuffix(_ c: Character) -> Substring { last == c ? dropLast() : self }
}
