import Foundation
import NetCDFIO
import Testing
import TestSupport

/// The real-format sample set of Domains/real-format-sample: WRF output, the
/// domain `rcas domain from-wrf` makes of it, OCO-2 Lite v10/v11, ObsPack
/// GLOBALVIEWplus and CarbonTracker files, and real-format.yaml using them
/// all. Written once (about 5 s) and shared by the tests that need it.
enum RealFormatSamples {
    static let folder: Result<URL, any Error> = Result {
        let folder = try TestEnvironment.temporaryDirectory("real-format")
        let script = TestEnvironment.packageRoot.appendingPathComponent("Domains/real-format-sample/make_samples.py").path
        let result = try TestEnvironment.run("/usr/bin/env", ["python3", script, folder.path,
                                                              "--rcas", TestEnvironment.rcasBinary.path])
        guard result.status == 0 else { throw ExperimentTestFailure("make_samples.py failed:\n\(result.stdout)\n\(result.stderr)") }
        return folder
    }

    /// The configuration inside the sample folder.
    static func config() throws -> String { try folder.get().appendingPathComponent("real-format.yaml").path }
}

/// `rcas run` on the real-format samples (CarbonTracker priors and
/// boundaries, WRF meteorology, Lite and ObsPack observations, in-situ
/// assimilation on): it completes on 1 and 2 ranks with bit-identical outputs
/// and assimilates observations of both kinds.
@Suite(.serialized) struct RealFormatRunTests {
    static func run(ranks: Int) throws -> URL {
        let output = try TestEnvironment.temporaryDirectory("real-format-run").appendingPathComponent("run")
        let result = try TestEnvironment.mpirun(ranks: ranks, ["run", try RealFormatSamples.config(), "--output", output.path])
        guard result.status == 0 else {
            throw ExperimentTestFailure("rcas run on \(ranks) rank(s) failed:\n\(result.stdout)\n\(result.stderr)")
        }
        return output
    }

    @Test func runsOnOneAndTwoRanksBitIdenticallyAndAssimilatesBothKinds() throws {
        let one = try Self.run(ranks: 1)
        let two = try Self.run(ranks: 2)
        try expectIdentical(one, two)

        let observations = try NetCDFFile.open(two.appendingPathComponent("observations.nc").path).root
        let kind = try observations.variable("kind").read(Double.self)
        let status = try observations.variable("status").read(Double.self)
        let value = try observations.variable("value").read(Double.self)
        let background = try observations.variable("background_mean").read(Double.self)
        // status 0 = assimilated, 1 = rejected by the OMB gate, 2 = validation; kind 0 = XCO2, 1 = in situ.
        let assimilatedXCO2 = zip(kind, status).filter { $0 == (0, 0) }.count
        let assimilatedInSitu = zip(kind, status).filter { $0 == (1, 0) }.count
        #expect(assimilatedXCO2 > 10, "XCO2 assimilated: \(assimilatedXCO2)")
        #expect(assimilatedInSitu > 10, "in-situ samples assimilated: \(assimilatedInSitu)")
        // Real-format values and the model's are plausible mole fractions.
        #expect(value.allSatisfy { (300...600).contains($0) })
        #expect(background.allSatisfy { (300...600).contains($0) })

        let fluxes = try NetCDFFile.open(two.appendingPathComponent("fluxes.nc").path).root
        #expect(try fluxes.variable("time").shape() == [72])
    }
}
