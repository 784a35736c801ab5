import ChannelKit

/// The core warehouse schema. Conventions:
/// - times are INTEGER seconds since the Unix epoch, UTC (`*_at` columns);
/// - days are TEXT `YYYY-MM-DD` (UTC);
/// - money is INTEGER minor units (`*_minor`) beside a TEXT ISO 4217 `currency`;
/// - every imported row remembers its `import_run_id`;
/// - natural keys are UNIQUE so that importing the same facts twice cannot double-count.
enum CoreSchema {
    static let touchKinds = TouchKind.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")


    /// The reports' covering index of `leads` (core.6; dropped with the columns by core.11).
    static let leadsForReportsIndexSQL = """
        CREATE INDEX leads_for_reports ON leads (first_channel, created_at, first_campaign_id, stage_mql_at, stage_sql_at,
                                                 stage_opportunity_at, stage_customer_at, first_converted_at);
        """

    static func register(into migrations: inout Migrations) {
        migrations.register("core.1.initial", sql: """
            CREATE TABLE settings (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            ) STRICT;

            CREATE TABLE channels (
                id TEXT PRIMARY KEY CHECK (id GLOB '[a-z]*' AND id NOT GLOB '*[^a-z0-9_-]*'),
                display_name TEXT NOT NULL,
                origin TEXT NOT NULL CHECK (origin IN ('plugin', 'core'))
            ) STRICT;

            CREATE TABLE campaigns (
                id INTEGER PRIMARY KEY,
                channel_id TEXT NOT NULL REFERENCES channels(id),
                key TEXT NOT NULL CHECK (key <> ''),
                name TEXT NOT NULL,
                external_id TEXT,
                UNIQUE (channel_id, key)
            ) STRICT;

            CREATE TABLE import_runs (
                id INTEGER PRIMARY KEY,
                source TEXT NOT NULL,
                format TEXT NOT NULL,
                file_name TEXT NOT NULL,
                file_sha256 TEXT NOT NULL CHECK (length(file_sha256) = 64),
                file_bytes INTEGER NOT NULL CHECK (file_bytes >= 0),
                started_at INTEGER NOT NULL,
                finished_at INTEGER NOT NULL,
                rows_read INTEGER NOT NULL CHECK (rows_read >= 0),
                rows_inserted INTEGER NOT NULL CHECK (rows_inserted >= 0),
                rows_updated INTEGER NOT NULL CHECK (rows_updated >= 0),
                rows_unchanged INTEGER NOT NULL CHECK (rows_unchanged >= 0),
                rows_rejected INTEGER NOT NULL CHECK (rows_rejected >= 0)
            ) STRICT;
            CREATE INDEX import_runs_by_checksum ON import_runs (source, file_sha256);

            CREATE TABLE rejects (
                id INTEGER PRIMARY KEY,
                import_run_id INTEGER NOT NULL REFERENCES import_runs(id),
                file_name TEXT NOT NULL,
                line INTEGER NOT NULL CHECK (line >= 1),
                column_number INTEGER CHECK (column_number IS NULL OR column_number >= 1),
                column_name TEXT,
                reason TEXT NOT NULL,
                raw_row TEXT NOT NULL
            ) STRICT;
            CREATE INDEX rejects_by_run ON rejects (import_run_id);

            \(leadsTableSQL("leads"))
            \(leadsIndexesSQL)

            -- Every external identifier a lead is known by (CRM id, `meta:<lead id>`, …).
            CREATE TABLE lead_keys (
                key TEXT PRIMARY KEY,
                lead_id INTEGER NOT NULL REFERENCES leads(id)
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX lead_keys_by_lead ON lead_keys (lead_id);

            CREATE TABLE touchpoints (
                id INTEGER PRIMARY KEY,
                lead_id INTEGER NOT NULL REFERENCES leads(id),
                occurred_at INTEGER NOT NULL,
                channel_id TEXT NOT NULL REFERENCES channels(id),
                campaign_id INTEGER REFERENCES campaigns(id),
                kind TEXT NOT NULL CHECK (kind IN (\(touchKinds))),
                utm_source TEXT,
                utm_medium TEXT,
                utm_campaign TEXT,
                referrer TEXT,
                landing_page TEXT,
                import_run_id INTEGER NOT NULL REFERENCES import_runs(id)
            ) STRICT;
            CREATE UNIQUE INDEX touchpoints_natural_key ON touchpoints (lead_id, occurred_at, kind, channel_id);
            CREATE INDEX touchpoints_by_channel ON touchpoints (channel_id, occurred_at);

            CREATE TABLE costs (
                id INTEGER PRIMARY KEY,
                day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
                channel_id TEXT NOT NULL REFERENCES channels(id),
                campaign_id INTEGER REFERENCES campaigns(id),
                amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
                currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
                import_run_id INTEGER NOT NULL REFERENCES import_runs(id)
            ) STRICT;
            CREATE UNIQUE INDEX costs_natural_key ON costs (day, channel_id, ifnull(campaign_id, 0));

            CREATE TABLE channel_metrics (
                id INTEGER PRIMARY KEY,
                day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
                channel_id TEXT NOT NULL REFERENCES channels(id),
                campaign_id INTEGER REFERENCES campaigns(id),
                metric TEXT NOT NULL,
                value REAL NOT NULL,
                import_run_id INTEGER NOT NULL REFERENCES import_runs(id)
            ) STRICT;
            CREATE UNIQUE INDEX channel_metrics_natural_key ON channel_metrics (day, channel_id, ifnull(campaign_id, 0), metric);

            CREATE TABLE conversions (
                id INTEGER PRIMARY KEY,
                lead_id INTEGER NOT NULL REFERENCES leads(id),
                converted_at INTEGER NOT NULL,
                revenue_minor INTEGER NOT NULL CHECK (revenue_minor >= 0),
                currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
                external_id TEXT,
                import_run_id INTEGER NOT NULL REFERENCES import_runs(id)
            ) STRICT;
            CREATE UNIQUE INDEX conversions_natural_key ON conversions (lead_id, converted_at);
            CREATE UNIQUE INDEX conversions_by_external_id ON conversions (external_id) WHERE external_id IS NOT NULL;

            CREATE TABLE lifecycle_stages (
                id INTEGER PRIMARY KEY,
                lead_id INTEGER NOT NULL REFERENCES leads(id),
                stage TEXT NOT NULL CHECK (stage IN ('lead', 'mql', 'sql', 'opportunity', 'customer')),
                changed_at INTEGER NOT NULL,
                import_run_id INTEGER NOT NULL REFERENCES import_runs(id),
                UNIQUE (lead_id, stage, changed_at)
            ) STRICT;

            CREATE TABLE outreach_attempts (
                id INTEGER PRIMARY KEY,
                lead_id INTEGER NOT NULL REFERENCES leads(id),
                attempted_at INTEGER NOT NULL,
                method TEXT NOT NULL,
                responded INTEGER NOT NULL CHECK (responded IN (0, 1)),
                import_run_id INTEGER NOT NULL REFERENCES import_runs(id),
                UNIQUE (lead_id, attempted_at, method)
            ) STRICT;

            INSERT INTO channels (id, display_name, origin) VALUES
                ('direct', 'Direct / none', 'core'),
                ('other', 'Other / unclassified', 'core');
            """)

        // Ledgers (referral rewards, event cost lines) and per-page or per-query metrics hold
        // several facts per day and campaign: `detail` tells them apart ('' when there is one).
        migrations.register("core.2.details", sql: """
            ALTER TABLE costs ADD COLUMN detail TEXT NOT NULL DEFAULT '';
            DROP INDEX costs_natural_key;
            CREATE UNIQUE INDEX costs_natural_key ON costs (day, channel_id, ifnull(campaign_id, 0), detail);
            ALTER TABLE channel_metrics ADD COLUMN detail TEXT NOT NULL DEFAULT '';
            DROP INDEX channel_metrics_natural_key;
            CREATE UNIQUE INDEX channel_metrics_natural_key ON channel_metrics (day, channel_id, ifnull(campaign_id, 0), metric, detail);
            """)

        // Exchange rates the user imports, so that reports can add costs and revenue in
        // different currencies: 1 `currency` = `rate` × `target`, from `day` on.
        migrations.register("core.3.exchange-rates", sql: """
            CREATE TABLE exchange_rates (
                id INTEGER PRIMARY KEY,
                day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
                currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
                target TEXT NOT NULL CHECK (length(target) = 3 AND target = upper(target) AND target <> currency),
                rate REAL NOT NULL CHECK (rate > 0),
                import_run_id INTEGER NOT NULL REFERENCES import_runs(id),
                UNIQUE (day, currency, target)
            ) STRICT;
            """)

        // Each lead's first touch (its channel and campaign), kept up to date by every import
        // run, so that reports group leads by a column instead of searching touchpoints per lead.
        migrations.register("core.4.first-touch", sql: """
            ALTER TABLE leads ADD COLUMN first_channel TEXT REFERENCES channels(id);
            ALTER TABLE leads ADD COLUMN first_campaign_id INTEGER REFERENCES campaigns(id);
            UPDATE leads SET
                first_channel = (SELECT t.channel_id FROM touchpoints t WHERE t.lead_id = leads.id ORDER BY t.occurred_at, t.id LIMIT 1),
                first_campaign_id = (SELECT t.campaign_id FROM touchpoints t WHERE t.lead_id = leads.id ORDER BY t.occurred_at, t.id LIMIT 1);
            CREATE INDEX leads_by_first_channel ON leads (first_channel, created_at);
            """)

        // The time of that first touch, so that an import run compares its own earliest touch
        // per lead with one column instead of searching the lead's touchpoints again.
        migrations.register("core.5.first-touch-time", sql: """
            ALTER TABLE leads ADD COLUMN first_touch_at INTEGER;
            UPDATE leads SET first_touch_at = (SELECT min(t.occurred_at) FROM touchpoints t WHERE t.lead_id = leads.id);
            """)

        // Each lead's milestones — the earliest change to each lifecycle stage after `lead`, and
        // its first conversion — kept up to date by every import run, so that the channel,
        // funnel and cohort reports read one row per lead instead of grouping stage and
        // conversion rows per lead. The reports' index holds every column they read from `leads`,
        // so that they scan it (about 50 bytes a lead) rather than the table (several hundred).
        migrations.register("core.6.lead-milestones", sql: """
            ALTER TABLE leads ADD COLUMN stage_mql_at INTEGER;
            ALTER TABLE leads ADD COLUMN stage_sql_at INTEGER;
            ALTER TABLE leads ADD COLUMN stage_opportunity_at INTEGER;
            ALTER TABLE leads ADD COLUMN stage_customer_at INTEGER;
            ALTER TABLE leads ADD COLUMN first_converted_at INTEGER;
            \(CoreSchema.refreshMilestonesSQL);
            DROP INDEX leads_by_first_channel;
            \(leadsForReportsIndexSQL)
            """)

        // Each lead's touches and conversions packed in one row, for attribution (see
        // ``LeadJourneys``); the rows are built in Swift by the next open of the warehouse.
        migrations.register("core.7.lead-journeys", sql: LeadJourneys.createSQL)

        // The rows of leads with a conversion, whole, in lead order: the models that ignore
        // null paths read a fifth of the leads from this index instead of every row.
        migrations.register("core.8.converted-lead-journeys", sql: LeadJourneys.convertedIndexSQL)

        // The touchpoints' natural key in time order: exports come in time order, so an import
        // appends to the end of the index instead of inserting at a random lead's place in it
        // (the lead-first index was two thirds of a large touch import's SQLite time, and more
        // than the rest of the import once it no longer fit in the page cache). Nothing searches
        // touchpoints by lead any more: per-lead reads go through ``LeadJourneys``.
        migrations.register("core.9.touchpoints-in-time-order", sql: """
            DROP INDEX touchpoints_natural_key;
            CREATE UNIQUE INDEX touchpoints_natural_key ON touchpoints (occurred_at, lead_id, kind, channel_id);
            """)

        // The same CHECKs on a touch's kind and a stage's name, as chains of comparisons.
        // SQLite evaluates `x IN (three or more values)` in a CHECK by building a temporary index
        // of the values for every row written (docs/benchmarks.md, "Why the code is shaped so");
        // the chain costs nothing measurable. A CHECK cannot be altered in
        // place, so both tables are rebuilt as SQLite documents it (new table, rows copied as
        // they are, old one dropped, new one renamed, indexes made again); no table, view or
        // trigger refers to them. The kinds are written out: a new kind is a new step.
        let kinds = ["impression", "click", "visit", "form_submit", "download", "newsletter_signup", "email_open",
                     "quote_request", "consultation", "checkout_start", "event_attend", "referral"]
        let touchColumns = "id, lead_id, occurred_at, channel_id, campaign_id, kind, utm_source, utm_medium, utm_campaign, referrer, landing_page, import_run_id"
        migrations.register("core.10.checks-without-in-lists", sql: """
            CREATE TABLE touchpoints_rebuilt (
                id INTEGER PRIMARY KEY,
                lead_id INTEGER NOT NULL REFERENCES leads(id),
                occurred_at INTEGER NOT NULL,
                channel_id TEXT NOT NULL REFERENCES channels(id),
                campaign_id INTEGER REFERENCES campaigns(id),
                kind TEXT NOT NULL CHECK (\(oneOf("kind", kinds))),
                utm_source TEXT,
                utm_medium TEXT,
                utm_campaign TEXT,
                referrer TEXT,
                landing_page TEXT,
                import_run_id INTEGER NOT NULL REFERENCES import_runs(id)
            ) STRICT;
            INSERT INTO touchpoints_rebuilt (\(touchColumns)) SELECT \(touchColumns) FROM touchpoints ORDER BY id;
            DROP TABLE touchpoints;
            ALTER TABLE touchpoints_rebuilt RENAME TO touchpoints;
            CREATE UNIQUE INDEX touchpoints_natural_key ON touchpoints (occurred_at, lead_id, kind, channel_id);
            CREATE INDEX touchpoints_by_channel ON touchpoints (channel_id, occurred_at);

            CREATE TABLE lifecycle_stages_rebuilt (
                id INTEGER PRIMARY KEY,
                lead_id INTEGER NOT NULL REFERENCES leads(id),
                stage TEXT NOT NULL CHECK (\(oneOf("stage", ["lead", "mql", "sql", "opportunity", "customer"]))),
                changed_at INTEGER NOT NULL,
                import_run_id INTEGER NOT NULL REFERENCES import_runs(id),
                UNIQUE (lead_id, stage, changed_at)
            ) STRICT;
            INSERT INTO lifecycle_stages_rebuilt (id, lead_id, stage, changed_at, import_run_id)
                SELECT id, lead_id, stage, changed_at, import_run_id FROM lifecycle_stages ORDER BY id;
            DROP TABLE lifecycle_stages;
            ALTER TABLE lifecycle_stages_rebuilt RENAME TO lifecycle_stages;
            """, foreignKeysOff: true)

        // The first touch and milestones move out of `leads` into the narrow `lead_firsts`
        // (see ``LeadFirsts``): a large import rewrote most of the wide rows and built the
        // reports' index again each time. The columns have a foreign key, so `leads` is rebuilt
        // in the twelve documented steps, as core.10 did; its rows and ids stay as they are.
        let leadColumns = """
            id, created_at, email_hash, phone_hash, country, region, age_band, gender, income_band, industry, company_size,
            interests, source_label, import_run_id
            """
        let firstsColumns = "first_channel, first_campaign_id, first_touch_at, stage_mql_at, stage_sql_at, stage_opportunity_at, stage_customer_at, first_converted_at"
        migrations.register("core.11.lead-firsts", sql: """
            \(LeadFirsts.createSQL)
            INSERT INTO lead_firsts (lead_id, created_at, \(firstsColumns)) SELECT id, created_at, \(firstsColumns) FROM leads ORDER BY id;
            DROP INDEX leads_for_reports;
            \(leadsTableSQL("leads_rebuilt"))
            INSERT INTO leads_rebuilt (\(leadColumns)) SELECT \(leadColumns) FROM leads ORDER BY id;
            DROP TABLE leads;
            ALTER TABLE leads_rebuilt RENAME TO leads;
            \(leadsIndexesSQL)
            """, foreignKeysOff: true)
        // A conversion with an order or deal id is known by it: two orders of one lead in the
        // same second are two conversions. Without an id, the lead and the second are the key.
        migrations.register("core.12.conversions-keyed-by-id", sql: """
            DROP INDEX conversions_natural_key;
            CREATE UNIQUE INDEX conversions_natural_key ON conversions (lead_id, converted_at) WHERE external_id IS NULL;
            CREATE INDEX conversions_by_lead ON conversions (lead_id, converted_at);
            """)
        // Reasons stored before reasons stopped quoting personal values: the same reasons,
        // without the email or phone number (they also travelled in redacted snapshots).
        migrations.register("core.13.rejects-without-personal-values", sql: """
            UPDATE rejects SET reason = 'is not an email address' WHERE reason LIKE '"%" is not an email address';
            UPDATE rejects SET reason = 'is not a phone number (6 to 15 digits)' WHERE reason LIKE '"%" is not a phone number (6 to 15 digits)';
            UPDATE rejects SET reason = 'no lead has this email; import the leads first, then this file again with --again'
                WHERE reason LIKE 'no lead has the email "%"; import the leads first, then this file again with --again';
            """)
        // The narrow touch store (see ``TouchStore``): one row per touch in `touches`, keyed by
        // its natural key in time order, WITHOUT ROWID; kind and channel as integer codes; the
        // raw tags once each in `touch_tags`; click ids out of the landing page into
        // `click_ids`. `touchpoints` becomes a view with the old columns. The kinds are written
        // out (their codes are their places in this list, for good), and the landing page is
        // split by the SQL functions ``TouchStore`` defines on every connection.
        let kindRows = kinds.enumerated().map { "(\($0.offset), '\($0.element)')" }.joined(separator: ", ")
        migrations.register("core.14.narrow-touch-store", sql: """
            CREATE TABLE touch_kinds (
                code INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE
            ) STRICT;
            INSERT INTO touch_kinds (code, name) VALUES \(kindRows);

            CREATE TABLE channel_codes (
                code INTEGER PRIMARY KEY,
                channel_id TEXT NOT NULL UNIQUE REFERENCES channels(id)
            ) STRICT;
            INSERT INTO channel_codes (channel_id) SELECT id FROM channels ORDER BY id;
            CREATE TRIGGER channels_get_a_code AFTER INSERT ON channels BEGIN
                INSERT INTO channel_codes (channel_id) VALUES (new.id);
            END;

            CREATE TABLE touch_tags (
                id INTEGER PRIMARY KEY,
                value TEXT NOT NULL UNIQUE
            ) STRICT;

            \(TouchStore.createTableSQL)

            CREATE TEMP TABLE touch_migration AS
                SELECT id, lead_id, occurred_at, channel_id, campaign_id, kind, utm_source, utm_medium, utm_campaign, referrer,
                       leadledger_landing_page(landing_page) AS page, leadledger_click_ids(landing_page) AS click_ids, import_run_id
                FROM touchpoints;
            INSERT INTO touch_tags (value)
                SELECT v FROM (SELECT utm_source AS v FROM touch_migration UNION SELECT utm_medium FROM touch_migration
                               UNION SELECT utm_campaign FROM touch_migration UNION SELECT referrer FROM touch_migration
                               UNION SELECT page FROM touch_migration)
                WHERE v IS NOT NULL ORDER BY v;
            INSERT INTO touches (occurred_at, lead_id, kind_code, channel_code, id, campaign_id, utm_source_tag, utm_medium_tag,
                                 utm_campaign_tag, referrer_tag, landing_page_tag, click_ids, import_run_id)
                SELECT m.occurred_at, m.lead_id, k.code, c.code, m.id, m.campaign_id,
                       (SELECT id FROM touch_tags WHERE value = m.utm_source), (SELECT id FROM touch_tags WHERE value = m.utm_medium),
                       (SELECT id FROM touch_tags WHERE value = m.utm_campaign), (SELECT id FROM touch_tags WHERE value = m.referrer),
                       (SELECT id FROM touch_tags WHERE value = m.page), m.click_ids, m.import_run_id
                FROM touch_migration m JOIN touch_kinds k ON k.name = m.kind JOIN channel_codes c ON c.channel_id = m.channel_id
                ORDER BY m.occurred_at, m.lead_id, k.code, c.code;
            DROP TABLE temp.touch_migration;
            DROP TABLE touchpoints;
            \(TouchStore.createViewSQL)
            INSERT INTO settings (key, value) VALUES ('next_touch_id', (SELECT CAST(coalesce(max(id), 0) + 1 AS TEXT) FROM touches))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value;
            """, foreignKeysOff: true)
        // Costs and metrics keyed by their source too (format and ad account or ledger): the
        // same campaign name on two platforms is two costs, summed, never one overwriting the
        // other. Rows imported before keep their run's format as their source.
        migrations.register("core.15.fact-sources", sql: """
            ALTER TABLE costs ADD COLUMN source_key TEXT NOT NULL DEFAULT '';
            UPDATE costs SET source_key = ifnull((SELECT format FROM import_runs r WHERE r.id = costs.import_run_id), '');
            DROP INDEX costs_natural_key;
            CREATE UNIQUE INDEX costs_natural_key ON costs (day, channel_id, ifnull(campaign_id, 0), detail, source_key);
            ALTER TABLE channel_metrics ADD COLUMN source_key TEXT NOT NULL DEFAULT '';
            UPDATE channel_metrics SET source_key = ifnull((SELECT format FROM import_runs r WHERE r.id = channel_metrics.import_run_id), '');
            DROP INDEX channel_metrics_natural_key;
            CREATE UNIQUE INDEX channel_metrics_natural_key ON channel_metrics (day, channel_id, ifnull(campaign_id, 0), metric, detail, source_key);
            """)
        // Custom channels a grouping file declares (origin 'custom'), and channels declared free
        // (their spend is known to be zero). A CHECK cannot be altered: the table is rebuilt,
        // and its trigger with it.
        migrations.register("core.16.custom-channels", sql: """
            CREATE TABLE channels_rebuilt (
                id TEXT PRIMARY KEY CHECK (id GLOB '[a-z]*' AND id NOT GLOB '*[^a-z0-9_-]*'),
                display_name TEXT NOT NULL,
                origin TEXT NOT NULL CHECK (origin IN ('plugin', 'core', 'custom')),
                is_free INTEGER NOT NULL DEFAULT 0 CHECK (is_free IN (0, 1))
            ) STRICT;
            INSERT INTO channels_rebuilt (id, display_name, origin) SELECT id, display_name, origin FROM channels;
            DROP TABLE channels;
            ALTER TABLE channels_rebuilt RENAME TO channels;
            CREATE TRIGGER channels_get_a_code AFTER INSERT ON channels BEGIN
                INSERT INTO channel_codes (channel_id) VALUES (new.id);
            END;
            """, foreignKeysOff: true)
    }

