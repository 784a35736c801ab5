/// # EventsChannel — trade shows, conferences, webinars, workshops, meetups
///
/// Imports an events ledger (one row per event cost line; each cost is spread over the
/// event's days) and attendee lists or badge scans: every attendee becomes a lead (known by
/// email or phone) with an `event_attend` touchpoint; people who registered but did not come
/// get a weaker `form_submit` touchpoint (their registration). Registrants, attendees, show
/// rate and cost per attendee are computed from those touchpoints per event (the event is the
/// campaign). Claims `utm_medium=event|webinar` and event-platform referrers.
/// Formats: `docs/formats/events.md`.
import ChannelKit

public struct EventsChannelPlugin: ChannelPlugin {
    public init() {}

    public let id = "events"
    public let displayName = "Events"
    public let summary = "Trade shows, conferences, webinars, workshops and meetups: costs and attendee lists."
    public let classificationPriority = 15

    public var metrics: [MetricDefinition] {
        [
            MetricDefinition(id: "registrants", title: "Registrants", aggregation: .leadsTouched([.formSubmit, .eventAttend]),
                             description: "People who registered or attended (leads with a registration or attendance touch)"),
            MetricDefinition(id: "attendees", title: "Attendees", aggregation: .leadsTouched([.eventAttend]),
                             description: "People who attended (badge scanned or checked in)"),
            MetricDefinition(id: "show_rate", title: "Show rate", aggregation: .ratio(numerator: "attendees", denominator: "registrants"),
                             description: "Attendees / registrants"),
            MetricDefinition(id: "cost_per_attendee", title: "Cost per attendee", aggregation: .costPer("attendees"),
                             description: "Event spend / attendees"),
        ]
    }

    public var formats: [ExportFormat] { [EventsLedger.format, EventAttendees.format] }

    static let platforms = ["eventbrite.com", "meetup.com", "lu.ma", "zoom.us", "hopin.com", "airmeet.com", "bizzabo.com", "cvent.com", "ticketbox.vn"]

    public var touchRule: TouchRule? {
        .any([
            .medium(["event", "events", "webinar", "trade_show", "tradeshow", "conference", "offline_event"]),
            .all([.untagged, .referrerDomain(Self.platforms)]),
        ])
    }

    public var touchExamples: [TouchExample] {
        [
            .claims(RawTouch(source: "expo_hcmc", medium: "event")),
            .claims(RawTouch(source: "zoom", medium: "webinar", campaign: "lead_scoring_webinar")),
            .claims(RawTouch(referrer: "https://www.eventbrite.com/e/123")),
            .claims(RawTouch(referrer: "https://lu.ma/growth-meetup")),
            .ignores(RawTouch(source: "newsletter", medium: "email", referrer: "https://www.eventbrite.com/")),
            .ignores(RawTouch(referrer: "https://www.google.com/")),
            .ignores(RawTouch(source: "facebook", medium: "paid_social", campaign: "webinar_promo")),
        ]
    }
}

enum EventKind {
    static let all = ["trade_show", "conference", "webinar", "workshop", "meetup"]
}

/// One row per event and cost line. The event's data repeats on each of its lines; an event
/// without costs has one row with the cost columns empty.
enum EventsLedger {
    static let format = ExportFormat(
        id: "events-ledger",
        title: "Events ledger (events and their cost lines)",
        summary: "One row per event cost line; each cost is spread evenly over the event's days.",
        columns: [
            ColumnSpec("event_id", names: ["event_id"], description: "The event's id"),
            ColumnSpec("event_name", names: ["event_name", "name"], description: "The event's name; it is the campaign"),
            ColumnSpec("kind", names: ["kind", "event_type"], description: "trade_show, conference, webinar, workshop or meetup"),
            ColumnSpec("start", names: ["start_date"], description: "First day, YYYY-MM-DD"),
            ColumnSpec("end", names: ["end_date"], description: "Last day, YYYY-MM-DD (the same as the first for one-day events)"),
            ColumnSpec("venue", names: ["venue", "city", "location"], required: false, description: "Venue or city"),
            ColumnSpec("item", names: ["cost_item"], required: false, description: "What the cost line is for (booth, travel, platform…)"),
            ColumnSpec("amount", names: ["cost_amount", "amount"], required: false, description: "The cost line's amount"),
            ColumnSpec("currency", names: ["currency"], required: false, description: "ISO 4217 code (required with an amount)"),
        ],
        example: """
            event_id,event_name,kind,start_date,end_date,venue,cost_item,cost_amount,currency
            EV-01,Vietnam Retail Expo 2026,trade_show,2026-01-20,2026-01-21,SECC Ho Chi Minh City,Booth,4500.00,USD
            """
    ) { (row) throws(RowError) in
        let id = try row.required("event_id")
        let name = try row.required("event_name")
        let kind = try row.required("kind").lowercased().split(separator: " ").joined(separator: "_")
        guard EventKind.all.contains(kind) else {
            throw row.error("kind", "\(SourceRow.quoted(kind)) is not an event kind; expected \(EventKind.all.joined(separator: ", "))")
        }
        let start = try row.day("start")
        let end = try row.day("end")
        guard start <= end else { throw row.error("end", "the event ends (\(end)) before it starts (\(start))") }
        guard end.daysSinceEpoch - start.daysSinceEpoch < 31 else { throw row.error("end", "an event of more than 31 days is not an event") }
        guard let amount = try row.optionalMoney("amount", currencyKey: "currency") else { return [] }
        let item = row.value("item") ?? "cost"
        return CostRecord.spread(amount, over: start.through(end), campaign: CampaignRef(name: name, externalID: id), detail: "cost:" + item)
            .map(ChannelRecord.cost)
    }
}

