import ChannelKit

/// Something `leadledger import <source>` reads: a channel plugin (`social`) or one of the
/// core sources every business has (`leads`, `touches`, `conversions`).
public struct ImportSource: Sendable {
    public let id: String
    /// The channel every record of this source belongs to; `nil` for core sources.
    public let channelID: String?
    public let formats: [SourceFormat]

    /// The core sources, then one source per channel plugin.
    public static func all(channels: [any ChannelPlugin]) -> [ImportSource] {
        CoreFormats.sources + channels.map { channel in
            ImportSource(id: channel.id, channelID: channel.id, formats: channel.formats.map { $0.map { $0.map(IngestRecord.channel) } })
        }
    }
}

/// A file format as the importer sees it: a plugin's ``ExportFormat`` with its records
/// wrapped, or a core format.
public typealias SourceFormat = RowFormat<[IngestRecord]>

/// A normalised fact on its way into the warehouse.
public enum IngestRecord: Sendable, Equatable {
    /// A record from a channel plugin, for the plugin's own channel.
    case channel(ChannelRecord)
    /// A UTM-tagged web event; its channel is decided by the ``TouchClassifier``.
    case webTouch(WebTouch)
    /// A purchase or won deal.
    case conversion(ConversionRecord)
    /// A lead reaching a lifecycle stage.
    case stage(StageRecord)
    /// An attempt to reach a lead.
    case outreach(OutreachRecord)
    /// An exchange rate.
    case rate(RateRecord)
    /// A cost or metric of the channel the row names (the `costs` ledger): any channel the
    /// warehouse has, for spend no platform export carries.
    case ledger(channel: String, ChannelRecord)

    /// The key of the lead the record is about, when it names an existing lead by key (a lead
    /// record's own key is not one: it may be new).
    var leadKey: String? {
        switch self {
        case .webTouch(let touch): touch.leadKey
        case .conversion(let conversion): conversion.leadKey
        case .stage(let stage): stage.leadKey
        case .outreach(let attempt): attempt.leadKey
        case .channel(.touch(let touch)): if case .key(let key) = touch.lead { key } else { nil }
        case .channel, .rate, .ledger: nil
        }
    }
}

public struct RateRecord: Sendable, Equatable {
    public let day: Day
    public let currency: Currency
    public let target: Currency
    public let rate: Double
}

public struct OutreachRecord: Sendable, Equatable {
    public let leadKey: String
    public let at: Timestamp
    public let method: String
    public let responded: Bool
}

/// A lead reaching a lifecycle stage (lead → mql → sql → opportunity → customer).
public struct StageRecord: Sendable, Equatable {
    public let leadKey: String
    public let stage: String
    public let at: Timestamp
}

public struct WebTouch: Sendable, Equatable {
    public let leadKey: String
    public let at: Timestamp
    public let kind: TouchKind
    public let utmSource: String?
    public let utmMedium: String?
    public let utmCampaign: String?
    public let referrer: String?
    public let landingPage: String?

    public var raw: RawTouch {
        RawTouch(source: utmSource, medium: utmMedium, campaign: utmCampaign, referrer: referrer, landingPage: landingPage)
    }
}

public struct ConversionRecord: Sendable, Equatable {
    public let leadKey: String
    public let at: Timestamp
    public let revenue: Money
    public let externalID: String?
}
