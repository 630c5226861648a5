import ArgumentParser
import Assimilation
import Foundation
import Geometry
import Parallel
import RandomStreams

/// A synthetic analysis problem on a real domain grid, built identically for
/// any rank count: the state, the observation locations, values and the
/// simulated observations are keyed random functions of (seed, member, column,
/// variable) and observation index. Used by `rcas selftest analysis` (rank
/// independence) and `rcas bench analysis` (cost per observation).
struct SyntheticAnalysisProblem {
    let grid: HorizontalGrid
    let layout: ColumnStateLayout
    let memberCount: Int
    let seed: UInt64
    let layerWeights: [Double]
    let observationCells: [Int]
    let observationPoints: [GeoPoint]

    init(domain: Domain, memberCount: Int, observationCount: Int, seed: UInt64) {
        grid = domain.grid
        layout = ColumnStateLayout(layerCount: domain.layers.count, windowHours: 24,
                                   fluxComponents: [.biosphere, .ocean])
        self.memberCount = memberCount
        self.seed = seed
        // Column-mean weights proportional to layer thickness (an XCO2-like operator).
        let thickness = (0..<domain.layers.count).map { domain.layers.thickness($0) }
        let total = thickness.reduce(0, +)
        layerWeights = thickness.map { $0 / total }
        var cells: [Int] = []
        var points: [GeoPoint] = []
        for j in 0..<observationCount {
            let x = grid.xOrigin + KeyedRandom(seed: seed, stream: "analysis-selftest").uniform(4, j, 0) * Double(grid.nx) * grid.dx
            let y = grid.yOrigin + KeyedRandom(seed: seed, stream: "analysis-selftest").uniform(4, j, 1) * Double(grid.ny) * grid.dy
            let point = grid.projection.inverse(x: x, y: y)
            let i = min(grid.nx - 1, Int((x - grid.xOrigin) / grid.dx))
            let jj = min(grid.ny - 1, Int((y - grid.yOrigin) / grid.dy))
            cells.append(grid.index(i, jj))
            points.append(point)
        }
        observationCells = cells
        observationPoints = points
    }

    /// Prior value of (member, column, variable).
    func value(member m: Int, column c: Int, variable v: Int) -> Double {
        if v < layout.layerCount {
            // Vertically correlated concentrations (ppm): a column-wide anomaly plus a layer one.
            return 400 + 0.3 * Double(v) + 1.5 * KeyedRandom(seed: seed, stream: "analysis-selftest").normal(2, m, c, -1)
                + 0.5 * KeyedRandom(seed: seed, stream: "analysis-selftest").normal(2, m, c, v)
        }
        let component = (v - layout.layerCount) % layout.fluxComponents.count
        let (mean, spread) = component == 0 ? (-1.0, 0.5) : (-0.2, 0.1)
        return mean + spread * KeyedRandom(seed: seed, stream: "analysis-selftest").normal(2, m, c, v)
    }

    /// This rank's block: its members for its columns.
    func block(columns: [Int], members: Range<Int>) -> ColumnEnsemble {
        var block = ColumnEnsemble(columns: columns, variableCount: layout.variableCount, members: members)
        for (c, column) in columns.enumerated() {
            for v in 0..<layout.variableCount {
                for m in members { block[column: c, variable: v, member: m] = value(member: m, column: column, variable: v) }
            }
        }
        return block
    }

    /// Simulated observations for the observations whose cell is in `block`, for its members.
    func priors(from block: ColumnEnsemble) -> ObservationPriorPiece {
        let local = Dictionary(uniqueKeysWithValues: block.columns.enumerated().map { ($1, $0) })
        var indices: [Int] = []
        var values: [Double] = []
        for (j, cell) in observationCells.enumerated() {
            guard let c = local[cell] else { continue }
            indices.append(j)
            for m in block.members {
                var sum = 0.0
                for k in 0..<layout.layerCount { sum += layerWeights[k] * block[column: c, variable: k, member: m] }
                values.append(sum)
            }
        }
        return ObservationPriorPiece(observations: indices, members: block.members, values: values)
    }

