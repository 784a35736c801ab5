import ChannelKit

/// Who a record's lead is: leads found by key, email hash or phone hash, inserted, or merged
/// into the lead they already are. The only code that writes `leads` and `lead_keys` during an
/// import (``ImportSink/leads``).
///
/// Lookups go to the indexes, or — in a large import (``ImportSink``'s policy) — to maps read
/// once: every lead key (about 60 bytes each, a fraction of a second per million), every email
/// hash on the first lookup by email (kept as their 32 bytes, ``HashBytes``), and, when the
/// warehouse had no lead, the maps standing in for the leads' indexes the run dropped
/// (``DeferredLeadIndexes``). Why and by how much: docs/benchmarks.md, "Lead lookups".
public final class LeadIdentity {
    private let scope: ImportScope
    private var db: Database { scope.db }
    /// Every lead key of the warehouse, once ``resolveFromMemory()`` read them.
    private var keys: [String: Int64]?
    /// Where ``leadID(forEmailHash:)`` looks: the index, or every lead's email hash, read on the
    /// first lookup. Back to the index for good once the run inserts or merges a lead (a merge
    /// may or may not give a lead the hash) or a hash of another shape turns up.
    private var emailLookup = EmailLookup.index
    private enum EmailLookup {
        case index
        case memoryFromFirstLookup
        case memory([HashBytes: Int64])
    }
    /// The leads' indexes this run dropped to build them at its end, and the maps standing in
    /// for them meanwhile; nil when the run keeps them.
    private var deferredIndexes: DeferredLeadIndexes?

    private let findByKey: Statement
    private let findByEmail: Statement
    private let findByPhone: Statement
    private let insertStatement: Statement
    private let mergeStatement: Statement
    private let writeCreation: Statement
    private let insertKey: Statement

    init(_ scope: ImportScope) throws {
        self.scope = scope
        let db = scope.db
        findByKey = try db.prepare("SELECT lead_id FROM lead_keys WHERE key = ?")
        findByEmail = try db.prepare("SELECT id FROM leads WHERE email_hash = ?")
        findByPhone = try db.prepare("SELECT id FROM leads WHERE phone_hash = ? ORDER BY id LIMIT 1")
        insertStatement = try db.prepare("""
            INSERT INTO leads (created_at, email_hash, phone_hash, country, region, age_band, gender, income_band,
                               industry, company_size, interests, source_label, import_run_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
            """)
        // Earliest creation time wins; attributes already known are kept, blanks are filled.
        mergeStatement = try db.prepare("""
            UPDATE leads SET
                created_at = min(created_at, ?2),
                email_hash = coalesce(email_hash, ?3), phone_hash = coalesce(phone_hash, ?4),
                country = coalesce(country, ?5), region = coalesce(region, ?6), age_band = coalesce(age_band, ?7),
                gender = coalesce(gender, ?8), income_band = coalesce(income_band, ?9), industry = coalesce(industry, ?10),
                company_size = coalesce(company_size, ?11), interests = coalesce(interests, ?12),
                source_label = coalesce(source_label, ?13)
            WHERE id = ?1 AND (created_at > ?2
                OR (email_hash IS NULL AND ?3 IS NOT NULL) OR (phone_hash IS NULL AND ?4 IS NOT NULL)
                OR (country IS NULL AND ?5 IS NOT NULL) OR (region IS NULL AND ?6 IS NOT NULL)
                OR (age_band IS NULL AND ?7 IS NOT NULL) OR (gender IS NULL AND ?8 IS NOT NULL)
                OR (income_band IS NULL AND ?9 IS NOT NULL) OR (industry IS NULL AND ?10 IS NOT NULL)
                OR (company_size IS NULL AND ?11 IS NOT NULL) OR (interests IS NULL AND ?12 IS NOT NULL)
                OR (source_label IS NULL AND ?13 IS NOT NULL))
            """)
        writeCreation = try db.prepare(LeadFirsts.writeCreationSQL)
        insertKey = try db.prepare("INSERT OR IGNORE INTO lead_keys (key, lead_id) VALUES (?, ?)")
    }

    /// Reads every lead key into memory for the rest of the run, and has the first lookup by
    /// email hash read every lead's hash the same way.
    func resolveFromMemory() throws {
        var keys: [String: Int64] = [:]
        keys.reserveCapacity(Int(try db.scalarInt("SELECT count(*) FROM lead_keys") ?? 0))
        try db.query("SELECT key, lead_id FROM lead_keys") { keys[$0.text(0) ?? ""] = $0.int(1) }
        self.keys = keys
        emailLookup = .memoryFromFirstLookup
    }

