import Assimilation
import ConfigFormat
import Evaluation
import Foundation
import NetCDFIO
import Parallel
import Testing
import TestSupport
@testable import Experiment

/// Lateral-boundary bias elements (issue 18): configuration, the synthesis's
/// boundary columns and posterior, and the EnKS elements' independence of
/// the rank count and of a restart.
enum BoundaryBiasFixture {
    static let domain = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path

    /// A 2-day upwind twin on test-small (GOSAT super-observations and the
    /// Kou2023 sites), +1 ppm on the west inflow of the truth, bias elements
    /// on every edge; `boundary` replaces the `boundary_bias:` section.
    static func config(boundary: String = "{prior_sigma_ppm: 0.8}", members: Int = 4, end: String = "2016-07-02T23",
                       twin: String = "{truth_amplitude: 0.5, truth_correlation_km: 1200, boundary_bias_ppm: {west: 1.0}}") throws -> ExperimentConfig {
        let folder = try TestEnvironment.temporaryDirectory("boundary-config")
        let path = folder.appendingPathComponent("twin.yaml").path
        try """
            name: boundary-test
            domain: \(domain)
            period: {start: 2016-07-01T00, end: \(end), spin_up_days: 0}
            transport: {advection: upwind}
            assimilation:
              members: \(members)
              window_hours: 4
              localization: {cutoff_km: 2000}
              flux_ensemble: {generator: gcasv2, gcasv2_scheme: biosphere-ocean, lambda: {biosphere: 0.5, ocean: 0.5},
                              persistence_hours: 24, correlation_km: 1200}
            ensemble: {seed: 3, ic_bc_perturbation: 0}
            observations:
              satellite: {source: synthetic, instrument: gosat, combination: super-observations, omb_gate_ppm: 1000}
              in_situ: {use: assimilate, omb_gate_ppm: 1000}
            twin: \(twin)
            boundary_bias: \(boundary)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return try ExperimentConfig.load(path)
    }

    /// The twin folder with the synthetic observations of ``config()``.
    static let twin: Result<URL, any Error> = Result {
        let folder = try TestEnvironment.temporaryDirectory("boundary-twin")
        _ = try TwinExperiment(config: try config(), output: folder, world: SerialCommunicator()).syntheticObservations()
        return folder
    }

    /// The simulated observations of a forward run with the prior flux and
    /// `imposed` on the inflow (in the Jacobian's row order).
    static func forward(_ config: ExperimentConfig, imposed: [BoundaryEdge: Double]) throws -> [Double] {
        let folder = try TestEnvironment.temporaryDirectory("boundary-forward")
        let run = try ForwardRun(config: config, label: "FD", natural: try config.priorFluxSource(), world: SerialCommunicator(),
                                 observations: try TwinExperiment.observations(in: try twin.get(), config: config), folder: folder)
        run.imposedBoundaryBias = ImposedBoundaryBias(ppm: imposed)
        try run.run()
        return try ObservationTable.read(folder.appendingPathComponent("observations.nc").path).background
    }
}

/// Solves a x = b (n x n, row-major) by Gaussian elimination with partial pivoting.
private func solve(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
    var a = a, b = b
    for c in 0..<n {
        let p = (c..<n).max { abs(a[$0 * n + c]) < abs(a[$1 * n + c]) }!
        if p != c {
            for k in 0..<n { a.swapAt(c * n + k, p * n + k) }
            b.swapAt(c, p)
        }
        for r in (c + 1)..<n {
            let f = a[r * n + c] / a[c * n + c]
            guard f != 0 else { continue }
            for k in c..<n { a[r * n + k] -= f * a[c * n + k] }
            b[r] -= f * b[c]
        }
    }
    var x = [Double](repeating: 0, count: n)
    for r in stride(from: n - 1, through: 0, by: -1) {
        var s = b[r]
        for k in (r + 1)..<n { s -= a[r * n + k] * x[k] }
        x[r] = s / a[r * n + r]
    }
    return x
}

@Suite(.serialized) struct BoundaryBiasTests {
    @Test func settingsAreReadStrictlyAndPrintedBack() throws {
        let config = try BoundaryBiasFixture.config(boundary: "{edges: [west, north], band_top_layers: [2, 5], prior_sigma_ppm: 0.5, correlation_hours: 48, localization_km: 1500}")
        let settings = try #require(config.boundaryBias)
        #expect(settings.edges == [.north, .west] && settings.bandTopLayers == [2, 5] && settings.elementCount == 4)
        #expect(settings.priorSigma == 0.5 && settings.correlationHours == 48 && settings.localization == 1_500_000)
        #expect(settings.layers(ofBand: 1) == 3...5 && settings.band(ofLayer: 2) == 0 && settings.band(ofLayer: 3) == 1)
        // Ghost cells: west i = -1, north j = ny; east is not optimised.
        let nx = config.domain.grid.nx, ny = config.domain.grid.ny
        #expect(settings.element(i: -1, j: 3, k: 4, nx: nx, ny: ny) == 3)
        #expect(settings.element(i: 5, j: ny, k: 0, nx: nx, ny: ny) == 0)
        #expect(settings.element(i: nx, j: 3, k: 0, nx: nx, ny: ny) == nil)
        #expect(settings.name(of: 3) == "west layers 3-5")
        #expect(config.imposedBoundaryBias.ppm == [.west: 1.0])
        // The printed section reads back to the same settings.
        let printed = try ConfigMapping.parse(config.resolvedText, file: "printed")
        #expect(try BoundaryBiasSettings(try printed.mapping("boundary_bias"), layerCount: config.domain.layers.count) == settings)
        #expect(config.resolvedText.contains("boundary_bias_ppm: {west: 1.0}"))

        for (section, message) in [("{edges: [up]}", "'up' is not an edge"),
                                   ("{edges: [west, west]}", "listed twice"),
                                   ("{band_top_layers: [2, 4]}", "must end at the top layer 5"),
                                   ("{band_top_layers: [3, 2, 5]}", "must increase"),
                                   ("{prior_sigma_ppm: -1}", "out of range"),
                                   ("{prior_sigma: 1}", "unknown key")] {
            #expect {
                _ = try BoundaryBiasFixture.config(boundary: section)
            } throws: { error in
                "\(error)".contains(message) && "\(error)".contains("boundary_bias")
            }
        }
    }

    /// With the linear scheme a boundary tracer's column is the forward
    /// model's response to 1 ppm more inflow on that edge, to round-off.
    @Test func boundaryColumnsEqualTheForwardModelsResponse() throws {
        let config = try BoundaryBiasFixture.config()
        let observations = try TwinExperiment.observations(in: try BoundaryBiasFixture.twin.get(), config: config)
        let basis = try JacobianBasis.make(config: config, partition: .regions, periods: .all, shape: .prior)
        let jacobian = try #require(try JacobianRun(config: config, basis: basis, world: SerialCommunicator(),
                                                    observations: observations).run())
        let m = jacobian.observations.count, nb = jacobian.boundaryCount
        #expect(nb == 4 && jacobian.boundary.count == m * 4 && jacobian.stateColumnCount == basis.count + 4)
        let base = try BoundaryBiasFixture.forward(config, imposed: [:])
        let west = try BoundaryBiasFixture.forward(config, imposed: [.west: 0.6])
        let e = try #require(config.boundaryBias?.edges.firstIndex(of: .west))
        #expect((0..<m).contains { jacobian.boundary[$0 * nb + e] > 1e-3 }, "the west inflow reaches no observation in 2 days")
        for o in 0..<m {
            #expect(abs((west[o] - base[o]) / 0.6 - jacobian.boundary[o * nb + e]) < 1e-10, "row \(o)")
        }
        // The same columns on 2 ranks, as 1 and as 2 member groups, with the
        // boundary tracers split from the flux tracers by a small batch.
        let twin = try BoundaryBiasFixture.twin.get()
        for groups in [1, 2] {
            let results = try ThreadCommunicator.run(ranks: 2) { world in
                let layout = try BoundaryBiasFixture.config(boundary: "{prior_sigma_ppm: 0.8}\nparallel: {member_groups: \(groups)}")
                return try JacobianRun(config: layout, basis: basis, world: world,
                                       observations: try TwinExperiment.observations(in: twin, config: layout), batchSize: 3).run()
            }
            let parallel = try #require(results[0])
            #expect(parallel.boundary == jacobian.boundary && parallel.matrix == jacobian.matrix, "\(groups) member group(s)")
        }
    }

    /// The synthesis with boundary elements is the closed-form Bayesian
    /// posterior x̂ = B Hᵀ S⁻¹ d, A = B − B Hᵀ S⁻¹ H B (S = H B Hᵀ + R) of the
    /// augmented state [flux coefficients, boundary biases], computed here
    /// independently from jacobian.nc by Gaussian elimination.
    @Test func synthesisWithBoundaryElementsEqualsTheClosedForm() throws {
        let config = try BoundaryBiasFixture.config()
        let folder = try TestEnvironment.temporaryDirectory("boundary-synthesis")
        var options = SynthesisOptions()
        options.twinRun = try BoundaryBiasFixture.twin.get()
        options.partition = .regions
        options.periods = .all
        let summary = try #require(try SynthesisInversion(config: config, world: SerialCommunicator(), output: folder,
                                                          options: options).run())
        let jacobian = try JacobianFile.read(folder.appendingPathComponent("jacobian.nc").path, config: config)
        let n = jacobian.basis.count, nb = jacobian.boundaryCount, N = n + nb
        let rows = jacobian.observations.indices.filter { jacobian.observations[$0].role == .candidate }
        let m = rows.count
        let h = jacobian.stateMatrix, offset = jacobian.offset
        let fluxB = try SynthesisPrior(config: config, source: .ensemble).covariance(of: jacobian.basis, grid: config.domain.grid).dense()
        var b = [Double](repeating: 0, count: N * N)
        for i in 0..<n { for j in 0..<n { b[i * N + j] = fluxB[i * n + j] } }
        for e in 0..<nb { b[(n + e) * N + n + e] = 0.8 * 0.8 }
        // BHᵀ (N x m) and S = H B Hᵀ + R (m x m).
        var bht = [Double](repeating: 0, count: N * m)
        for i in 0..<N { for (r, o) in rows.enumerated() { for k in 0..<N { bht[i * m + r] += b[i * N + k] * h[o * N + k] } } }
        var s = [Double](repeating: 0, count: m * m)
        for (r, o) in rows.enumerated() {
            for c in 0..<m { for k in 0..<N { s[r * m + c] += h[o * N + k] * bht[k * m + c] } }
            s[r * m + r] += jacobian.observations[o].error * jacobian.observations[o].error
        }
        let z = solve(s, rows.map { jacobian.observations[$0].value - offset[$0] }, m)
        let elements = try #require(summary.boundaryBias?.elements)
        #expect(elements.count == nb && elements.map(\.name) == ["north", "east", "south", "west"])
        for e in 0..<nb {
            let i = n + e
            let mean = (0..<m).reduce(0) { $0 + bht[i * m + $1] * z[$1] }
            // A_ii = B_ii − (B Hᵀ)_i S⁻¹ (H B)_i
            let w = solve(s, (0..<m).map { bht[i * m + $0] }, m)
            let variance = b[i * N + i] - (0..<m).reduce(0) { $0 + bht[i * m + $1] * w[$1] }
            #expect(isClose(elements[e].posterior, mean, relative: 1e-8, absolute: 1e-12), "\(elements[e].name) mean")
            #expect(isClose(elements[e].sigma, variance.squareRoot(), relative: 1e-8), "\(elements[e].name) sigma")
            #expect(elements[e].prior == 0 && elements[e].imposed == (elements[e].name == "west" ? 1 : 0))
        }
        // The west element is observed: its σ shrinks below the prior 0.8 ppm.
        #expect(elements[3].sigma < 0.8 * 0.99)
        let decoded = try JSONSerialization.jsonObject(with: Data(summary.json.utf8)) as? [String: Any]
        let west = (decoded?["boundary_bias_ppm"] as? [String: Any])?["west"] as? [String: Double]
        #expect(west?["posterior"] != nil && west?["sigma"] != nil && west?["prior"] == 0)
    }

    /// The EnKS learns an imposed bias: a truth with the prior flux and +3 ppm
    /// on the west inflow (GOSAT super-observations and the sites, 8
    /// members, 2 days). Measured with `rcas osse` (release) on this
    /// configuration: the west element reaches 3.8 ppm after 9 hours, its
    /// second-day mean is 3.92 ppm (it overshoots: 8 members, one edge's
    /// inflow seen by few observations), the east element's 0.48 ppm.
    @Test func enksWestElementMovesToTheImposedBias() throws {
        let config = try BoundaryBiasFixture.config(boundary: "{edges: [west, east], prior_sigma_ppm: 2.0}", members: 8,
                                                   twin: "{truth_amplitude: 0, boundary_bias_ppm: {west: 3.0}}")
        let folder = try TestEnvironment.temporaryDirectory("boundary-learn")
        _ = try TwinExperiment(config: config, output: folder, world: SerialCommunicator()).syntheticObservations()
        try AssimilationRun(config: config, world: SerialCommunicator(),
                            observations: try TwinExperiment.observations(in: folder, config: config), folder: folder).run()
        let root = try NetCDFFile.open(folder.appendingPathComponent(BoundaryBiasFile.name).path).root
        let mean = try root.variable("analysis_mean").read(Double.self), spread = try root.variable("analysis_spread").read(Double.self)
        #expect(mean.count == 48 * 2)
        // Elements are [east, west]; the second day's mean analysis.
        let secondDay = 24..<48
        let west = secondDay.reduce(0) { $0 + mean[$1 * 2 + 1] } / 24, east = secondDay.reduce(0) { $0 + mean[$1 * 2] } / 24
        #expect(west > 0.7 * 3 && west < 1.5 * 3, "west element \(west) ppm, imposed 3")
        #expect(abs(east) < 0.5 * west, "east element \(east) ppm, imposed 0")
        #expect(spread[47 * 2 + 1] < 2.0, "the west element's spread did not shrink below the prior's")

        // What a twin's FC run adds to its inflow: during hour h the analysis
        // valid at h (record h − start − 1), 0 before the first analysis and
        // on edges without an element.
        let posterior = try PosteriorBoundaryBias(path: folder.appendingPathComponent(BoundaryBiasFile.name).path,
                                                  settings: try #require(config.boundaryBias))
        let nx = config.domain.grid.nx, ny = config.domain.grid.ny
        #expect(posterior.offset(hour: config.start, i: -1, j: 2, k: 0, nx: nx, ny: ny) == 0)
        let hour = config.start.advanced(by: 30)
        #expect(posterior.offset(hour: hour, i: -1, j: 2, k: 3, nx: nx, ny: ny) == mean[29 * 2 + 1])
        #expect(posterior.offset(hour: hour, i: nx, j: 2, k: 0, nx: nx, ny: ny) == mean[29 * 2])
        #expect(posterior.offset(hour: hour, i: 4, j: ny, k: 0, nx: nx, ny: ny) == 0)
    }

    /// The EnKS elements: bit-identical on 1, 2 and 4 ranks, and a run
    /// stopped at a checkpoint and resumed gives the uninterrupted run's
    /// boundary_bias.nc and fluxes.nc to the bit.
    @Test func enksElementsDoNotDependOnRanksOrRestart() throws {
        let config = try BoundaryBiasFixture.config(boundary: "{prior_sigma_ppm: 1.0, correlation_hours: 24}", members: 6,
                                                   end: "2016-07-01T07")
        let twin = try BoundaryBiasFixture.twin.get()
        let folders = try EngineTests.assimilateOnOneTwoAndFourRanks(config, twin: twin, label: "boundary-engine")
        let series = try NetCDFFile.open(folders[0].appendingPathComponent(BoundaryBiasFile.name).path).root
        #expect(try series.variable("analysis_mean").shape() == [8, 4])
        let forecast = try series.variable("forecast_spread").read(Double.self)
        let analysis = try series.variable("analysis_spread").read(Double.self)
        #expect(zip(forecast, analysis).contains { $1 < $0 * 0.999 }, "no observation ever reduced a bias element's spread")
        for folder in folders.dropFirst() {
            try EngineTests.expectIdentical(folders[0], folder, files: [BoundaryBiasFile.name, "fluxes.nc"])
        }

        let stopped = try EngineTests.assimilateWithRestart(config, twin: twin, label: "boundary-restart")
        try EngineTests.expectIdentical(folders[0], stopped, files: [BoundaryBiasFile.name, "fluxes.nc"])
        // The series of the unfinished run is gone once the final file is written.
        #expect(!FileManager.default.fileExists(atPath: stopped.appendingPathComponent(BoundaryBiasFile.name + ".partial").path))
    }
}
