import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ChannelKit
import ChannelRegistry
import Ingest

extension LeadLedger {
    struct Channels: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the registered channel plugins, their metrics and the formats they import."
        )

        func run() throws {
            var out = ""
            for channel in ChannelRegistry.all {
                out += "\(channel.id) — \(channel.displayName)\n"
                out += "  \(channel.summary)\n"
                out += "  metrics:\n"
                for m in channel.metrics {
                    let kind = m.isStored ? "" : " (derived)"
                    out += "    \(m.id)\(kind): \(m.description)\n"
                }
                out += "  imports (leadledger import \(channel.id) FILE):\n"
                for f in channel.formats {
                    out += "    \(f.id): \(f.title)\n      required columns: \(f.columns.requiredList)\n"
                }
                if let rule = channel.touchRule {
                    out += "  claims web touches when: \(rule) (priority \(channel.classificationPriority))\n"
                }
                out += "\n"
            }
            out += "core sources (leadledger import SOURCE FILE):\n"
            for source in CoreFormats.sources {
                for f in source.formats {
                    out += "  \(source.id): \(f.title)\n    required columns: \(f.columns.requiredList)\n"
                }
            }
            out += "\nweb touches no channel claims go to \"direct\" (no UTM tags, no referrer) or \"other\".\n"
            print(out, terminator: "")
        }
    }
}
