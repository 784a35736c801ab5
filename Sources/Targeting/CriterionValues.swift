import Foundation
import Warehouse

/// How segments and the persona compare attribute and interest values: trimmed of spaces and
/// case-folded (Unicode, so `Hà Nội` = `HÀ NỘI`), an empty value being unknown. Interests are the
/// `;`-separated list of the CRM export, each entry compared the same way.
///
/// SQL reaches the same rule through two functions defined on the connection
/// (``define(on:)``), so a criterion evaluated by SQLite and a value counted in Swift can never
/// disagree; SQLite's own `lower()` folds ASCII letters only.
enum CriterionValues {
    /// `fold(value)`: the comparable form of one value; NULL for NULL.
    static let foldFunction = "leadledger_fold"
    /// `interest_list(interests)`: the interests as `;a;b;` (each folded, empties dropped), `''` for NULL,
    /// so that `instr(interest_list(x), ';' || fold(v) || ';') > 0` tests membership.
    static let interestListFunction = "leadledger_interest_list"

    static func fold(_ value: String) -> String {
        value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    static func interests(_ list: String?) -> [String] {
        (list ?? "").split(separator: ";").map { fold(String($0)) }.filter { !$0.isEmpty }
    }

    static func define(on db: Database) throws {
        try db.defineFunction(foldFunction) { $0.map(fold) }
        try db.defineFunction(interestListFunction) { list in
            let entries = interests(list)
            return entries.isEmpty ? "" : ";" + entries.joined(separator: ";") + ";"
        }
    }
}
