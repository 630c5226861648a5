import Evaluation
import Foundation
import Observations
import Parallel
import Testing
import TestSupport
@testable import Experiment

/// A 4-hour twin on test-small with the linear (upwind) scheme, synthetic
/// GOSAT super-observations and the Kou2023 sites (both assimilated; few
/// soundings keep the forward runs cheap): the problem the Jacobian tests
/// share (its truth run and observations are made once).
enum JacobianFixture {
    static let domain = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path

    /// A configuration in a fresh folder; `extra` lines are appended.
    static func config(advection: String = "upwind", end: String = "2016-07-01T03", extra: String = "") throws -> ExperimentConfig {
        let folder = try TestEnvironment.temporaryDirectory("jacobian-config")
        let path = folder.appendingPathComponent("twin.yaml").path
        try """
            name: jacobian-test
            domain: \(domain)
            period: {start: 2016-07-01T00, end: \(end), spin_up_days: 0}
            transport: {advection: \(advection)}
            assimilation:
              members: 4
              window_hours: 4
              localization: {horizontal: none}
              flux_ensemble: {generator: gcasv2, gcasv2_scheme: biosphere-ocean, lambda: {biosphere: 0.5, ocean: 0.5},
                              persistence_hours: 1, correlation_km: 1200}
            ensemble: {seed: 3, ic_bc_perturbation: 0}
            observations:
              satellite: {source: synthetic, instrument: gosat, combination: super-observations, omb_gate_ppm: 1000}
              in_situ: {use: assimilate, omb_gate_ppm: 1000}
            twin: {truth_amplitude: 0.5, truth_correlation_km: 1200}
            \(extra)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return try ExperimentConfig.load(path)
    }

    /// The twin folder with the synthetic observations of ``config()``.
    static let twin: Result<URL, any Error> = Result {
        let folder = try TestEnvironment.temporaryDirectory("jacobian-twin")
        _ = try TwinExperiment(config: try config(), output: folder, world: SerialCommunicator()).syntheticObservations()
        return folder
    }

    static func observations(_ config: ExperimentConfig) throws -> [any ObservationType] {
        try TwinExperiment.observations(in: try twin.get(), config: config)
    }

    /// Blocks of 5 x 5 cells, hourly, scaling the prior: 2 components.
    static func basis(_ config: ExperimentConfig) throws -> JacobianBasis {
        try JacobianBasis.make(config: config, partition: .blocks(5), periods: .aligned(1), shape: .prior)
    }

    /// The serial Jacobian of ``config()``.
    static let jacobian: Result<Jacobian, any Error> = Result {
        let twin = try Self.config()
        let run = try JacobianRun(config: twin, basis: try basis(twin), world: SerialCommunicator(),
                                  observations: try observations(twin), batchSize: 37)
        guard let jacobian = try run.run() else { throw ExperimentError.internalFailure("no Jacobian on rank 0") }
        return jacobian
    }

    /// The simulated observations of a forward run with `natural` fluxes
    /// (in the Jacobian's row order).
    static func forward(_ config: ExperimentConfig, natural: @escaping NaturalFluxSource) throws -> [Double] {
        let folder = try TestEnvironment.temporaryDirectory("jacobian-forward")
        try ForwardRun(config: config, label: "FD", natural: natural, world: SerialCommunicator(),
                       observations: try observations(config), folder: folder).run()
        return try ObservationTable.read(folder.appendingPathComponent("observations.nc").path).background
    }

    /// The prior with basis function f's coefficient set to `x`: E^p (1 + x) on its cells and hours.
    static func perturbed(_ config: ExperimentConfig, basis: JacobianBasis, function f: Int, by x: Double) throws -> NaturalFluxSource {
        let prior = try config.priorFluxSource(), function = basis.functions[f]
        let cells = basis.groupCells[function.group]
        return { hour in
            var fields = try prior(hour)
            if basis.period(of: hour) == function.period {
                for cell in cells { fields[function.component][cell] *= 1 + x }
            }
            return fields
        }
    }
}

@Suite(.serialized) struct JacobianTests {
    @Test func basisPartitionsCellsAndHours() throws {
        let config = try JacobianFixture.config()
        let basis = try JacobianFixture.basis(config)
        #expect(basis.groupNames.count == 16 && basis.periodCount == 4 && basis.componentNames == ["bio", "ocn"])
        #expect(Set(basis.groupCells.flatMap { $0 }).count == config.domain.grid.cellCount)
        // Every function is found again from any of its cells and hours.
        for (f, function) in basis.functions.enumerated() {
            let cell = basis.groupCells[function.group][0]
            #expect(basis.function(component: function.component, cell: cell, hour: basis.periodStarts[function.period]) == f)
        }
        // Ocean blocks hold no biosphere flux: left out.
        #expect(basis.count < 2 * 16 * 4)
        #expect(JacobianBasis.Periods(argument: "hours:6") == .aligned(6) && JacobianBasis.Partition(argument: "blocks:0") == nil)
        let regions = try JacobianBasis.make(config: config, partition: .regions, periods: .all, shape: .unit)
        #expect(regions.groupNames.contains("rest_of_domain") && regions.groupNames.contains("north_china"))
        #expect(regions.count == regions.groupNames.count && regions.componentNames == ["total"])
    }

    /// With the linear scheme a tracer column is the forward model's
    /// response to its basis coefficient exactly (to round-off): perturb one
    /// coefficient, rerun the whole forward model, difference.
    @Test func tracerColumnsEqualFiniteDifferencesOfTheForwardModel() throws {
        let config = try JacobianFixture.config()
        let jacobian = try JacobianFixture.jacobian.get()
        let basis = jacobian.basis, m = jacobian.observations.count, n = basis.count
        #expect(m > 10 && jacobian.observations.contains { $0.kind == .inSitu } && jacobian.observations.contains { $0.kind == .satelliteXCO2 })
        let base = try JacobianFixture.forward(config, natural: try config.priorFluxSource())
        #expect(base.count == m)
        // c0 = c_background + c_prior_flux is the prior forward run.
        for o in 0..<m { #expect(abs(base[o] - jacobian.offset[o]) < 1e-10, "row \(o)") }
        // The strongest column of the first and of the last hour, and of the ocean.
        func strongest(_ keep: (JacobianBasis.Function) -> Bool) -> Int {
            (0..<n).filter { keep(basis.functions[$0]) }.max { a, b in
                (0..<m).reduce(0) { $0 + abs(jacobian.matrix[$1 * n + a]) } < (0..<m).reduce(0) { $0 + abs(jacobian.matrix[$1 * n + b]) }
            }!
        }
        let chosen = [strongest { $0.period == 0 }, strongest { $0.period == 3 }, strongest { $0.component == 1 }]
        for f in chosen {
            #expect((0..<m).contains { abs(jacobian.matrix[$0 * n + f]) > 1e-3 }, "function \(f) reaches no observation")
            let x = 0.7
            let run = try JacobianFixture.forward(config, natural: try JacobianFixture.perturbed(config, basis: basis, function: f, by: x))
            for o in 0..<m {
                let difference = (run[o] - base[o]) / x
                #expect(abs(difference - jacobian.matrix[o * n + f]) < 2e-10, "function \(f), row \(o)")
            }
        }
    }

    @Test func jacobianDoesNotDependOnTheRankCount() throws {
        let serial = try JacobianFixture.jacobian.get()
        let config = try JacobianFixture.config()
        let basis = serial.basis
        for groups in [1, 2] {
            let results = try ThreadCommunicator.run(ranks: 2) { world in
                let layout = try JacobianFixture.config(extra: "parallel: {member_groups: \(groups)}")
                return try JacobianRun(config: layout, basis: basis, world: world,
                                       observations: try JacobianFixture.observations(config), batchSize: 37).run()
            }
            let parallel = try #require(results[0])
            #expect(results[1] == nil)
            #expect(parallel.matrix == serial.matrix, "\(groups) member group(s)")
            #expect(parallel.background == serial.background && parallel.priorFlux == serial.priorFlux)
        }
    }

    @Test func fileRoundTripsAndBelongsToItsConfiguration() throws {
        let config = try JacobianFixture.config()
        let jacobian = try JacobianFixture.jacobian.get()
        let path = try TestEnvironment.temporaryDirectory("jacobian-file").appendingPathComponent("jacobian.nc").path
        try JacobianFile.write(jacobian, config: config, to: path)
        let back = try JacobianFile.read(path, config: config)
        #expect(back.matrix == jacobian.matrix && back.background == jacobian.background && back.priorFlux == jacobian.priorFlux)
        #expect(back.observations == jacobian.observations && back.basis == jacobian.basis)
        #expect(back.transportScheme == "upwind")
        // Another period is another problem.
        #expect(throws: ExperimentError.self) { try JacobianFile.read(path, config: try JacobianFixture.config(end: "2016-07-01T05")) }
    }
}
