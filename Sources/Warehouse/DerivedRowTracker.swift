import ChannelKit

/// What an import changed that the derived per-lead rows depend on, noted as it writes and
/// applied when it commits (``apply(_:)``): each lead's first touch and milestones
/// (``LeadFirsts``) and its packed journey (``LeadJourneys``). So a run writes each derived row
/// once, for the leads it changed, instead of recomputing them from the facts.
final class DerivedRowTracker {
    /// The earliest touchpoint the run inserted for each lead, the first inserted on a tie: it
    /// replaces the lead's first touch if it is earlier.
    private var earliestTouches = LeadMap<EarliestTouch>()
    /// Plain values, the channel by its code (``channelNames``): reading and replacing one for
    /// each of millions of touches retains and releases no string.
    private struct EarliestTouch { var at: Int64; var channel: Int64; var campaignID: Int64? }
    private var channelNames: [Int64: String] = [:]
    /// The earliest time the run saw each lead enter each milestone (``LeadFirsts/milestoneColumns``:
    /// lane `k` milestone `k`, `Int64.max` where none was seen).
    private var earliestMilestones = LeadMap<SIMD8<Int64>>()
    static let milestoneCount: Int = {
        let count = LeadFirsts.milestoneColumns.count
        precondition(count <= 8, "a lead's milestones are kept in a SIMD8")
        return count
    }()
    /// Leads whose journey row the run may have changed, and which parts of it: new touches,
    /// new conversions, or only its lead columns (an earlier creation time, an opportunity or
    /// customer stage).
    private var staleJourneys = LeadMap<LeadJourneys.Parts>()
    /// Every touch the run inserted, for those journey rows — nil once there are more than
    /// ``keptTouchLimit``: the rows are then read back from `touches` above ``touchIDsBefore``.
    private var runTouches: RunTouches? = RunTouches()
    /// How many touches a run keeps in memory for its journey rows (32 bytes each).
    var keptTouchLimit = 8_000_000
    /// The largest touchpoint id before the run's first touch.
    private(set) var touchIDsBefore: Int64?

    /// Before the run's first touch: the touch ids it gives are above `idsBefore`.
    func noteTouchesStart(idsBefore: Int64) {
        if touchIDsBefore == nil { touchIDsBefore = idsBefore }
    }

    /// An inserted touch: its lead's journey is stale, and it may be the lead's new first touch.
    /// `channelCode` is the touch's channel's code in `channel_codes`.
    func noteInserted(_ touch: TouchRow, id: Int64, channelCode: Int64) {
        noteStaleJourney(of: touch.leadID, parts: .touches)
        if channelNames[channelCode] == nil { channelNames[channelCode] = touch.channel }
        runTouches?.append(lead: touch.leadID, at: touch.at.secondsSinceEpoch, kind: touch.kind, channelCode: channelCode, channel: touch.channel,
                           campaignID: touch.campaignID, id: id)
        if let kept = runTouches?.count, kept > keptTouchLimit { runTouches = nil }
        let seconds = touch.at.secondsSinceEpoch
        if let known = earliestTouches[touch.leadID], known.at <= seconds { return }
        earliestTouches[touch.leadID] = EarliestTouch(at: seconds, channel: channelCode, campaignID: touch.campaignID)
    }

    /// `lead`'s journey row needs `parts` packed again (none: only its lead columns).
    func noteStaleJourney(of lead: Int64, parts: LeadJourneys.Parts) {
        staleJourneys.update(lead, default: []) { $0.formUnion(parts) }
    }

    /// `lead` entered milestone `k` (``LeadFirsts/milestoneColumns``) at `at`.
    func noteMilestone(_ k: Int, of lead: Int64, at: Timestamp) {
        let seconds = at.secondsSinceEpoch
        earliestMilestones.update(lead, default: SIMD8(repeating: .max)) { $0[k] = min($0[k], seconds) }
    }

    /// Brings the first touch, milestones and journey row of every lead noted up to date.
    func apply(_ db: Database) throws {
        try updateFirstTouches(db)
        try updateMilestones(db)
        try updateJourneys(db)
    }

    /// A lead's first touch becomes the run's earliest one where that is strictly earlier (on a
    /// tie the touch imported before, with the smaller id, stays first), in lead order.
    private func updateFirstTouches(_ db: Database) throws {
        guard !earliestTouches.isEmpty else { return }
        let update = try LeadFirsts.prepareFirstTouchUpdate(db)
        try earliestTouches.forEach { lead, touch in
            update.reset()
            try update.bind(lead, at: 1)
            try update.bind(channelNames[touch.channel], at: 2)
            try update.bind(touch.campaignID, at: 3)
            try update.bind(touch.at, at: 4)
            try update.step()
        }
        earliestTouches = LeadMap()
    }

    /// Each milestone of a lead becomes the earlier of what it was and what the run saw.
    private func updateMilestones(_ db: Database) throws {
        guard !earliestMilestones.isEmpty else { return }
        let update = try LeadFirsts.prepareMilestonesUpdate(db)
        try earliestMilestones.forEach { lead, times in
            update.reset()
            try update.bind(lead, at: 1)
            for i in 0..<Self.milestoneCount { try update.bind(times[i] == .max ? nil : times[i], at: Int32(i + 2)) }
            try update.step()
        }
        earliestMilestones = LeadMap()
    }

    /// The journey rows of the leads the run changed, packing again only the parts it changed:
    /// the run's new touches are merged into the packed ones, never searched among the others.
    private func updateJourneys(_ db: Database) throws {
        guard !staleJourneys.isEmpty else { return }
        var parts: LeadJourneys.Parts = []
        staleJourneys.forEach { _, stale in parts.formUnion(stale) }
        let newTouches: NewTouches? = if let kept = runTouches.take() { .kept(kept) } else { touchIDsBefore.map { .above(id: $0) } }
        try LeadJourneys.rebuild(db, leads: staleJourneys, parts: parts, newTouches: newTouches)
        runTouches = RunTouches()
        staleJourneys = LeadMap()
    }
}
