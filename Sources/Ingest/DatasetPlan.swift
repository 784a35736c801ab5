import ChannelKit
import Foundation

/// The order in which a dataset folder such as `datasets/demo` is imported: `leads.csv`; then
/// every `.csv`/`.tsv` in each channel's folder (`<channel id>/`), channels by id, files by
/// name; then `costs.csv` (the cost ledger) when there is one; then `touches.csv`,
/// `conversions.csv`, `stages.csv` and `outreach.csv`. Leads come first so that the channels'
/// records can merge with them; touches, conversions and stages refer to them. A
/// `grouping.txt` (``grouping(in:)``) is set before any of it.
public enum DatasetPlan {
    public struct Step: Sendable, Equatable {
        public let source: String
        public let path: String
    }

    /// The steps for `dir`. Throws when one of the core files is missing.
    public static func steps(in dir: String, channels: [any ChannelPlugin]) throws(ImportError) -> [Step] {
        let fm = FileManager.default
        func core(_ source: String, _ name: String) throws(ImportError) -> Step {
            let path = dir + "/" + name
            guard fm.isReadableFile(atPath: path) else { throw ImportError.cannotRead(path: path, reason: "the dataset has no \(name)") }
            return Step(source: source, path: path)
        }
        var steps = [try core("leads", "leads.csv")]
        for channel in channels.sorted(by: { $0.id < $1.id }) {
            let folder = dir + "/" + channel.id
            let files = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".csv") || $0.hasSuffix(".tsv") }.sorted()
            steps += files.map { Step(source: channel.id, path: folder + "/" + $0) }
        }
        if fm.isReadableFile(atPath: dir + "/costs.csv") { steps.append(Step(source: "costs", path: dir + "/costs.csv")) }
        steps += [try core("touches", "touches.csv"), try core("conversions", "conversions.csv"), try core("stages", "stages.csv"),
                  try core("outreach", "outreach.csv")]
        return steps
    }

    /// The dataset's channel grouping file, `grouping.txt`, if it has one.
    public static func grouping(in dir: String) -> String? {
        FileManager.default.isReadableFile(atPath: dir + "/grouping.txt") ? dir + "/grouping.txt" : nil
    }
}
