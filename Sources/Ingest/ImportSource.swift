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
            ImportSource(id: channel.id, channelID: channel.id, formats: channel.formats.map(SourceFormat.init))
        }
    }
}

/// A file format as the importer sees it: the plugin's ``ExportFormat`` or a core format.
public struct SourceFormat: Sendable {
    public let id: String
    public let title: String
    public let summary: String
    public let columns: [ColumnSpec]
    public let headerSearchDepth: Int
    public let example: String
    public let parse: @Sendable (SourceRow) throws(RowError) -> [IngestRecord]

    public init(
        id: String, title: String, summary: String, columns: [ColumnSpec], headerSearchDepth: Int = 1, example: String,
        parse: @escaping @Sendable (SourceRow) throws(RowError) -> [IngestRecord]
    ) {
        self.id = id
        self.title = title
        self.summary = summary
        self.columns = columns
        self.headerSearchDepth = headerSearchDepth
        self.example = example
        self.parse = parse
    }

    init(_ format: ExportFormat) {
        let parse = format.parse
        self.init(id: format.id, title: format.title, summary: format.summary, columns: format.columns,
                  headerSearchDepth: format.headerSearchDepth, example: format.example) { (row) throws(RowError) in
            try parse(row).map(IngestRecord.channel)
        }
    }
}

/// A normalised fact on its way into the warehouse.
public enum IngestRecord: Sendable, Equatable {
    /// A record from a channel plugin, for the plugin's own channel.
    case channel(ChannelRecord)
    /// A UTM-tagged web event; its channel is decided by the ``TouchClassifier``.
    case webTouch(WebTouch)
    /// A purchase or won deal.
    case conversion(ConversionRecord)
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
