/// Which rows of an export are its own summary rather than data: the total rows and the
/// footer some platforms write after the data (Google Ads' `Total: Account`, Microsoft
/// Advertising's `©2026 Microsoft Corporation. All rights reserved.`).
///
/// A rule looks at a row's first field only, so that it never takes a data row for a total
/// because of a campaign's name.
public struct SummaryRowRule: Sendable, Equatable {
    /// First fields that open a total row, compared case-insensitively after trimming spaces:
    /// the row is a total when its first field is one of them, or starts with one followed by
    /// `:` or ` -` (`Total: Search campaigns`, `Total - all campaigns`).
    public let totalLabels: [String]
    /// Prefixes of a footer line's first field (`©`).
    public let footerPrefixes: [String]

    public init(totalLabels: [String] = ["Total"], footerPrefixes: [String] = ["©", "(c) "]) {
        self.totalLabels = totalLabels.map { $0.lowercased() }
        self.footerPrefixes = footerPrefixes.map { $0.lowercased() }
    }

    /// Whether the row with these fields is a summary row.
    public func matches(_ fields: [String]) -> Bool {
        guard let first = fields.first?.trimmingSpaces.lowercased(), !first.isEmpty else { return false }
        if footerPrefixes.contains(where: { first.hasPrefix($0) }) { return true }
        return totalLabels.contains { label in
            guard first.hasPrefix(label) else { return false }
            let rest = first.dropFirst(label.count)
            return rest.isEmpty || rest.hasPrefix(":") || rest.hasPrefix(" -") || rest.hasPrefix(" –")
        }
    }

    /// What summary rows are for docs: `Rows starting with "Total" …`.
    public var description: String {
        let totals = totalLabels.map { "\"\($0.prefix(1).uppercased() + $0.dropFirst())\"" }.joined(separator: " or ")
        let footers = footerPrefixes.map { "\"\($0.trimmingSpaces)\"" }.joined(separator: " or ")
        return "Total rows (first cell \(totals), alone or followed by \":\" or \" -\") and footer lines (first cell starting with \(footers)) after the header are skipped and counted, never rejected."
    }
}
