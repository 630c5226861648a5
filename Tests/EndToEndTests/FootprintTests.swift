import Foundation
import NetCDFIO
import TestSupport
import Testing

/// Footprints for a bottom-up flux model (Docs/jacobians.md): `rcas jacobian
/// --basis cells --period hourly --shape unit` on a 4-hour twin with the
/// linear scheme, then JobScripts/footprint-simulate.py multiplying them by
/// an hourly flux file, as a user runs them.
@Suite(.serialized) struct FootprintTests {
    static let domain = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path

    /// The twin folder (rcas osse, 4 members) and its configuration.
    static let twin: Result<(folder: URL, config: String), any Error> = Result {
        let folder = try TestEnvironment.temporaryDirectory("footprint")
        let config = folder.appendingPathComponent("tiny.yaml").path
        try """
            name: footprint-tiny
            domain: \(domain)
            period: {start: 2016-07-01T00, end: 2016-07-01T03, spin_up_days: 0}
            transport: {advection: upwind}
            assimilation:
              members: 4
              window_hours: 4
              localization: {horizontal: none}
              flux_ensemble: {generator: gcasv2, gcasv2_scheme: biosphere, lambda: {biosphere: 0.5}, persistence_hours: 1,
                              correlation_km: 1200}
            ensemble: {seed: 3, ic_bc_perturbation: 0}
            observations:
              satellite: {source: synthetic, instrument: gosat, combination: super-observations, omb_gate_ppm: 1000}
              in_situ: {use: assimilate, omb_gate_ppm: 1000}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let run = folder.appendingPathComponent("twin")
        let result = try TestEnvironment.rcas(["osse", config, "--output", run.path])
        guard result.status == 0 else { throw ExperimentTestFailure("rcas osse failed:\n\(result.stderr)") }
        return (run, config)
    }

    /// The prior's own hourly fields through its footprints give the
    /// Jacobian's prior simulation c_background + c_prior_flux (to the float
    /// precision of fluxes.nc): the multiplication is the transport model's.
    @Test func footprintsTimesThePriorGiveThePriorSimulation() throws {
        let (run, config) = try Self.twin.get()
        let jacobian = run.deletingLastPathComponent().appendingPathComponent("footprints.nc").path
        let made = try TestEnvironment.rcas(["jacobian", config, "--output", jacobian, "--basis", "cells", "--period", "hourly",
                                             "--shape", "unit", "--twin-run", run.path])
        #expect(made.status == 0, "\(made.stderr)")
        let simulated = run.deletingLastPathComponent().appendingPathComponent("simulated.nc").path
        let script = TestEnvironment.packageRoot.appendingPathComponent("JobScripts/footprint-simulate.py").path
        let result = try TestEnvironment.run("/usr/bin/env", ["python3", script, jacobian, run.appendingPathComponent("fluxes.nc").path,
                                                             "bio_prior_mean", "--output", simulated])
        #expect(result.status == 0, "\(result.stderr)")
        let file = try NetCDFFile.open(simulated)
        defer { file.close() }
        let model = try file.root.variable("simulated").read(Double.self)
        let prior = try file.root.variable("prior_simulated").read(Double.self)
        let background = try NetCDFFile.open(jacobian).root.variable("c_background").read(Double.self)
        #expect(model.count > 20 && model.count == prior.count)
        let signal = zip(prior, background).map { abs($0 - $1) }.max() ?? 0
        let departure = zip(model, prior).map { abs($0 - $1) }.max() ?? .infinity
        #expect(signal > 0.5 && departure < 1e-6 * signal, "signal \(signal) ppm, departure \(departure) ppm")

        // The prior-scaling Jacobian is refused with a clear message.
        let scaled = run.deletingLastPathComponent().appendingPathComponent("scaled.nc").path
        _ = try TestEnvironment.rcas(["jacobian", config, "--output", scaled, "--basis", "blocks:5", "--period", "all",
                                      "--shape", "prior", "--twin-run", run.path])
        let refused = try TestEnvironment.run("/usr/bin/env", ["python3", script, scaled, run.appendingPathComponent("fluxes.nc").path,
                                                              "bio_prior_mean", "--output", simulated + ".2"])
        #expect(refused.status != 0 && refused.stderr.contains("--shape unit"), "\(refused.stderr)")
    }

    /// `rcas evaluate` prints the run's filter diagnostics.
    @Test func evaluatePrintsTheFilterDiagnostics() throws {
        let (run, _) = try Self.twin.get()
        let result = try TestEnvironment.rcas(["evaluate", run.path])
        #expect(result.status == 0, "\(result.stderr)")
        for text in ["filter_diagnostics:", "chi2_per_observation", "mean_innovation_ppm", "increment_correlation", "desroziers_r_ppm2"] {
            #expect(result.stdout.contains(text), "rcas evaluate does not print \(text)")
        }
    }
}
