import ChannelKit

/// Assigns a raw web touch to a channel: first by the user's ``ChannelGrouping`` (its rules in
/// file order), then by asking every registered channel's ``TouchRule``, like an analytics
/// tool's default channel grouping.
///
/// Channels are asked in order of ``ChannelPlugin/classificationPriority`` (then id); the
/// first that claims the touch gets it. A touch nobody claims is `direct` when it has no UTM
/// source or medium and no referrer, and `other` otherwise.
public struct TouchClassifier: Sendable {
    public static let direct = "direct"
    public static let other = "other"

    private let grouping: ChannelGrouping
    private let rules: [(id: String, rule: TouchRule)]

    public init(channels: [any ChannelPlugin], grouping: ChannelGrouping = .empty) {
        self.grouping = grouping
        rules = channels
            .sorted { ($0.classificationPriority, $0.id) < ($1.classificationPriority, $1.id) }
            .compactMap { channel in channel.touchRule.map { (channel.id, $0) } }
    }

    public func channel(for touch: RawTouch) -> String {
        if !grouping.rules.isEmpty, let id = grouping.channel(for: touch) { return id }
        for (id, rule) in rules where rule.matches(touch) { return id }
        return touch.isUntagged ? TouchClassifier.direct : TouchClassifier.other
    }
}
