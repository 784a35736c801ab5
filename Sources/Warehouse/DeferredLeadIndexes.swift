/// The indexes of `leads` set aside while a large file loads the warehouse's first leads, and
/// what stands in for them meanwhile.
///
/// `leads` has three secondary indexes: `leads_by_email` (unique), `leads_by_phone` and
/// `leads_by_created_at`. Hashes and creation times arrive in no order, so a row kept in them
/// is three searches and inserts at random places; past the page cache each is a page read and
/// later a page written. Building the three at the end is several times cheaper for a bulk
/// load (docs/benchmarks.md, "Why the code is shaped so").
///
/// So a run that finds `leads` empty and has a large file to read drops them inside its
/// transaction (``drop(in:)``) and builds them again from the same `CREATE INDEX` statements
/// at the end of the run (``build(in:)``) — or at once, should a hash of a shape this writer
/// never writes turn up (``LeadIdentity``). A rolled-back or killed run takes the drop back
/// with everything else. Meanwhile the run finds leads by email and phone hash here: every lead
/// in the table is one this run wrote, so these maps know them all. The unique index is still
/// checked when it is built; the writer keeps it from ever failing (it never gives a second
/// lead an email another has, as the index would not let it).
///
/// A warehouse that already has leads keeps its indexes: building them again would cost more
/// than the rows a file adds, and its existing hashes would have to be read first.
struct DeferredLeadIndexes {
    /// The indexes a bulk load may drop: all three are answered from memory meanwhile.
    static let names = ["leads_by_email", "leads_by_phone", "leads_by_created_at"]

    /// The dropped indexes' `CREATE INDEX` statements, as `sqlite_master` had them.
    let createStatements: [String]
    /// The lead with each email hash (unique, as `leads_by_email`).
    private var byEmail: [HashBytes: Int64] = [:]
    /// The lowest lead id with each phone hash (what `ORDER BY id LIMIT 1` finds through `leads_by_phone`).
    private var byPhone: [HashBytes: Int64] = [:]

    private init(createStatements: [String]) { self.createStatements = createStatements }

    /// Drops the leads' secondary indexes when the table has no row; nil, and nothing dropped, otherwise.
    static func drop(in db: Database) throws -> DeferredLeadIndexes? {
        guard try db.scalarInt("SELECT count(*) FROM (SELECT 1 FROM leads LIMIT 1)") == 0 else { return nil }
        var statements: [(name: String, sql: String)] = []
        let list = names.map { _ in "?" }.joined(separator: ", ")
        try db.query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads' AND name IN (\(list)) ORDER BY name",
                     names.map { .text($0) }) { row in
            statements.append((row.text(0) ?? "", row.text(1) ?? ""))
        }
        for statement in statements { try db.execute("DROP INDEX \(statement.name)") }
        return DeferredLeadIndexes(createStatements: statements.map(\.sql))
    }

    /// Builds the dropped indexes again. Throws a constraint error if two leads share an email hash.
    func build(in db: Database) throws {
        for sql in createStatements { try db.execute(sql) }
    }

    func lead(email: HashBytes) -> Int64? { byEmail[email] }
    func lead(phone: HashBytes) -> Int64? { byPhone[phone] }

    /// Records that `lead` has these hashes now. An email hash already given to another lead is
    /// left to that lead (the caller never writes it twice).
    mutating func note(lead: Int64, email: HashBytes?, phone: HashBytes?) {
        if let email, byEmail[email] == nil { byEmail[email] = lead }
        if let phone { byPhone[phone] = min(byPhone[phone] ?? lead, lead) }
    }
}
