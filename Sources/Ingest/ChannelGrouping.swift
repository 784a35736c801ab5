import ChannelKit
import Warehouse

/// The channel grouping a user edits: ordered rules that map web touches to a channel — a
/// plugin's, `direct`, `other`, or a **custom channel** the file declares — asked before the
/// plugins' own rules, which stay the default. Documented in `docs/grouping.md`.
///
///     # comments and blank lines are ignored
///     channel tv        TV & radio                  declares a custom channel: id, display name
///     free    direct                                its spend is known to be zero
///     rule    tv        source=tv,radio             first matching rule wins
///     rule    partners  source=partner_* medium=referral
///     rule    paid_search  referrer=ads.example.net param=adid
///
/// A rule's conditions all hold (and); a condition's values are alternatives (or). Fields:
/// `source`, `medium`, `campaign` (values compared case-insensitively; a trailing `*` matches
/// a prefix), `referrer` (a domain: the referrer host or a subdomain of it) and `param` (a
/// landing-page parameter name). Every mistake is refused with its line.
public struct ChannelGrouping: Sendable {
    public struct CustomChannel: Sendable, Equatable {
        public let id: String
        public let displayName: String
    }

    public struct Rule: Sendable {
        public let channel: String
        public let rule: TouchRule
        public let line: Int
    }

    public let customChannels: [CustomChannel]
    /// Channels whose spend is known to be zero (direct, organic): a total's CPL covers them.
    public let freeChannels: [String]
    public let rules: [Rule]
    /// The file as it was read: the warehouse keeps it, `leadledger grouping show` prints it.
    public let text: String

    public static let empty = ChannelGrouping(customChannels: [], freeChannels: [], rules: [], text: "")

    /// The channels a grouping may name without declaring them: the plugins' and the core ones.
    public static func builtInChannels(_ channels: [any ChannelPlugin]) -> [String] {
        channels.map(\.id) + [TouchClassifier.direct, TouchClassifier.other]
    }

    /// The grouping the warehouse keeps (``Warehouse/setChannelGrouping(text:customChannels:freeChannels:classify:)``),
    /// or the empty one.
    public static func stored(in warehouse: Warehouse, channels: [any ChannelPlugin]) throws -> ChannelGrouping {
        guard let text = try warehouse.channelGroupingText() else { return .empty }
        return try parse(text, fileName: "the warehouse's channel grouping", knownChannels: builtInChannels(channels))
    }

    /// Stores this grouping in `warehouse` and re-classifies its web touches under it.
    public func apply(to warehouse: Warehouse, channels: [any ChannelPlugin]) throws -> RegroupResult {
        let classifier = TouchClassifier(channels: channels, grouping: self)
        return try warehouse.setChannelGrouping(text: text, customChannels: customChannels.map { CustomChannelRow(id: $0.id, displayName: $0.displayName) },
                                                freeChannels: freeChannels, classify: classifier.channel(for:))
    }

    public func channel(for touch: RawTouch) -> String? {
        rules.first { $0.rule.matches(touch) }?.channel
    }

    /// Reads a grouping file. `knownChannels` are the plugins' and core channels (`direct`, `other`).
    public static func parse(_ text: String, fileName: String, knownChannels: [String]) throws(GroupingError) -> ChannelGrouping {
        var custom: [CustomChannel] = []
        var free: [String] = []
        var rules: [Rule] = []
        var pendingRules: [(channel: String, line: Int)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            func fail(_ reason: String) -> GroupingError { GroupingError(file: fileName, line: line, reason: reason) }
            let content = String(rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").trimmingSpaces
            if content.isEmpty { continue }
            let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            switch words[0] {
            case "channel":
                guard words.count >= 3 else { throw fail("expected `channel <id> <display name>`") }
                let id = words[1]
                guard isChannelID(id) else { throw fail("\"\(id)\" is not a channel id: lowercase letters, digits and _, starting with a letter") }
                guard !knownChannels.contains(id) else { throw fail("\"\(id)\" is already a channel (a plugin's or a core one); a custom channel needs an id of its own") }
                guard !custom.contains(where: { $0.id == id }) else { throw fail("the channel \"\(id)\" is declared twice") }
                custom.append(CustomChannel(id: id, displayName: words[2...].joined(separator: " ")))
            case "free":
                guard words.count == 2 else { throw fail("expected `free <channel id>`") }
                free.append(words[1])
                pendingRules.append((words[1], line))
            case "rule":
                guard words.count >= 3 else { throw fail("expected `rule <channel id> <field>=<values> …`") }
                var conditions: [TouchRule] = []
                for condition in words[2...] {
                    conditions.append(try Self.condition(condition, fail: fail))
                }
                rules.append(Rule(channel: words[1], rule: conditions.count == 1 ? conditions[0] : .all(conditions), line: line))
                pendingRules.append((words[1], line))
            default:
                throw fail("\"\(words[0])\" is not a statement; expected channel, free or rule")
            }
        }
        let all = Set(knownChannels + custom.map(\.id))
        for (channel, line) in pendingRules where !all.contains(channel) {
            throw GroupingError(file: fileName, line: line, reason: "no channel \"\(channel)\"; declare it with `channel \(channel) <display name>` or use one of: \(all.sorted().joined(separator: ", "))")
        }
        return ChannelGrouping(customChannels: custom, freeChannels: free, rules: rules, text: text)
    }

    static func condition(_ text: String, fail: (String) -> GroupingError) throws(GroupingError) -> TouchRule {
        guard let eq = text.firstIndex(of: "=") else { throw fail("\"\(text)\" is not a condition; expected field=value,value…") }
        let field = String(text[..<eq])
        let values = text[text.index(after: eq)...].split(separator: ",").map { String($0).lowercased() }
        guard !values.isEmpty, !values.contains(where: \.isEmpty) else { throw fail("\(field)= has an empty value") }
        switch field {
        case "source", "medium", "campaign":
            let tag = TouchTag(rawValue: field)!
            let exact = values.filter { !$0.hasSuffix("*") }
            let prefixes = values.filter { $0.hasSuffix("*") }.map { String($0.dropLast()) }
            guard !prefixes.contains(where: \.isEmpty) else { throw fail("\(field)=* would match every value; leave the condition out instead") }
            var alternatives: [TouchRule] = []
            if !exact.isEmpty {
                switch tag {
                case .source: alternatives.append(.source(exact))
                case .medium: alternatives.append(.medium(exact))
                case .campaign: alternatives.append(.campaign(exact))
                }
            }
            if !prefixes.isEmpty { alternatives.append(.prefix(tag, prefixes)) }
            return alternatives.count == 1 ? alternatives[0] : .any(alternatives)
        case "referrer":
            guard !values.contains(where: { $0.contains("/") || $0.contains("*") }) else {
                throw fail("referrer= takes domains such as example.com (subdomains match too), not URLs or patterns")
            }
            return .referrerDomain(values.map { $0.hasPrefix("www.") ? String($0.dropFirst(4)) : $0 })
        case "param":
            return .landingParameter(values)
        default:
            throw fail("\"\(field)\" is not a field; expected source, medium, campaign, referrer or param")
        }
    }

    static func isChannelID(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" } && id.count <= 40
    }
}

/// A mistake in a grouping file: `grouping.txt:7: reason`.
public struct GroupingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let reason: String

    public var description: String { "\(file):\(line): \(reason)" }
}
