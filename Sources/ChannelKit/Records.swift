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

/// Money spent on one day. Daily reports give one cost per day and campaign; ledgers give
/// several lines a day, told apart by ``detail`` (a ledger line, a reward, an event cost item).
public struct CostRecord: Sendable, Equatable {
    public let day: Day
    public let campaign: CampaignRef?
    public let amount: Money
    /// What distinguishes this cost from others of the same day and campaign, if anything.
    public let detail: String?

    public init(day: Day, campaign: CampaignRef?, amount: Money, detail: String? = nil) {
        self.day = day
        self.campaign = campaign
        self.amount = amount
        self.detail = detail
    }

    /// `total` spread evenly over `days` (cents left over go to the first days, so the parts
    /// add up exactly): a monthly retainer becomes daily costs, an event's cost its days' costs.
    public static func spread(_ total: Money, over days: [Day], campaign: CampaignRef?, detail: String?) -> [CostRecord] {
        guard !days.isEmpty else { return [] }
        let n = Int64(days.count)
        let base = total.minorUnits / n
        let remainder = total.minorUnits - base * n
        return days.enumerated().map { i, day in
            CostRecord(day: day, campaign: campaign, amount: Money(minorUnits: base + (Int64(i) < remainder ? 1 : 0), currency: total.currency), detail: detail)
        }
    }
}

/// One channel-specific metric for one day (and campaign), optionally with a ``MetricDetail``.
public struct MetricRecord: Sendable, Equatable {
    public let day: Day
    public let campaign: CampaignRef?
    /// A stored metric id from the plugin's ``MetricDefinition``s.
    public let metric: String
    public let value: Double
    public let detail: MetricDetail?

    public init(day: Day, campaign: CampaignRef?, metric: String, value: Double, detail: MetricDetail? = nil) {
        self.day = day
        self.campaign = campaign
        self.metric = metric
        self.value = value
        self.detail = detail
    }
}

/// What a metric value is about, beyond its day and campaign.
public enum MetricDetail: Sendable, Equatable {
    /// One line of a ledger (a referral, a reward): part of the channel's total, summed with
    /// the others.
    case line(String)
    /// A breakdown of the channel's total by a dimension (a page, a query): shown with
    /// `--by <dimension>`, never added to the total, which the source reports on its own.
    case breakdown(dimension: String, value: String)

    /// How the warehouse stores it: `#<line>` or `<dimension>:<value>`.
    public var stored: String {
        switch self {
        case .line(let id): return "#" + id
        case .breakdown(let dimension, let value): return dimension + ":" + value
        }
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
/// a platform id prefixed by the platform (`meta:123`); sources without ids of their own
/// (an attendee list, a referral ledger) leave it `nil` and the person is known by email or
/// phone. A lead whose key is new but whose email (or, lacking one, phone) matches a known
/// lead is the same person: the host merges them.
public struct LeadRecord: Sendable, Equatable {
    public let key: String?
    public let createdAt: Timestamp
    /// Plain identifiers as the export gives them; the host stores salted hashes.
    public let email: String?
    public let phone: String?
    public let attributes: LeadAttributes
    /// The CRM's own "lead source" label, kept for reference; not used for attribution.
    public let sourceLabel: String?

    public init(
        key: String?, createdAt: Timestamp, email: String? = nil, phone: String? = nil,
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
    /// The lead who touched.
    public let lead: LeadReference
    public let at: Timestamp
    public let kind: TouchKind
    public let campaign: CampaignRef?

    public init(lead: LeadReference, at: Timestamp, kind: TouchKind, campaign: CampaignRef?) {
        self.lead = lead
        self.at = at
        self.kind = kind
        self.campaign = campaign
    }
}

/// How a record points at a lead. The lead must exist (or be created by the same row);
/// otherwise the row is rejected.
public enum LeadReference: Sendable, Equatable {
    /// The lead created or merged by a ``ChannelRecord/lead(_:)`` record earlier in the same row.
    case sameRow
    /// A lead known by this key (`L000123`, `meta:123`).
    case key(String)
    /// A lead with this email address (compared by salted hash, never stored), read from the
    /// column with key `column` (named in the reject when no lead has it).
    case email(String, column: String)
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
