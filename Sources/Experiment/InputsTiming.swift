import Foundation
import Geometry
import ModelTime
import Parallel

/// The wall time of a configuration's hourly inputs (`rcas bench inputs`),
/// as the cycle asks for them on each rank: the meteorology of the region
/// its transport reads, the prior of its own cells and the inflow next to
/// them; and, in the same run, the same inputs asked for the whole grid,
/// which is what every rank did before the inputs were split by tile.
public struct InputsTiming: Sendable {
    /// The inputs timed, in report order.
    public enum Input: String, CaseIterable, Sendable {
        case meteorology, priorFlux = "prior_flux", background
    }

    public let ranks: Int
    public let hours: Int
    /// Seconds per simulated hour of each input on the slowest rank, asked per tile.
    public let perTile: [Input: Double]
    /// The same, each rank asking for the whole grid.
    public let wholeGrid: [Input: Double]
    /// The slowest rank's sum over the inputs (a rank's inputs are read one after the other).
    public let perTileTotal: Double
    public let wholeGridTotal: Double

    /// Times `hours` hours from the configuration's start (collective). The
    /// ranks form the run's layout (member groups x tiles); each provider is
    /// built twice, so that neither pass finds the other's values cached,
    /// and the two passes alternate hour by hour so that both meet the files
    /// equally warm in the page cache.
    public static func measure(config: ExperimentConfig, world: any Communicator, hours: Int) throws -> InputsTiming {
        precondition(hours >= 1, "at least one hour")
        let grid = config.domain.grid
        let comms = try EnsembleState.communicators(world: world, memberCount: config.members,
                                                    memberGroups: config.memberGroups, columnCount: grid.cellCount)
        let state = try EnsembleState(domain: config.domain, memberCount: config.members, comms: comms,
                                      transport: config.transport.options) { _, _, _, _ in 400 }
        let region = state.transport.meteorologyRegion, cells = state.cells
        let tile = try HourlyInputs(config: config), whole = try HourlyInputs(config: config)
        let clock = ContinuousClock()
        var perTile = [Input: Double](), wholeGrid = [Input: Double]()
        func time(_ input: Input, into table: inout [Input: Double], _ body: () throws -> Void) rethrows {
            let start = clock.now
            try body()
            table[input, default: 0] += (clock.now - start).inSeconds
        }
        func askPerTile(_ hour: ModelHour) throws {
            try time(.meteorology, into: &perTile) { _ = try tile.meteorology(at: hour, region: region) }
            try time(.priorFlux, into: &perTile) { _ = try tile.prior(at: hour, cells: cells) }
            try time(.background, into: &perTile) { _ = try tile.background.boundary(at: hour, region: region) }
        }
        func askWhole(_ hour: ModelHour) throws {
            try time(.meteorology, into: &wholeGrid) { _ = try whole.meteorology(at: hour) }
            try time(.priorFlux, into: &wholeGrid) { _ = try whole.prior(at: hour) }
            try time(.background, into: &wholeGrid) { _ = try whole.background.boundary(at: hour) }
        }
        for h in 0..<hours {
            let hour = config.start.advanced(by: h)
            if h % 2 == 0 { try askPerTile(hour); try askWhole(hour) } else { try askWhole(hour); try askPerTile(hour) }
        }
        func slowest(_ table: [Input: Double]) -> [Input: Double] {
            Dictionary(uniqueKeysWithValues: Input.allCases.map { ($0, world.allreduce(table[$0] ?? 0, .max) / Double(hours)) })
        }
        return InputsTiming(ranks: world.size, hours: hours, perTile: slowest(perTile), wholeGrid: slowest(wholeGrid),
                            perTileTotal: world.allreduce(perTile.values.reduce(0, +), .max) / Double(hours),
                            wholeGridTotal: world.allreduce(wholeGrid.values.reduce(0, +), .max) / Double(hours))
    }
}
