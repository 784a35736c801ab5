import ChannelKit

/// Meta lead ads: the leads download of a lead form (Meta Business Suite → Forms library →
/// Download, or the form's export link), tab- or comma-separated, re-saved as UTF-8.
/// Every person becomes a lead keyed `meta:<id>` (merged with a CRM lead of the same email or
/// phone) with a `form_submit` touchpoint on the campaign that brought them.
enum MetaLeadForms {
    static let format = ExportFormat(
        id: "meta-lead-forms",
        title: "Meta lead ads form leads",
        summary: "Leads downloaded from a Meta lead ads form; organic submissions (is_organic = 1) have no campaign.",
        columns: [
            ColumnSpec("id", names: ["id", "lead_id"], description: "Meta's lead id"),
            ColumnSpec("created_time", names: ["created_time"], description: "Submission time, ISO 8601 with offset"),
            ColumnSpec("campaign_id", names: ["campaign_id"], required: false, description: "Campaign id (empty for organic leads)"),
            ColumnSpec("campaign", names: ["campaign_name"], description: "Campaign name (empty for organic leads)"),
            ColumnSpec("form_name", names: ["form_name"], required: false, description: "The form's name (kept for reference)"),
            ColumnSpec("full_name", names: ["full_name"], required: false, personal: true, description: "Not stored"),
            ColumnSpec("is_organic", names: ["is_organic"], required: false, description: "1 when the lead came without an ad"),
            ColumnSpec("email", names: ["email"], required: false, description: "Email; stored only as a salted hash"),
            ColumnSpec("phone", names: ["phone_number", "phone"], required: false, description: "Phone; stored only as a salted hash"),
        ],
        example: """
            id\tcreated_time\tad_id\tad_name\tadset_id\tadset_name\tcampaign_id\tcampaign_name\tform_id\tform_name\tis_organic\tplatform\temail\tfull_name\tphone_number
            l:900000000000001\t2026-01-05T16:10:44+07:00\t1202\tTet carousel\t1201\tHCMC 25-44\t120210000000001\tTet Sale 2026\t7001\tTet quote form\t0\tfb\tan.nguyen@example.com\tNguyen An\t+84901234567
            """
    ) { (row) throws(RowError) in
        let id = try row.required("id")
        let at = try row.timestamp("created_time")
        let email = try row.email("email")
        let phone = try row.phone("phone")
        guard email != nil || phone != nil else { throw row.error("email", "the lead has neither an email nor a phone number") }
        let organic = row.value("is_organic") == "1"
        let campaign = organic ? nil : row.value("campaign").map { CampaignRef(name: $0, externalID: row.value("campaign_id")) }
        let key = "meta:" + id
        return [
            .lead(LeadRecord(key: key, createdAt: at, email: email, phone: phone, sourceLabel: "Meta lead form: " + (row.value("form_name") ?? id))),
            .touch(TouchRecord(lead: .sameRow, at: at, kind: .formSubmit, campaign: campaign)),
        ]
    }
}
