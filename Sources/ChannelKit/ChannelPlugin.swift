/// # ChannelKit — what a channel plugin sees
///
/// LeadLedger learns about acquisition channels (social ads, SEO, referral programs, events…)
/// only through this module. A channel plugin is a value conforming to ``ChannelPlugin``. It
/// declares:
///
/// - its identity: a lowercase ``ChannelPlugin/id`` (`"social"`) and a display name;
/// - the channel-specific metrics it reports (``MetricDefinition``: impressions, clicks…);
/// - the export formats it imports (``ExportFormat``): each recognises a file by its header
///   and turns one ``SourceRow`` into normalised ``ChannelRecord``s — daily costs, channel
///   metrics, leads and touchpoints;
/// - a ``TouchRule`` that claims raw web touches (UTM tags, referrer, landing-page
///   parameters) for the channel, the way analytics tools group traffic into channels;
/// - optionally, its own warehouse tables through ``ChannelMigration``s.
///
/// A plugin never writes to the warehouse and never opens files: the host reads the file,
/// hands the plugin one row at a time, and decides about transactions, rejects and
/// idempotency. Nothing here knows about SQLite.
///
/// ```swift
/// public struct SocialChannelPlugin: ChannelPlugin {
///     public let id = "social"
///     public let displayName = "Social media"
///     public var formats: [ExportFormat] { [MetaAdsReport.format, …] }
///     public var touchRule: TouchRule? { .any([.medium(["social", "paid_social"]), …]) }
/// }
/// ```
///
/// Plugins are registered at build time: see the README's "Adding a channel".
public protocol ChannelPlugin: Sendable {
    /// Stable lowercase identifier used on the command line and in the warehouse (`"social"`).
    var id: String { get }
    /// Human name for reports (`"Social media"`).
    var displayName: String { get }
    /// One sentence on what the channel covers.
    var summary: String { get }
    /// Channel-specific metrics the plugin's formats produce.
    var metrics: [MetricDefinition] { get }
    /// Export formats this plugin imports, tried in order when a file is imported.
    var formats: [ExportFormat] { get }
    /// The rule that claims raw web touches for this channel, or `nil` to claim none.
    var touchRule: TouchRule? { get }
    /// When several channels claim the same touch, the lowest priority wins (ties: by id).
    /// Paid channels use small numbers so that they beat organic ones.
    var classificationPriority: Int { get }
    /// Touches the rule must and must not claim; checked by one generic test and printed in docs.
    var touchExamples: [TouchExample] { get }
    /// The plugin's own warehouse tables, applied after the core schema, in order.
    var migrations: [ChannelMigration] { get }
    /// Dimensions its metrics can be broken down by (``MetricDetail/breakdown(dimension:value:)``),
    /// offered as `leadledger report channel <id> --by <dimension>`.
    var breakdowns: [String] { get }
}

extension ChannelPlugin {
    public var classificationPriority: Int { 100 }
    public var touchExamples: [TouchExample] { [] }
    public var migrations: [ChannelMigration] { [] }
    public var breakdowns: [String] { [] }

    /// The format with the given id, if the plugin has one.
    public func format(id: String) -> ExportFormat? {
        formats.first { $0.id == id }
    }
}

/// A schema step a plugin contributes. The host runs it once, in its own transaction, and
/// records it as `<channel id>.<id>`. A shipped migration is never edited: add a new one.
public struct ChannelMigration: Sendable {
    public let id: String
    public let sql: String

    public init(id: String, sql: String) {
        self.id = id
        self.sql = sql
    }
}

/// How a channel-specific metric is defined and how it aggregates over days and campaigns.
public struct MetricDefinition: Sendable, Equatable {
    public enum Aggregation: Sendable, Equatable {
        /// Add the daily values (impressions, clicks).
        case sum
        /// A ratio of two other metrics of the same channel, computed after summing them
        /// (CTR = clicks / impressions). Never stored: derived when reported.
        case ratio(numerator: String, denominator: String)
        /// An average weighted by another metric (search position weighted by impressions).
        /// Stored per day; aggregated as Σ(value × weight) / Σ weight.
        case weightedAverage(weight: String)
        /// The channel's spend divided by a metric (cost per attendee). Never stored.
        case costPer(String)
        /// The number of distinct leads with a touchpoint of one of these kinds on the channel
        /// (attendees = leads with an `event_attend` touch). Counted from touchpoints, never stored.
        case leadsTouched([TouchKind])
    }

    /// snake_case identifier, unique within the channel (`"impressions"`).
    public let id: String
    public let title: String
    public let aggregation: Aggregation
    public let description: String

    public init(id: String, title: String, aggregation: Aggregation = .sum, description: String) {
        self.id = id
        self.title = title
        self.aggregation = aggregation
        self.description = description
    }

    /// Whether values of this metric are stored by imports (sums and weighted averages) or
    /// derived when reported (ratios, costs per unit).
    public var isStored: Bool {
        switch aggregation {
        case .sum, .weightedAverage: return true
        case .ratio, .costPer, .leadsTouched: return false
        }
    }
}