    /// When the warehouse has no lead yet, drops the leads' secondary indexes for this run and
    /// builds them at its end, finding leads by email and phone hash from memory meanwhile.
    /// Returns whether it did.
    @discardableResult
    func deferIndexes() throws -> Bool {
        guard deferredIndexes == nil else { return true }
        deferredIndexes = try DeferredLeadIndexes.drop(in: db)
        return deferredIndexes != nil
    }

    /// Builds the indexes ``deferIndexes()`` dropped, if any; lookups go back to them.
    func buildDeferredIndexes() throws {
        guard let deferred = deferredIndexes else { return }
        deferredIndexes = nil
        try deferred.build(in: db)
    }

    /// Every lead key and its lead as ``resolveFromMemory()`` read them (nil before, or in a run
    /// that did not), for another thread to resolve keys ahead of the writes. A run only adds
    /// keys, so a key found there names the same lead for the whole run.
    public var keysInMemory: [String: Int64]? { keys }

    /// Every lead's email hash as the run's first lookup by email read them (nil before that, or
    /// in a run that looks them up in the index), for another thread to find leads ahead of the
    /// writes. A lead's email hash is only ever set where it had none, and the index keeps it
    /// unique: a hash found there names the same lead for the whole run (one not found may be
    /// given to a lead later, and is looked up again when its record is written).
    public var emailsInMemory: [HashBytes: Int64]? {
        if case .memory(let hashes) = emailLookup { hashes } else { nil }
    }

    /// The lead known by `key`, if any.
    public func leadID(forKey key: String) throws -> Int64? {
        if let keys { return keys[key] }
        return try lookup(findByKey, key)
    }

    /// The lead whose email has this hash, if any.
    public func leadID(forEmailHash hash: String) throws -> Int64? {
        if let deferred = deferredIndexes {
            if let bytes = HashBytes(hex: hash) { return deferred.lead(email: bytes) }
            try buildDeferredIndexes()
        }
        switch emailLookup {
        case .index:
            return try lookup(findByEmail, hash)
        case .memory(let hashes):
            return HashBytes(hex: hash).flatMap { hashes[$0] }
        case .memoryFromFirstLookup:
            var hashes: [HashBytes: Int64] = [:]
            hashes.reserveCapacity(Int(try db.scalarInt("SELECT count(email_hash) FROM leads") ?? 0))
            var exact = true
            try db.query("SELECT email_hash, id FROM leads WHERE email_hash IS NOT NULL") { row in
                guard let bytes = row.withTextBytes(0, HashBytes.init(hex:)) else { exact = false; return }
                hashes[bytes] = row.int(1)
            }
            // A hash this writer did not write (not 64 hex digits) is left to the index.
            emailLookup = exact ? .memory(hashes) : .index
            return try leadID(forEmailHash: hash)
        }
    }

    /// Inserts a lead, or merges it into the lead it already is: the one known by the same key,
    /// else by the same email hash, else — only for a record without an email — by the same
    /// phone hash (colleagues and family share phones far more often than emails).
    public func upsert(_ lead: LeadRecord, emailHash: String?, phoneHash: String?) throws -> (id: Int64, outcome: WriteOutcome) {
        try upsert(keys: lead.key.map { [$0] } ?? [], createdAt: lead.createdAt, emailHash: emailHash, phoneHash: phoneHash,
                   attributes: lead.attributes, sourceLabel: lead.sourceLabel)
    }