    /// The table `leads` as core.1 created it and core.11 rebuilt it, under `name`. Frozen with
    /// ``leadsIndexesSQL``: both steps are shipped, so a change to `leads` is a new step with its
    /// own SQL, never an edit here.
    static func leadsTableSQL(_ name: String) -> String {
        """
        CREATE TABLE \(name) (
            id INTEGER PRIMARY KEY,
            created_at INTEGER NOT NULL,
            email_hash TEXT,
            phone_hash TEXT,
            country TEXT CHECK (country IS NULL OR (length(country) = 2 AND country = upper(country))),
            region TEXT,
            age_band TEXT,
            gender TEXT,
            income_band TEXT,
            industry TEXT,
            company_size TEXT,
            interests TEXT,
            source_label TEXT,
            import_run_id INTEGER NOT NULL REFERENCES import_runs(id)
        ) STRICT;
        """
    }

    /// The indexes of `leads` (core.1, made again by core.11). Frozen, as ``leadsTableSQL(_:)``.
    static let leadsIndexesSQL = """
        CREATE UNIQUE INDEX leads_by_email ON leads (email_hash) WHERE email_hash IS NOT NULL;
        CREATE INDEX leads_by_phone ON leads (phone_hash) WHERE phone_hash IS NOT NULL;
        CREATE INDEX leads_by_created_at ON leads (created_at);
        """

