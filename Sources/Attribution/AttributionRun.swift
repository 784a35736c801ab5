import ChannelKit

/// Runs models over one set of journeys, applying each model's path transforms first.
///
/// Unless transforms are given, Markov reads paths with `exposure` (consecutive repeats
/// collapsed) and every other model reads them as they are (`unique`).
public struct AttributionRun: Sendable {
    public struct ModelResult: Sendable {
        public let model: String
        public let credit: Credit
    }

    public var transforms: [PathTransform]?
    public var maxLength: Int?

    public init(transforms: [PathTransform]? = nil, maxLength: Int? = nil) {
        self.transforms = transforms
        self.maxLength = maxLength
    }

    /// The transforms `model` reads its paths with.
    func transforms(for model: any AttributionModel) -> [PathTransform] {
        transforms ?? (model is MarkovModel ? [.exposure] : [])
    }

    public func transformed(_ journeys: [Journey], for model: any AttributionModel) -> [Journey] {
        let chosen = transforms(for: model)
        if chosen.isEmpty && maxLength == nil { return journeys }
        return journeys.map { $0.transformed(chosen, maxLength: maxLength) }
    }

    public func run(_ models: [any AttributionModel], journeys: [Journey], units: Int) throws -> [ModelResult] {
        guard journeys.contains(where: { $0.conversions > 0 }) else { throw AttributionError.noConversions }
        return try models.map { model in
            // Markov with `exposure` alone collapses repeats as it counts (a million journeys not copied).
            if var markov = model as? MarkovModel, transforms(for: markov) == [.exposure], maxLength == nil,
               !journeys.indices.contains(where: { journeys[$0].stateLabels != nil }) {
                markov.collapsesRepeats = true
                return ModelResult(model: model.id, credit: try markov.attribute(journeys, units: units))
            }
            return ModelResult(model: model.id, credit: try model.attribute(transformed(journeys, for: model), units: units))
        }
    }
}