    /// ``upsert(_:emailHash:phoneHash:)`` for a lead known by several keys, as a snapshot holds
    /// it: the first key already known finds it; the others are added to it.
    public func upsert(keys leadKeys: [String], createdAt: Timestamp, emailHash: String?, phoneHash: String?,
                       attributes a: LeadAttributes, sourceLabel: String?) throws -> (id: Int64, outcome: WriteOutcome) {
        emailLookup = .index
        let bytes = try deferredLookupBytes(email: emailHash, phone: phoneHash)
        var existing: Int64?
        var newKeys: [String] = []
        for key in leadKeys {
            if let id = try leadID(forKey: key) { existing = existing ?? id } else { newKeys.append(key) }
        }
        if existing == nil, let emailHash {
            existing = try bytes.email.map { deferredIndexes!.lead(email: $0) } ?? lookup(findByEmail, emailHash)
        }
        if existing == nil, emailHash == nil, let phoneHash {
            existing = try bytes.phone.map { deferredIndexes!.lead(phone: $0) } ?? lookup(findByPhone, phoneHash)
        }
        let values: [String?] = [a.country, a.region, a.ageBand, a.gender, a.incomeBand, a.industry, a.companySize, a.interests, sourceLabel]
        let id: Int64
        let outcome: WriteOutcome
        if let existing {
            let s = mergeStatement
            func merge(identifiers: Bool) throws(WarehouseError) {
                s.reset()
                try s.bind(existing, at: 1)
                try s.bind(createdAt.secondsSinceEpoch, at: 2)
                if identifiers {
                    try s.bind(emailHash, at: 3)
                    try s.bind(phoneHash, at: 4)
                }
                for (i, v) in values.enumerated() { try s.bind(v, at: Int32(5 + i)) }
                try s.step()
            }
            // The email hash may belong to another lead already: this lead's identifiers then stay
            // as they are. The unique index refuses the update; with it deferred, the map tells.
            let emailTaken = try isEmailTakenWhileDeferred(bytes.email, mergingInto: existing)
            do {
                try merge(identifiers: !emailTaken)
            } catch {
                guard case .constraint = error else { throw error }
                try merge(identifiers: false)
            }
            let changed = db.changes > 0
            id = existing
            outcome = changed || !newKeys.isEmpty ? .updated : .unchanged
            if changed {
                scope.derived.noteStaleJourney(of: existing, parts: [])
                try noteCreation(of: existing, at: createdAt)
                try noteMergedContactsWhileDeferred(of: existing)
            }
        } else {
            let s = insertStatement
            s.reset()
            try s.bind(createdAt.secondsSinceEpoch, at: 1)
            try s.bind(emailHash, at: 2)
            try s.bind(phoneHash, at: 3)
            for (i, v) in values.enumerated() { try s.bind(v, at: Int32(4 + i)) }
            try s.bind(scope.stamp, at: 13)
            try s.step()
            id = db.lastInsertedRowID
            outcome = .inserted
            deferredIndexes?.note(lead: id, email: bytes.email, phone: bytes.phone)
            try noteCreation(of: id, at: createdAt)
        }
        for key in newKeys {
            insertKey.reset()
            try insertKey.bind(key, at: 1)
            try insertKey.bind(id, at: 2)
            try insertKey.step()
            keys?[key] = id
        }
        return (id, outcome)
    }

    /// With the leads' indexes deferred, the bytes of the hashes ``upsert(keys:createdAt:emailHash:phoneHash:attributes:sourceLabel:)``
    /// finds leads by (nil for a hash not given, and both nil when the indexes are kept). A hash
    /// of another shape (not written by this hasher) builds the indexes, which answer from then on.
    private func deferredLookupBytes(email: String?, phone: String?) throws -> (email: HashBytes?, phone: HashBytes?) {
        guard deferredIndexes != nil else { return (nil, nil) }
        let bytes = (email: email.flatMap(HashBytes.init(hex:)), phone: phone.flatMap(HashBytes.init(hex:)))
        guard (email == nil) == (bytes.email == nil), (phone == nil) == (bytes.phone == nil) else {
            try buildDeferredIndexes()
            return (nil, nil)
        }
        return bytes
    }

    /// Whether merging `email` into `lead` would give it an email hash another lead has — what
    /// the unique index refuses, asked of the map while the index is deferred (false otherwise).
    private func isEmailTakenWhileDeferred(_ email: HashBytes?, mergingInto lead: Int64) throws -> Bool {
        guard let email, let owner = deferredIndexes?.lead(email: email), owner != lead else { return false }
        return try db.scalarInt("SELECT email_hash IS NULL FROM leads WHERE id = ?", [.integer(lead)]) == 1
    }

    /// Tells the deferred indexes' maps the hashes a merge left `lead` with.
    private func noteMergedContactsWhileDeferred(of lead: Int64) throws {
        guard deferredIndexes != nil else { return }
        try db.query("SELECT email_hash, phone_hash FROM leads WHERE id = ?", [.integer(lead)]) { row in
            deferredIndexes?.note(lead: lead, email: row.text(0).flatMap(HashBytes.init(hex:)), phone: row.text(1).flatMap(HashBytes.init(hex:)))
        }
    }

    /// A new lead's ``LeadFirsts`` row, or a merged lead's creation time there if `at` is earlier.
    private func noteCreation(of lead: Int64, at: Timestamp) throws {
        writeCreation.reset()
        try writeCreation.bind(lead, at: 1)
        try writeCreation.bind(at.secondsSinceEpoch, at: 2)
        try writeCreation.step()
    }

    /// The first column of `s`'s first row for `value`. The statement is reset before it returns:
    /// one left on a row is an active read, which holds its cursor and its shared lock until reset.
    private func lookup(_ s: Statement, _ value: String) throws -> Int64? {
        s.reset()
        defer { s.reset() }
        try s.bind(value, at: 1)
        return try s.step() ? s.int(0) : nil
    }
}
