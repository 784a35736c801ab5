import ChannelKit

/// Assigns a raw web touch to a channel by asking every registered channel's ``TouchRule``,
/// like an analytics tool's default channel grouping.
///
/// Channels are asked in order of ``ChannelPlugin/classificationPriority`` (then id); the
/// first that claims the touch gets it. A touch nobody claims is `direct` when it has no UTM
/// source or medium and no referrer, and `other` otherwise.
public struct TouchClassifier: Sendable {
    public static let direct = "direct"
    public static let other = "other"

    private let rules: [(id: String, rule: TouchRule)]

    public init(channels: [any ChannelPlugin]) {
        rules = channels
            .sorted { ($0.classificationPriority, $0.id) < ($1.classificationPriority, $1.id) }
            .compactMap { channel in channel.touchRule.map { (channel.id, $0) } }
    }

    public func channel(for touch: RawTouch) -> String {
        for (id, rule) in rules where rule.matches(touch) { return id }
        return touch.isUntagged ? TouchClassifier.direct : TouchClassifier.other
    }
}