    /// Observations: 1 ppm error, values scattered about 400.5 ppm.
    var observations: ObservationBatch {
        let n = observationCells.count
        return ObservationBatch(values: (0..<n).map { 400.5 + 1.5 * KeyedRandom(seed: seed, stream: "analysis-selftest").normal(3, $0) },
                                errorVariances: Array(repeating: 1, count: n))
    }

    var geometry: SphericalLocalizationGeometry {
        SphericalLocalizationGeometry(columnCenters: grid.centers(), observationPoints: observationPoints)
    }

    /// This rank's member block and tile columns under `layout`.
    func localPart(rank: Int, parallelLayout: ParallelLayout) throws -> (columns: [Int], members: Range<Int>) {
        let tiles = try TileDecomposition(nx: grid.nx, ny: grid.ny, count: parallelLayout.tilesPerGroup, halo: 0)
        let tile = tiles.tiles[parallelLayout.tile(ofRank: rank)]
        var columns: [Int] = []
        for j in tile.jRange { for i in tile.iRange { columns.append(grid.index(i, j)) } }
        return (columns, parallelLayout.members(ofGroup: parallelLayout.group(ofRank: rank), memberCount: memberCount))
    }
}

/// One synthetic analysis, set up and run collectively on `world`; the wall
/// time covers the analysis only (barrier to barrier), not the set-up.
struct SyntheticAnalysisRun {
    /// The argument checks both synthetic-analysis commands share.
    static func validate(members: Int, observations: Int, cutoffKm: Double) throws {
        guard members >= 2 else { throw ValidationError("--members must be at least 2") }
        guard observations >= 1 else { throw ValidationError("--observations must be at least 1") }
        guard cutoffKm > 0 else { throw ValidationError("--cutoff-km must be positive") }
    }

    let domain: Domain
    let problem: SyntheticAnalysisProblem
    let parallelLayout: ParallelLayout
    let configuration: AnalysisConfiguration
    let state: ColumnEnsemble
    let update: ObservationSpaceUpdate
    let seconds: Double
    /// Phase timings of every rank (rank order).
    let timings: [ParallelAnalysis.Timings]

    init(world: any Communicator, domainPath: String, members: Int, observations: Int, seed: UInt64,
         memberGroups: Int?, localization: String, cutoffKilometres: Double, inflation: Double, rtps: Double) throws {
        domain = try Domain.load(domainPath)
        problem = SyntheticAnalysisProblem(domain: domain, memberCount: members, observationCount: observations,
                                           seed: seed)
        parallelLayout = try memberGroups.map { try ParallelLayout(worldSize: world.size, memberGroups: $0) }
            ?? ParallelLayout.automatic(worldSize: world.size, memberCount: members, columnCount: domain.grid.cellCount)
        let part = try problem.localPart(rank: world.rank, parallelLayout: parallelLayout)
        var state = problem.block(columns: part.columns, members: part.members)
        let priors = problem.priors(from: state)
        let geometry = problem.geometry
        let horizontal: HorizontalLocalization
        switch localization {
        case "gaspari-cohn": horizontal = .gaspariCohn(cutoff: cutoffKilometres * 1000)
        case "significance": horizontal = .significance(nearDistance: 500e3, farDistance: 3000e3, pValue: 0.05)
        case "none": horizontal = .none
        default: throw ValidationError("--localization must be gaspari-cohn, significance or none, not '\(localization)'")
        }
        configuration = AnalysisConfiguration(horizontal: horizontal, multiplicativeInflation: inflation,
                                              relaxationToPriorSpread: rtps,
                                              inflatedVariables: problem.layout.concentrationVariables)
        let analysis = ParallelAnalysis(filter: SerialEnSRF(configuration: configuration, memberCount: members))
        var phases = ParallelAnalysis.Timings()
        world.barrier()
        let start = Date()
        update = analysis.run(state: &state, allColumns: Array(0..<domain.grid.cellCount),
                              observations: problem.observations, priors: priors, geometry: geometry,
                              communicator: world, timings: &phases)
        world.barrier()
        seconds = Date().timeIntervalSince(start)
        timings = world.allgather([phases.gather, phases.observationSpace, phases.transposes, phases.columnUpdates])
            .map { ParallelAnalysis.Timings(gather: $0[0], observationSpace: $0[1], transposes: $0[2], columnUpdates: $0[3]) }
        self.state = state
    }
}

