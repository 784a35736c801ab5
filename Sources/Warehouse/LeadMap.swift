/// Values an import run keeps per lead, found by the lead's id without hashing.
///
/// Lead ids are the `leads` table's rowids, which SQLite hands out as 1, 2, 3, … A run notes
/// something per lead for every touch it writes; hashing ids into a `Dictionary` for that cost
/// a measurable share of the writing thread (docs/benchmarks.md, "Why the code is shaped so").
/// Here ids from 0 to 2³¹ are kept in pages of 4,096
/// consecutive ids, each made when a lead in it first gets a value: finding a lead is two
/// array indexings, and a run touching a few scattered leads makes only their pages (a page
/// index of at most 4 MB). Any other id (negative, or beyond 2³¹) goes to a dictionary.
///
/// ```swift
/// var firsts = LeadMap<Int64>()
/// firsts[42] = 1_700_000_000
/// firsts.update(7, default: .max) { $0 = min($0, 1_600_000_000) }
/// firsts.forEach { lead, at in … }   // lead 7, then lead 42
/// ```
struct LeadMap<Value> {
    /// Ids `0..<pagedLimit` are kept in pages of `pageSize` consecutive ids, made on first use.
    private static var pageShift: Int64 { 12 }
    private static var pageSize: Int { 1 << pageShift }
    private static var pagedLimit: Int64 { 1 << 31 }
    private var pages: [[Value?]?] = []
    /// Values of every other id.
    private var others: [Int64: Value] = [:]
    /// How many leads have a value.
    private(set) var count = 0

    init() {}

    var isEmpty: Bool { count == 0 }

    subscript(lead: Int64) -> Value? {
        get {
            guard lead >= 0 && lead < Self.pagedLimit else { return others[lead] }
            let page = Int(lead >> Self.pageShift)
            guard page < pages.count, pages[page] != nil else { return nil }
            return pages[page]![Int(lead) & (Self.pageSize - 1)]
        }
        set {
            guard lead >= 0 && lead < Self.pagedLimit else {
                count += (newValue != nil ? 1 : 0) - (others[lead] != nil ? 1 : 0)
                others[lead] = newValue
                return
            }
            let page = makePage(for: lead), slot = Int(lead) & (Self.pageSize - 1)
            count += (newValue != nil ? 1 : 0) - (pages[page]![slot] != nil ? 1 : 0)
            pages[page]![slot] = newValue
        }
    }

    /// Changes the value of `lead` in place, starting from `initial` when it has none.
    mutating func update(_ lead: Int64, default initial: @autoclosure () -> Value, _ change: (inout Value) -> Void) {
        guard lead >= 0 && lead < Self.pagedLimit else {
            if others[lead] == nil { count += 1 }
            change(&others[lead, default: initial()])
            return
        }
        let page = makePage(for: lead), slot = Int(lead) & (Self.pageSize - 1)
        if pages[page]![slot] == nil { pages[page]![slot] = initial(); count += 1 }
        change(&pages[page]![slot]!)
    }

    /// Calls `body` with every lead that has a value, in increasing id order.
    func forEach(_ body: (Int64, Value) throws -> Void) rethrows {
        let sorted = others.keys.sorted()
        let firstAbove = sorted.firstIndex { $0 >= 0 } ?? sorted.endIndex
        for lead in sorted[..<firstAbove] { try body(lead, others[lead]!) }
        for (p, page) in pages.enumerated() {
            guard let page else { continue }
            for (slot, value) in page.enumerated() { if let value { try body(Int64(p) << Self.pageShift | Int64(slot), value) } }
        }
        for lead in sorted[firstAbove...] { try body(lead, others[lead]!) }
    }

    /// The leads that have a value, in increasing order.
    var leads: [Int64] {
        var leads: [Int64] = []
        leads.reserveCapacity(count)
        forEach { lead, _ in leads.append(lead) }
        return leads
    }

    /// The page of `lead` (in `0..<pagedLimit`), made if it is not there yet.
    private mutating func makePage(for lead: Int64) -> Int {
        let page = Int(lead >> Self.pageShift)
        if page >= pages.count { pages.append(contentsOf: repeatElement(nil, count: page + 1 - pages.count)) }
        if pages[page] == nil { pages[page] = [Value?](repeating: nil, count: Self.pageSize) }
        return page
    }
}