/// An attendee list or badge-scan export (Eventbrite, Zoom webinar reports, badge scanners).
enum EventAttendees {
    static let format = ExportFormat(
        id: "event-attendees",
        title: "Event attendees / badge scans",
        summary: "One row per registered person; attended people become leads with an event_attend touch, no-shows a form_submit.",
        columns: [
            ColumnSpec("event_id", names: ["event_id"], description: "The event's id"),
            ColumnSpec("event_name", names: ["event_name"], description: "The event's name (the campaign; as in the ledger)"),
            ColumnSpec("name", names: ["name", "full_name", "attendee_name"], required: false, description: "Not stored"),
            ColumnSpec("email", names: ["email"], required: false, description: "Stored only as a salted hash"),
            ColumnSpec("phone", names: ["phone"], required: false, description: "Stored only as a salted hash"),
            ColumnSpec("company", names: ["company"], required: false, description: "Not stored"),
            ColumnSpec("job_title", names: ["job_title", "title"], required: false, description: "Not stored"),
            ColumnSpec("registered", names: ["registered"], required: false, description: "yes/no; empty = yes"),
            ColumnSpec("attended", names: ["attended", "checked_in"], description: "yes/no"),
            ColumnSpec("registered_at", names: ["registered_at"], required: false, description: "When they registered, ISO 8601"),
            ColumnSpec("scanned_at", names: ["scanned_at", "checked_in_at"], required: false, description: "When the badge was scanned; required for attendees"),
            ColumnSpec("notes", names: ["notes"], required: false, description: "Not stored (free text)"),
        ],
        example: """
            event_id,event_name,name,email,company,job_title,registered,attended,registered_at,scanned_at,notes
            EV-01,Vietnam Retail Expo 2026,Tran Binh,binh.tran@example.com,Example Retail,Buyer,yes,yes,2026-01-10T08:00:00Z,2026-01-20T10:42:00Z,asked for a demo
            """
    ) { (row) throws(RowError) in
        let id = try row.required("event_id")
        let campaign = CampaignRef(name: try row.required("event_name"), externalID: id)
        let email = try row.email("email")
        let phone = try row.phone("phone")
        guard email != nil || phone != nil else { throw row.error("email", "the attendee has neither an email nor a phone number") }
        guard let attended = try row.bool("attended") else { throw row.error("attended", "is empty; a value is required") }
        let registered = try row.bool("registered") ?? true
        let registeredAt = try row.optionalTimestamp("registered_at")
        let scannedAt = try row.optionalTimestamp("scanned_at")
        let touch: TouchRecord
        if attended {
            guard let scannedAt else { throw row.error("scanned_at", "is empty; an attendee needs the time they were scanned or checked in") }
            touch = TouchRecord(lead: .sameRow, at: scannedAt, kind: .eventAttend, campaign: campaign)
        } else {
            guard registered else { throw row.error("registered", "the person neither registered nor attended") }
            guard let registeredAt else { throw row.error("registered_at", "is empty; a registration needs its time") }
            touch = TouchRecord(lead: .sameRow, at: registeredAt, kind: .formSubmit, campaign: campaign)
        }
        let createdAt = [registeredAt, scannedAt].compactMap { $0 }.min()!
        var records: [ChannelRecord] = [.lead(LeadRecord(key: nil, createdAt: createdAt, email: email, phone: phone, sourceLabel: "Event"))]
        if attended, registered, let registeredAt {
            records.append(.touch(TouchRecord(lead: .sameRow, at: registeredAt, kind: .formSubmit, campaign: campaign)))
        }
        records.append(.touch(touch))
        return records
    }
}
