/// # The touch store — one row per touch, stored narrow
///
/// Touches are most of a warehouse's rows (6 M for 1 M leads). Each is one row of `touches`
/// (migration core.14), its natural key enforced by SQLite as the table's key:
///
/// | column | holds |
/// |---|---|
/// | `occurred_at`, `lead_id`, `kind_code`, `channel_code` | the natural key, in time order: a file in time order appends |
/// | `id` | the order touches were imported in (ties at the same second go to the first imported) |
/// | `campaign_id` | the campaign, if any |
/// | `utm_source_tag` … `landing_page_tag` | the raw tags, each distinct value stored once in `touch_tags` |
/// | `click_ids` | the landing page's click identifiers (``ClickIDs``), `name=value&…`, or NULL |
/// | `import_run_id` | the run that wrote it |
///
/// Kinds and channels are integer codes (`touch_kinds`, `channel_codes`, each with a foreign
/// key): a kind's code is its place in ``LeadJourneys/kinds`` for good; a channel gets the next
/// code when it is first registered. The table is `WITHOUT ROWID`: the key is the only index,
/// nothing else is written per row.
///
/// The view `touchpoints` keeps the columns and values SQL readers had before, with two
/// documented exceptions: `landing_page` is the page without its click identifiers, which are
/// in the view's last column, `click_ids`; and `id` is the import order kept in the row.
/// Snapshots read the view (format 2 adds `click_ids`).
public enum TouchStore {
    /// The next touch id is kept here, so that a run does not scan the table for the largest.
    static let nextIDSetting = "next_touch_id"

    static let createTableSQL = """
        CREATE TABLE touches (
            occurred_at INTEGER NOT NULL,
            lead_id INTEGER NOT NULL REFERENCES leads(id),
            kind_code INTEGER NOT NULL REFERENCES touch_kinds(code),
            channel_code INTEGER NOT NULL REFERENCES channel_codes(code),
            id INTEGER NOT NULL,
            campaign_id INTEGER REFERENCES campaigns(id),
            utm_source_tag INTEGER REFERENCES touch_tags(id),
            utm_medium_tag INTEGER REFERENCES touch_tags(id),
            utm_campaign_tag INTEGER REFERENCES touch_tags(id),
            referrer_tag INTEGER REFERENCES touch_tags(id),
            landing_page_tag INTEGER REFERENCES touch_tags(id),
            click_ids TEXT,
            import_run_id INTEGER NOT NULL REFERENCES import_runs(id),
            PRIMARY KEY (occurred_at, lead_id, kind_code, channel_code)
        ) STRICT, WITHOUT ROWID;
        """

    /// Scalar subqueries by primary key rather than joins, so that `touches` is the only table
    /// scanned and rows come in its key order.
    static let createViewSQL = """
        CREATE VIEW touchpoints AS
        SELECT t.id AS id, t.lead_id AS lead_id, t.occurred_at AS occurred_at,
               (SELECT c.channel_id FROM channel_codes c WHERE c.code = t.channel_code) AS channel_id,
               t.campaign_id AS campaign_id,
               (SELECT k.name FROM touch_kinds k WHERE k.code = t.kind_code) AS kind,
               (SELECT v.value FROM touch_tags v WHERE v.id = t.utm_source_tag) AS utm_source,
               (SELECT v.value FROM touch_tags v WHERE v.id = t.utm_medium_tag) AS utm_medium,
               (SELECT v.value FROM touch_tags v WHERE v.id = t.utm_campaign_tag) AS utm_campaign,
               (SELECT v.value FROM touch_tags v WHERE v.id = t.referrer_tag) AS referrer,
               (SELECT v.value FROM touch_tags v WHERE v.id = t.landing_page_tag) AS landing_page,
               t.import_run_id AS import_run_id,
               t.click_ids AS click_ids
        FROM touches t;
        """

    /// Defines the SQL functions the migration to this store splits landing pages with.
    static func defineFunctions(on db: Database) throws {
        try db.defineFunction("leadledger_landing_page") { $0.map { ClickIDs.split($0).page } }
        try db.defineFunction("leadledger_click_ids") { $0.flatMap { ClickIDs.split($0).clickIDs } }
    }
}
