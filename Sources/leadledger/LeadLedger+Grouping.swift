import ArgumentParser
import ChannelKit
import ChannelRegistry
import Foundation
import Ingest
import Warehouse

extension LeadLedger {
    /// `leadledger grouping set|show|clear`: the channel grouping every command uses.
    struct Grouping: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set, show or clear the channel grouping: your rules that map web touches to channels, custom channels included.",
            discussion: "The file's format and how the plugins' default rules line up with GA4's default channel group: docs/grouping.md.",
            subcommands: [Set.self, Show.self, Clear.self]
        )

        struct Set: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Store a grouping file in the warehouse and re-classify every stored web touch under it, in one transaction."
            )

            @Argument(help: "The grouping file.")
            var file: String

            @OptionGroup var warehouse: WarehouseOptions

            func run() throws {
                let grouping = try Grouping.read(file)
                let w = try warehouse.open(creating: true)
                print(Grouping.summary(try grouping.apply(to: w, channels: ChannelRegistry.all), grouping: grouping))
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print the grouping the warehouse uses, and the default rules after it.")

            @OptionGroup var warehouse: WarehouseOptions

            func run() throws {
                let w = try warehouse.open()
                let grouping = try ChannelGrouping.stored(in: w, channels: ChannelRegistry.all)
                if grouping.rules.isEmpty && grouping.customChannels.isEmpty && grouping.freeChannels.isEmpty {
                    print("No grouping set: the plugins' rules decide (leadledger grouping set FILE to add yours).")
                } else {
                    print("Your rules, asked first (first match wins):")
                    for r in grouping.rules { print("  \(r.channel) ← \(r.rule)") }
                    for c in grouping.customChannels { print("  custom channel \(c.id) — \(c.displayName)") }
                    for id in grouping.freeChannels { print("  free: \(id) (spend known to be zero)") }
                }
                print("Then the plugins' rules, by priority:")
                for c in ChannelRegistry.all.sorted(by: { ($0.classificationPriority, $0.id) < ($1.classificationPriority, $1.id) }) {
                    if let rule = c.touchRule { print("  \(c.classificationPriority) \(c.id) ← \(rule)") }
                }
                print("Else direct (no tags, no referrer) or other.")
            }
        }

        struct Clear: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Go back to the plugins' rules alone, re-classifying every stored web touch.")

            @OptionGroup var warehouse: WarehouseOptions

            func run() throws {
                let w = try warehouse.open()
                print(Grouping.summary(try ChannelGrouping.empty.apply(to: w, channels: ChannelRegistry.all), grouping: .empty))
            }
        }

        /// A grouping file, read and checked; its mistakes become the command's error.
        static func read(_ file: String) throws -> ChannelGrouping {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw CommandError("cannot read \(file) as UTF-8 text")
            }
            do {
                return try ChannelGrouping.parse(text, fileName: file, knownChannels: ChannelGrouping.builtInChannels(ChannelRegistry.all))
            } catch {
                throw CommandError("\(error)")
            }
        }

        static func summary(_ r: RegroupResult, grouping: ChannelGrouping) -> String {
            func count(_ n: Int, _ what: String) -> String { "\(Terminal.grouped(n)) \(what)\(n == 1 ? "" : "s")" }
            var lines = ["Grouping set: \(count(grouping.rules.count, "rule")), \(count(grouping.customChannels.count, "custom channel")); "
                         + "\(count(r.examined, "web touch"))".replacingOccurrences(of: "touchs", with: "touches") + " classified again."]
            if r.moves.isEmpty { lines.append("No touch changed channel.") }
            for m in r.moves { lines.append("  \(Terminal.grouped(m.touches)) moved \(m.from) → \(m.to)") }
            if r.merged > 0 {
                lines.append("  \(Terminal.grouped(r.merged)) moved touches met a touch of the same lead, second and kind on their new channel; the later-imported one was dropped")
            }
            return lines.joined(separator: "\n")
        }
    }
}
