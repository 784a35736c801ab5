/// # Lead firsts — each lead's first touch and milestones, in a narrow table of their own
///
/// The reports group leads by the channel of their first touch and count how far each got.
/// `lead_firsts` (migration core.11) holds what they read, one row per lead:
///
/// | column | holds |
/// |---|---|
/// | `lead_id` | the lead (every lead has exactly one row) |
/// | `created_at` | a copy of `leads.created_at` |
/// | `first_channel`, `first_campaign_id`, `first_touch_at` | the lead's first touch: the earliest touchpoint, the first imported on a tie; NULL without one (the reports' `direct`) |
/// | `stage_mql_at`, `stage_sql_at`, `stage_opportunity_at`, `stage_customer_at` | the earliest change to each lifecycle stage after `lead` (``LeadMilestones``) |
/// | `first_converted_at` | the lead's first conversion |
///
/// **Why a table of its own.** These columns change for nearly every lead an import touches.
/// In `leads` (as they were from core.4 to core.10) each change rewrote a row of several hundred
/// bytes and moved the lead's entry in the reports' covering index. Here a row is about 40
/// bytes, in lead order, with no index to keep: the reports scan it as they scanned that index,
/// and a run updates it in one ordered pass (docs/benchmarks.md, "Why the code is shaped so").
///
/// **Who keeps it.** ``ImportSink`` writes a lead's row with the lead and copies an earlier
/// creation time when it merges a lead, and merges the earliest touch and milestones a run saw
/// into the rows at the run's end; ``Warehouse/refreshDerivedLeadColumns()`` (after a snapshot
/// import) makes every row again. Triggers on `leads` would keep the copy whoever wrote the lead,
/// but a statement that fires one keeps a statement journal, which SQLite moves to a temporary
/// file past 64 KiB for the rest of the transaction (several writes per lead). A property test
/// checks the rows against a full refresh.
public enum LeadFirsts {
    static let createSQL = """
        CREATE TABLE lead_firsts (
            lead_id INTEGER PRIMARY KEY REFERENCES leads(id),
            created_at INTEGER NOT NULL,
            first_channel TEXT REFERENCES channels(id),
            first_campaign_id INTEGER REFERENCES campaigns(id),
            first_touch_at INTEGER,
            stage_mql_at INTEGER,
            stage_sql_at INTEGER,
            stage_opportunity_at INTEGER,
            stage_customer_at INTEGER,
            first_converted_at INTEGER
        ) STRICT;
        """

    /// A new lead's row (?1 the lead, ?2 its creation time), or an existing row's creation time
    /// moved earlier by a merge.
    static let writeCreationSQL = """
        INSERT INTO lead_firsts (lead_id, created_at) VALUES (?1, ?2)
        ON CONFLICT (lead_id) DO UPDATE SET created_at = min(created_at, excluded.created_at)
        """

    /// The milestone columns, in ``LeadMilestones`` order, then the first conversion.
    static let milestoneColumns = LeadMilestones.stageColumns + ["first_converted_at"]

    /// Every lead's row made again from `leads`, `lifecycle_stages` and `conversions`; the
    /// first-touch columns left NULL (``Warehouse/refreshDerivedLeadColumns()`` fills them).
    static let refreshSQL = """
        DELETE FROM lead_firsts;
        INSERT INTO lead_firsts (lead_id, created_at, \(milestoneColumns.joined(separator: ", ")))
        SELECT l.id, l.created_at,
            \(LeadMilestones.stages.map { "(SELECT min(s.changed_at) FROM lifecycle_stages s WHERE s.lead_id = l.id AND s.stage = '\($0)')" }
                .joined(separator: ",\n    ")),
            (SELECT min(c.converted_at) FROM conversions c WHERE c.lead_id = l.id)
        FROM leads l ORDER BY l.id;
        """

    /// A statement merging a touch into a lead's first touch: it replaces the one known only when
    /// strictly earlier (on a tie the touch imported before, with the smaller id, stays first).
    /// Parameters: ?1 the lead, ?2 the channel, ?3 the campaign id, ?4 the time.
    static func prepareFirstTouchUpdate(_ db: Database) throws -> Statement {
        try db.prepare("""
            UPDATE lead_firsts SET first_channel = ?2, first_campaign_id = ?3, first_touch_at = ?4
            WHERE lead_id = ?1 AND (first_touch_at IS NULL OR first_touch_at > ?4)
            """)
    }

    /// A statement merging milestone times into a lead's: each becomes the earlier of the two.
    /// Parameters: ?1 the lead, then one per ``milestoneColumns`` entry (NULL: not seen).
    static func prepareMilestonesUpdate(_ db: Database) throws -> Statement {
        // min() of a NULL is NULL: then coalesce keeps whichever of the two is known.
        let sets = milestoneColumns.enumerated().map { i, c in "\(c) = coalesce(min(\(c), ?\(i + 2)), \(c), ?\(i + 2))" }
        return try db.prepare("UPDATE lead_firsts SET \(sets.joined(separator: ", ")) WHERE lead_id = ?1")
    }
}
