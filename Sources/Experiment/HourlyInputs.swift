import Assimilation
import Geometry
import Inputs
import Meteorology
import ModelTime
import RandomStreams
import SyntheticWorld

/// The inputs a run reads hour by hour, each from its provider: meteorology,
/// prior fluxes and the background (initial and boundary CO2). The last
/// hours asked for are kept, because the cycle asks for the same hour twice
/// (the end of one step is the start of the next).
final class HourlyInputs {
    let meteorology: any MeteorologyProvider
    let prior: any PriorFluxProvider
    let background: any BackgroundProvider
    private var lastMeteorology: MetFields?
    private var priorCache: [ModelHour: (cells: [Int]?, fluxes: FluxComponents)] = [:]

    init(config: ExperimentConfig) throws {
        meteorology = try config.meteorology.makeProvider(domain: config.domain)
        prior = try config.priorFlux.makeProvider(domain: config.domain)
        background = try config.background.makeProvider(domain: config.domain)
    }

    /// The meteorology valid at `time`, holding at least `region` (nil: the
    /// whole grid). A rank asks for what its tile reads, so the ranks share
    /// the work of a provider that can compute or read a part of the grid.
    func meteorology(at time: ModelHour, region: CellRegion? = nil) throws -> MetFields {
        let grid = meteorology.domain.grid
        let wanted = region ?? CellRegion(i: 0..<grid.nx, j: 0..<grid.ny)
        if let cached = lastMeteorology, cached.time == time, cached.region.contains(wanted) { return cached }
        let fields = try meteorology.fields(at: time, region: wanted)
        lastMeteorology = fields
        return fields
    }

    /// The prior fluxes of [hour, hour + 1) in `cells` (nil: the whole
    /// grid); a provider that computes cell by cell leaves the rest NaN.
    func prior(at hour: ModelHour, cells: [Int]? = nil) throws -> FluxComponents {
        if let cached = priorCache[hour], cached.cells == cells { return cached.fluxes }
        let fluxes = try cells.map { try prior.fluxes(at: hour, cells: $0) } ?? prior.fluxes(at: hour)
        priorCache = priorCache.filter { $0.key >= hour.advanced(by: -1) }
        priorCache[hour] = (cells, fluxes)
        return fluxes
    }
}

extension FluxComponents {
    /// The field of one of the four prior components.
    func field(_ component: FluxComponent) -> [Double] {
        switch component {
        case .biosphere: bio
        case .ocean: ocn
        case .fossil: fossil
        case .fire: fire
        case .net: preconditionFailure("the net flux is not a prior component; FluxStateVector sums it")
        }
    }
}

extension ExperimentConfig {
    /// The prior of each state component as a flux source (CTRL runs).
    public func priorFluxSource() throws -> NaturalFluxSource {
        let prior = try priorFlux.makeProvider(domain: domain), state = assimilation.stateVector
        return { hour in state.statePriors(try prior.fluxes(at: hour).field) }
    }
}

/// The initial and lateral-boundary perturbations of the concentration
/// ensemble (SCIENCE.md §5): each member's initial field and its inflow are
/// scaled per column by (1 + σ δ), δ a unit-variance pattern, correlated over
/// the configured length, fixed for the run (each member keeps its own inflow bias).
struct InitialBoundaryPerturbation {
    let sigma: Double
    let first: Int
    /// [member - first][cell]: the initial (hour key 0) and boundary (hour key -1) patterns.
    let initial: [[Double]]
    let boundary: [[Double]]

    init(config: ExperimentConfig, members: Range<Int>) {
        sigma = config.initialBoundaryPerturbation
        first = members.lowerBound
        guard sigma > 0 else {
            initial = []
            boundary = []
            return
        }
        let noise = CorrelatedNoise(grid: config.domain.grid, length: config.perturbationCorrelationLength)
        let random = KeyedRandom(seed: config.seed, stream: "initial-boundary-perturbation")
        initial = members.map { m in noise.field { random.normal(member: m, hour: 0, cell: $0) } }
        boundary = members.map { m in noise.field { random.normal(member: m, hour: -1, cell: $0) } }
    }

    /// (1 + σ δ) of `member`'s initial field in `cell`.
    func initialScale(member: Int, cell: Int) -> Double {
        sigma > 0 ? 1 + sigma * initial[member - first][cell] : 1
    }

    /// (1 + σ δ) of `member`'s inflow next to edge cell `cell`.
    func boundaryScale(member: Int, cell: Int) -> Double {
        sigma > 0 ? 1 + sigma * boundary[member - first][cell] : 1
    }
}
