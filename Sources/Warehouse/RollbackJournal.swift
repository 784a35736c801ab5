/// A rollback journal in place of the WAL for the length of one large write transaction.
///
/// In WAL mode every page a transaction writes goes to the WAL file first and is copied into
/// the database by the checkpoint after the commit: a large import writes its pages twice. A
/// rollback journal keeps only the old content of pages that existed before; new pages go
/// straight into the database (docs/benchmarks.md, "Large imports"). A killed import is still
/// undone: the next connection rolls the journal back before it reads. Meanwhile `synchronous`
/// is `FULL`, which a rollback journal needs to survive a power loss, and is put back after.
///
/// The price is that readers are locked out while the transaction writes (a command started
/// then waits, and fails after the busy timeout with ``WarehouseError/busy(path:)``). So the
/// journal is switched only when no other connection has the warehouse open — SQLite refuses
/// the switch at once otherwise, and the import runs with the WAL as any other transaction.
/// Outside a file (`:memory:`) there is nothing to switch either.
struct RollbackJournal {
    private let synchronous: Int64

    /// Switches `db` (outside a transaction) to a rollback journal; nil when it stays as it is.
    init?(switching db: Database) {
        guard (try? db.scalarText("PRAGMA journal_mode = DELETE")) == "delete" else { return nil }
        synchronous = (try? db.scalarInt("PRAGMA synchronous")) ?? 1
        guard (try? db.execute("PRAGMA synchronous = FULL")) != nil else {
            _ = try? db.scalarText("PRAGMA journal_mode = WAL")
            return nil
        }
    }

    /// Puts the WAL and the former `synchronous` back (after the transaction ended).
    func restore(_ db: Database) {
        try? db.execute("PRAGMA synchronous = \(synchronous)")
        _ = try? db.scalarText("PRAGMA journal_mode = WAL")
    }
}