    /// `column = 'a' OR column = 'b' OR …`: a CHECK that a column holds one of `values`.
    static func oneOf(_ column: String, _ values: [String]) -> String {
        values.map { "\(column) = '\($0)'" }.joined(separator: " OR ")
    }

    /// Recomputed every lead's milestones in `leads` (core.6; ``LeadFirsts/refreshSQL`` since core.11).
    static let refreshMilestonesSQL = """
        UPDATE leads SET
            stage_mql_at = (SELECT min(s.changed_at) FROM lifecycle_stages s WHERE s.lead_id = leads.id AND s.stage = 'mql'),
            stage_sql_at = (SELECT min(s.changed_at) FROM lifecycle_stages s WHERE s.lead_id = leads.id AND s.stage = 'sql'),
            stage_opportunity_at = (SELECT min(s.changed_at) FROM lifecycle_stages s WHERE s.lead_id = leads.id AND s.stage = 'opportunity'),
            stage_customer_at = (SELECT min(s.changed_at) FROM lifecycle_stages s WHERE s.lead_id = leads.id AND s.stage = 'customer'),
            first_converted_at = (SELECT min(c.converted_at) FROM conversions c WHERE c.lead_id = leads.id)
        """
}

/// The milestone columns of ``LeadFirsts``: when a lead first entered each lifecycle stage after
/// `lead` (`stage_<stage>_at`), and its first conversion. Import runs keep them up to date.
public enum LeadMilestones {
    /// The lifecycle stages after `lead`, in funnel order.
    public static let stages = ["mql", "sql", "opportunity", "customer"]
    /// Their columns, in the same order.
    public static let stageColumns = stages.map { "stage_\($0)_at" }

    /// SQL for the time `lead` (a table alias) first reached stage `stages[index]` or any later
    /// one, 9223372036854775807 (never) when it has not.
    public static func reachedSQL(_ lead: String, stage index: Int) -> String {
        let times = stageColumns[index...].map { "coalesce(\(lead).\($0), 9223372036854775807)" }
        // min() of one argument would be the aggregate.
        return times.count == 1 ? times[0] : "min(\(times.joined(separator: ", ")))"
    }
}