func worldCommunicator() -> any Communicator {
    MPIRuntime.launchedByMPI ? MPIRuntime.start() : SerialCommunicator()
}

struct SelftestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest", abstract: "Internal checks run by the test suite.", shouldDisplay: false,
        subcommands: [SelftestAnalysis.self])
}

struct SelftestAnalysis: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analysis",
        abstract: "Run one synthetic parallel analysis and dump the analysed ensemble (rank-independence check).")

    @Option(help: "Domain folder.") var domain: String = "Domains/test-small"
    @Option(help: "File to write: the analysed state [column][variable][member] then H x̄^a, as float64.")
    var dump: String
    @Option(help: "Ensemble size.") var members: Int = 12
    @Option(help: "Number of observations.") var observations: Int = 40
    @Option(help: "Member groups (default: automatic).") var memberGroups: Int?
    @Option(help: "gaspari-cohn, significance or none.") var localization: String = "gaspari-cohn"
    @Option(help: "Gaspari-Cohn cut-off (km).") var cutoffKm: Double = 1280
    @Option(help: "Multiplicative inflation of concentrations.") var inflation: Double = 1.05
    @Option(help: "RTPS factor on concentrations.") var rtps: Double = 0.5
    @Option(help: "Random seed.") var seed: UInt64 = 7

    func validate() throws {
        try SyntheticAnalysisRun.validate(members: members, observations: observations, cutoffKm: cutoffKm)
    }

    func run() throws {
        let world = worldCommunicator()
        defer { MPIRuntime.finish() }
        world.abortOnError {
            let run = try SyntheticAnalysisRun(
                world: world, domainPath: domain, members: members, observations: observations, seed: seed,
                memberGroups: memberGroups, localization: localization, cutoffKilometres: cutoffKm,
                inflation: inflation, rtps: rtps)
            let (d, problem, state, update, parallelLayout) = (run.domain, run.problem, run.state, run.update,
                                                               run.parallelLayout)
            // Assemble the whole ensemble on rank 0 in a fixed order.
            let columns = world.gather(state.columns, root: 0)
            let ranges = world.gather([state.members.lowerBound, state.members.upperBound], root: 0)
            let values = world.gather(state.values, root: 0)
            if world.rank == 0, let columns, let ranges, let values {
                let nv = problem.layout.variableCount
                var all = [Double](repeating: .nan, count: d.grid.cellCount * nv * members)
                for r in 0..<world.size {
                    let block = ColumnEnsemble(columns: columns[r], variableCount: nv,
                                               members: ranges[r][0]..<ranges[r][1], values: values[r])
                    for (c, column) in block.columns.enumerated() {
                        for v in 0..<nv {
                            for m in block.members {
                                all[(column * nv + v) * members + m] = block[column: c, variable: v, member: m]
                            }
                        }
                    }
                }
                all += update.posteriorMeans
                let data = all.withUnsafeBufferPointer { Data(buffer: $0) }
                try data.write(to: URL(fileURLWithPath: dump), options: .atomic)
                print("analysis on \(world.size) rank(s), \(parallelLayout): \(observations) observations, "
                      + "mean |innovation| \(update.innovations.map(abs).reduce(0, +) / Double(observations))")
            }
        }
    }
}
