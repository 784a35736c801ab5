import ArgumentParser
import ChannelKit
import ChannelRegistry
import Ingest

extension LeadLedger {
    struct Formats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the documentation of the import formats (Markdown), from the formats' own definitions.",
            discussion: "docs/formats/<source>.md is this output; scripts/generate-docs.sh rewrites it and a test keeps it in sync."
        )

        @Argument(help: "A source (leads, touches, conversions or a channel id); all when omitted.")
        var source: String?

        func run() throws {
            let sources = ImportSource.all(channels: ChannelRegistry.all)
            let chosen = try source.map { id in
                guard let s = sources.first(where: { $0.id == id }) else {
                    throw CommandError("unknown source \"\(id)\"; expected one of: \(sources.map(\.id).joined(separator: ", "))")
                }
                return [s]
            } ?? sources
            print(chosen.map(Formats.markdown).joined(separator: "\n"), terminator: "")
        }

        static func markdown(_ source: ImportSource) -> String {
            var md = ""
            if let channelID = source.channelID, let channel = ChannelRegistry.channel(id: channelID) {
                md += "# `\(channel.id)` — \(channel.displayName)\n\n\(channel.summary)\n\n"
                md += "Import with `leadledger import \(channel.id) FILE...`; the format is recognised by its header row.\n\n"
                md += "## Metrics\n\n| metric | how it aggregates | meaning |\n|---|---|---|\n"
                for m in channel.metrics {
                    let how: String
                    switch m.aggregation {
                    case .sum: how = "sum over days and campaigns"
                    case .ratio(let n, let d): how = "derived: \(n) / \(d) after summing"
                    case .weightedAverage(let w): how = "average weighted by \(w)"
                    case .costPer(let m): how = "derived: spend / \(m)"
                    case .leadsTouched(let kinds): how = "leads with a touch of kind " + kinds.map(\.rawValue).joined(separator: " or ")
                    }
                    md += "| `\(m.id)` | \(how) | \(m.description) |\n"
                }
                if let rule = channel.touchRule {
                    md += "\n## Web touches it claims\n\nA web touch (from `leadledger import touches`) belongs to this channel when:\n\n"
                    md += "    \(rule)\n\nChannels are asked in order of priority (this one: \(channel.classificationPriority); lower first). Examples:\n\n"
                    md += "| utm_source | utm_medium | referrer host | landing parameters | claimed |\n|---|---|---|---|---|\n"
                    for e in channel.touchExamples {
                        let t = e.touch
                        md += "| \(t.source) | \(t.medium) | \(t.referrerHost) | \(t.landingParameters.sorted().joined(separator: ", ")) | \(e.claimed ? "yes" : "no") |\n"
                    }
                }
            } else {
                md += "# `\(source.id)` — core source\n\nImport with `leadledger import \(source.id) FILE...`.\n"
            }
            for f in source.formats {
                md += "\n## \(f.title) (`\(f.id)`)\n\n\(f.summary)\n\n"
                md += f.headerSearchDepth > 1
                    ? "The header row may be preceded by up to \(f.headerSearchDepth - 1) lines of report metadata, which are skipped.\n\n"
                    : "The first line is the header row.\n\n"
                md += "| column | required | headers accepted (any case) | meaning |\n|---|---|---|---|\n"
                for c in f.columns {
                    let headers = c.names.map { "`\($0)\(c.matchesPrefix ? "…" : "")`" }.joined(separator: ", ")
                    md += "| \(c.key) | \(c.isRequired ? "yes" : "no") | \(headers) | \(c.description) |\n"
                }
                md += "\nExample:\n\n```\n\(f.example)\n```\n"
            }
            md += "\nAll files: UTF-8 (a byte-order mark is fine; UTF-16 is refused with a hint), comma- or tab-separated "
            md += "(detected), RFC 4180 quoting. A row that fails validation is kept in the `rejects` table with its line, "
            md += "column and reason — with personal columns masked and columns the format does not read left out — and "
            md += "the other rows are imported.\n"
            return md
        }
    }
}
