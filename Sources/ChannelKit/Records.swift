/// The normalised records a channel export row turns into. The host stamps every record
/// with the plugin's channel id, so a plugin can only ever write to its own channel.
public enum ChannelRecord: Sendable, Equatable {
    /// Money spent on one day (a campaign's, or the channel's as a whole).
    case cost(CostRecord)
    /// One channel-specific metric for one day.
    case metric(MetricRecord)
    /// A person who showed interest: a lead, created or completed.
    case lead(LeadRecord)
    /// One interaction of a lead with the channel.
    case touch(TouchRecord)
}

/// A campaign as an export names it. Campaigns are matched across files by ``key``, a
/// normalised form of the name, so `Spring Promo` in an ads export and `spring_promo` in a
/// UTM tag are the same campaign.
public struct CampaignRef: Sendable, Hashable {
    public let name: String
    public let externalID: String?

    public init(name: String, externalID: String? = nil) {
        self.name = name
        self.externalID = externalID
    }

    /// Lowercased, with every run of characters other than letters and digits replaced by
    /// one `_`, trimmed of `_` at both ends.
    public var key: String { CampaignRef.key(for: name) }

    public static func key(for name: String) -> String {
        var result = ""
        var pendingSeparator = false
        for scalar in name.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if pendingSeparator && !result.isEmpty { result.append("_") }
                pendingSeparator = false
                result.unicodeScalars.append(scalar)
            } else {
                pendingSeparator = true
            }
        }
        return result
    }
}

public struct CostRecord: Sendable, Equatable {
    public let day: Day
    public let campaign: CampaignRef?
    public let amount: Money

    public init(day: Day, campaign: CampaignRef?, amount: Money) {
        self.day = day
        self.campaign = campaign
        self.amount = amount
    }
}

public struct MetricRecord: Sendable, Equatable {
    public let day: Day
    public let campaign: CampaignRef?
    /// A stored metric id from the plugin's ``MetricDefinition``s.
    public let metric: String
    public let value: Double

    public init(day: Day, campaign: CampaignRef?, metric: String, value: Double) {
        self.day = day
        self.campaign = campaign
        self.metric = metric
        self.value = value
    }
}

/// Demographic and firmographic attributes of a lead (the brief's segment families).
/// Every field is optional: exports carry what they carry.
public struct LeadAttributes: Sendable, Equatable {
    public var country: String?
    public var region: String?
    public var ageBand: String?
    public var gender: String?
    public var incomeBand: String?
    public var industry: String?
    public var companySize: String?
    /// Declared interests, `;`-separated as in the CRM export.
    public var interests: String?

    public init(
        country: String? = nil, region: String? = nil, ageBand: String? = nil, gender: String? = nil,
        incomeBand: String? = nil, industry: String? = nil, companySize: String? = nil, interests: String? = nil
    ) {
        self.country = country
        self.region = region
        self.ageBand = ageBand
        self.gender = gender
        self.incomeBand = incomeBand
        self.industry = industry
        self.companySize = companySize
        self.interests = interests
    }
}

/// A lead as a source knows it. ``key`` identifies it within LeadLedger: a CRM id as is, or
/// a platform id prefixed by the platform (`meta:123`). A lead whose key is new but whose
/// email or phone matches a known lead is the same person: the host merges them.
public struct LeadRecord: Sendable, Equatable {
    public let key: String
    public let createdAt: Timestamp
    /// Plain identifiers as the export gives them; the host stores salted hashes.
    public let email: String?
    public let phone: String?
    public let attributes: LeadAttributes
    /// The CRM's own "lead source" label, kept for reference; not used for attribution.
    public let sourceLabel: String?

    public init(
        key: String, createdAt: Timestamp, email: String? = nil, phone: String? = nil,
        attributes: LeadAttributes = LeadAttributes(), sourceLabel: String? = nil
    ) {
        self.key = key
        self.createdAt = createdAt
        self.email = email
        self.phone = phone
        self.attributes = attributes
        self.sourceLabel = sourceLabel
    }
}

public struct TouchRecord: Sendable, Equatable {
    /// The ``LeadRecord/key`` of the lead who touched.
    public let leadKey: String
    public let at: Timestamp
    public let kind: TouchKind
    public let campaign: CampaignRef?

    public init(leadKey: String, at: Timestamp, kind: TouchKind, campaign: CampaignRef?) {
        self.leadKey = leadKey
        self.at = at
        self.kind = kind
        self.campaign = campaign
    }
}

/// What happened in a touchpoint. The raw values are the warehouse's and the CSV formats'.
public enum TouchKind: String, Sendable, CaseIterable, Equatable {
    case impression
    case click
    case visit
    case formSubmit = "form_submit"
    case download
    case newsletterSignup = "newsletter_signup"
    case emailOpen = "email_open"
    case quoteRequest = "quote_request"
    case consultation
    case checkoutStart = "checkout_start"
    case eventAttend = "event_attend"
    case referral
}
