/// The four prior-flux components, by the names the configuration and
/// `rcas inputs check` use (``FluxComponents`` calls them bio, ocn, fossil, fire).
public enum PriorFluxComponent: String, CaseIterable, Sendable {
    case biosphere, ocean, fossil, fire
}
