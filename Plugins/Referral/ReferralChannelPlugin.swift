/// # ReferralChannel — referral programs
///
/// Imports a referral-program ledger: one row per referred person. A referred person the
/// ledger gives an email or phone for is a lead with a `referral` touchpoint at the time they
/// were referred (a row without either links no lead, and still books its reward and sign-up);
/// a paid reward is a cost on the day it was paid; sign-ups and paid rewards are metrics, and
/// invitations are counted from the referral touchpoints. Claims web touches that carry a
/// referral code (`?ref=`, `?referral=`, `?invite=`) or `utm_medium=referral`.
/// Formats: `docs/formats/referral.md`.
import ChannelKit

public struct ReferralChannelPlugin: ChannelPlugin {
    public init() {}

    public let id = "referral"
    public let displayName = "Referral & networking"
    public let summary = "Referral programs: invitations, sign-ups and rewards from the program's ledger."
    /// First: a referral code is the most specific sign of where a visitor came from.
    public let classificationPriority = 10

    public var metrics: [MetricDefinition] {
        [
            MetricDefinition(id: "invitations", title: "Invitations", aggregation: .leadsTouched([.referral]),
                             description: "People referred (leads with a referral touch)"),
            MetricDefinition(id: "signups", title: "Sign-ups", description: "Referred people who signed up (status signed_up, qualified or rewarded)"),
            MetricDefinition(id: "rewards_paid", title: "Rewards paid", description: "Rewards paid to referrers"),
            MetricDefinition(id: "signup_rate", title: "Sign-up rate", aggregation: .ratio(numerator: "signups", denominator: "invitations"),
                             description: "Sign-ups / invitations"),
            MetricDefinition(id: "cost_per_signup", title: "Cost per sign-up", aggregation: .costPer("signups"),
                             description: "Reward spend / sign-ups"),
        ]
    }

    public var formats: [ExportFormat] { [ReferralLedger.format] }

    public var touchRule: TouchRule? {
        .any([.landingParameter(["ref", "referral", "invite", "referral_code"]), .medium(["referral"])])
    }

    public var touchExamples: [TouchExample] {
        [
            .claims(RawTouch(landingPage: "https://shop.example.com/join?ref=R1234")),
            .claims(RawTouch(landingPage: "https://shop.example.com/?invite=abc&utm_source=friend")),
            .claims(RawTouch(medium: "referral", campaign: "friend_invite")),
            .claims(RawTouch(source: "newsletter", medium: "email", landingPage: "https://shop.example.com/?ref=R9")),
            .ignores(RawTouch(referrer: "https://partner.example.org/")),
            .ignores(RawTouch(source: "facebook", medium: "paid_social")),
            .ignores(RawTouch(landingPage: "https://shop.example.com/?refresh=1")),
        ]
    }
}

/// A referral program's ledger, as referral tools export it (one row per referred person).
enum ReferralLedger {
    static let statuses: [String: Int] = ["invited": 0, "signed_up": 1, "qualified": 2, "rewarded": 3]

    static let format = ExportFormat(
        id: "referral-ledger",
        title: "Referral program ledger",
        summary: "One row per referred person: who referred them, when, how far they got, and the reward paid.",
        columns: [
            ColumnSpec("referral_id", names: ["referral_id", "id"], description: "The ledger's id of this referral; the same id is never counted twice"),
            ColumnSpec("code", names: ["referral_code", "code"], description: "The referrer's code"),
            ColumnSpec("referrer_id", names: ["referrer_id"], description: "The referrer (a customer id); kept in the ledger only"),
            ColumnSpec("email", names: ["referred_email", "email"], required: false, description: "The referred person's email; stored only as a salted hash. With neither email nor phone the row links no lead, and its reward and sign-up still count"),
            ColumnSpec("phone", names: ["referred_phone", "phone"], required: false, description: "The referred person's phone; stored only as a salted hash"),
            ColumnSpec("referred_at", names: ["referred_at"], description: "When they were referred, ISO 8601"),
            ColumnSpec("status", names: ["status"], description: "invited, signed_up, qualified or rewarded"),
            ColumnSpec("reward", names: ["reward_amount", "reward"], required: false, description: "The reward paid to the referrer"),
            ColumnSpec("currency", names: ["reward_currency", "currency"], required: false, description: "The reward's currency (required with an amount)"),
            ColumnSpec("rewarded_at", names: ["rewarded_at"], required: false, description: "When the reward was paid (required with an amount)"),
        ],
        example: """
            referral_id,referral_code,referrer_id,referred_email,referred_phone,referred_at,status,reward_amount,reward_currency,rewarded_at
            RF-0001,R4821,C00017,binh.tran@example.com,,2026-01-08T10:15:00Z,rewarded,50.00,USD,2026-01-25T09:00:00Z
            """
    ) { (row) throws(RowError) in
        let id = try row.required("referral_id")
        _ = try row.required("code")
        _ = try row.required("referrer_id")
        let email = try row.email("email")
        let phone = try row.phone("phone")
        let at = try row.timestamp("referred_at")
        let statusText = try row.required("status").lowercased().replacingSpaces()
        guard let status = statuses[statusText] else {
            throw row.error("status", "\(SourceRow.quoted(statusText)) is not a status; expected invited, signed_up, qualified or rewarded")
        }
        let detail = "referral:" + id
        // A person the ledger names by email or phone becomes a lead; one it does not name links
        // no lead, and the row still books its reward and sign-up.
        var records: [ChannelRecord] = email == nil && phone == nil ? [] : [
            .lead(LeadRecord(key: nil, createdAt: at, email: email, phone: phone, sourceLabel: "Referral")),
            .touch(TouchRecord(lead: .sameRow, at: at, kind: .referral, campaign: nil)),
        ]
        if status >= 1 { records.append(.metric(MetricRecord(day: at.day, campaign: nil, metric: "signups", value: 1, detail: .line(detail)))) }
        if let reward = try row.optionalMoney("reward", currencyKey: "currency"), reward.minorUnits > 0 {
            guard row.value("rewarded_at") != nil else { throw row.error("rewarded_at", "is empty, but a reward amount is given") }
            let paid = try row.timestamp("rewarded_at")
            guard paid >= at else { throw row.error("rewarded_at", "\(paid) is before the referral (\(at))") }
            records.append(.cost(CostRecord(day: paid.day, campaign: nil, amount: reward, detail: detail)))
            records.append(.metric(MetricRecord(day: paid.day, campaign: nil, metric: "rewards_paid", value: 1, detail: .line(detail))))
        } else if status == 3 {
            throw row.error("reward", "the status is rewarded but no reward amount is given")
        }
        return records
    }
}

extension String {
    /// `signed up` → `signed_up`.
    func replacingSpaces() -> String { split(separator: " ").joined(separator: "_") }
}
