/// Which flux components the state vector optimises and which stay at their
/// prior (Jiang2021 Eq. 2-5; Kou2023 optimises biosphere and ocean). Every
/// place that needs the component order asks this type: outputs, the window
/// layout, the flux generators and the transport's total flux.
public struct FluxStateVector: Sendable, Equatable {
    /// The optimised components, in state order.
    public let components: [FluxComponent]

    /// The four components a prior provider delivers.
    public static let priorComponents: [FluxComponent] = [.biosphere, .ocean, .fossil, .fire]

    /// Kou2023's state: biosphere and ocean.
    public static let biosphereOcean = FluxStateVector(validated: [.biosphere, .ocean])

    /// A state vector of `components`: distinct, either the net flux alone or
    /// some of biosphere, ocean, fossil and fire.
    public init(_ components: [FluxComponent]) throws(FluxStateVectorError) {
        guard !components.isEmpty else { throw .empty }
        guard Set(components).count == components.count else { throw .repeated }
        guard !components.contains(.net) || components == [.net] else { throw .netWithOthers }
        self.components = components
    }

    private init(validated components: [FluxComponent]) { self.components = components }

    /// The Jiang2021 scheme's state vector (Eq. 2-5).
    public init(scheme: GCASv2FluxPerturbation.Scheme) { self.init(validated: scheme.components) }

    /// The prior components that are not optimised and enter the transport
    /// as they are: none for the net flux, which holds all four.
    public var prescribed: [FluxComponent] {
        components == [.net] ? [] : Self.priorComponents.filter { !components.contains($0) }
    }

    /// The prior of each state component, [component][cell], from the four
    /// prior fields `prior(component)` (biosphere, ocean, fossil, fire); the
    /// net flux is their sum.
    public func statePriors(_ prior: (FluxComponent) -> [Double]) -> [[Double]] {
        components.map { component in
            guard component == .net else { return prior(component) }
            let parts = Self.priorComponents.map(prior)
            return parts[0].indices.map { c in (parts[0][c] + parts[1][c]) + (parts[2][c] + parts[3][c]) }
        }
    }

    /// ``statePriors(_:)`` at `cells` only, [component][n] for cell
    /// `cells[n]`: a rank's own columns.
    public func statePriors(_ prior: (FluxComponent) -> [Double], cells: [Int]) -> [[Double]] {
        components.map { component in
            guard component == .net else { let field = prior(component); return cells.map { field[$0] } }
            let parts = Self.priorComponents.map(prior)
            return cells.map { c in (parts[0][c] + parts[1][c]) + (parts[2][c] + parts[3][c]) }
        }
    }

    /// The sum of the prescribed components per cell.
    public func prescribedTotal(_ prior: (FluxComponent) -> [Double], cellCount: Int) -> [Double] {
        prescribedTotal(prior, cells: Array(0..<cellCount))
    }

    /// The sum of the prescribed components at `cells`, [n] for cell `cells[n]`.
    public func prescribedTotal(_ prior: (FluxComponent) -> [Double], cells: [Int]) -> [Double] {
        var total = [Double](repeating: 0, count: cells.count)
        for component in prescribed {
            let field = prior(component)
            for (n, c) in cells.enumerated() { total[n] += field[c] }
        }
        return total
    }

    /// Short names used in output variable names (bio_analysis_mean, ...).
    public var shortNames: [String] { components.map(\.shortName) }
}

extension FluxComponent {
    /// The short name of output variables: bio, ocn, fossil, fire, net.
    public var shortName: String {
        switch self {
        case .biosphere: "bio"
        case .ocean: "ocn"
        case .fossil: "fossil"
        case .fire: "fire"
        case .net: "net"
        }
    }

    /// What the component is, for long_name attributes.
    public var longName: String {
        switch self {
        case .biosphere: "net biosphere exchange"
        case .ocean: "air-sea exchange"
        case .fossil: "fossil-fuel and cement"
        case .fire: "biomass burning"
        case .net: "net (biosphere + ocean + fossil + fire)"
        }
    }
}

/// A state vector that cannot be built.
public enum FluxStateVectorError: Error, CustomStringConvertible, Sendable {
    case empty, repeated, netWithOthers

    public var description: String {
        switch self {
        case .empty: "the state needs at least one flux component"
        case .repeated: "a flux component is listed twice"
        case .netWithOthers: "'net' already holds every component and cannot be combined with others"
        }
    }
}
