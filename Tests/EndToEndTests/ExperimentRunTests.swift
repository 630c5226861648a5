import Foundation
import NetCDFIO
import Testing
import TestSupport

/// The experiment driver as a user runs it: `rcas osse`, `rcas run` under
/// mpirun on several rank counts and layouts, kill -9 and --resume, and bad
/// configurations.
@Suite(.serialized) struct ExperimentRunTests {
    static let domain = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path

    /// A small twin experiment whose synthetic observations the other tests assimilate.
    static let twin: Result<URL, any Error> = Result {
        let folder = try TestEnvironment.temporaryDirectory("twin")
        let config = folder.appendingPathComponent("twin.yaml")
        try """
            name: twin-e2e
            domain: \(domain)
            period: {start: 2016-07-01T00, end: 2016-07-01T17, spin_up_days: 0}
            assimilation: {members: 4, localization: {cutoff_km: 2000}}
            ensemble: {seed: 3, ic_bc_perturbation: 0.005}
            observations:
              satellite: {source: synthetic, instrument: oco2}
            checkpoint: {interval_hours: 3}
            twin: {truth_amplitude: 0.5, truth_correlation_km: 1200}
            """.write(to: config, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("run")
        let result = try TestEnvironment.mpirun(ranks: 2, ["osse", config.path, "--output", output.path])
        guard result.status == 0 else { throw ExperimentTestFailure("rcas osse failed:\n\(result.stdout)\n\(result.stderr)") }
        return output
    }

    /// A `rcas run` configuration assimilating the twin's observations.
    static func runConfig(_ extra: String = "") throws -> String {
        let observations = try twin.get().appendingPathComponent("observations")
        let folder = try TestEnvironment.temporaryDirectory("run-config")
        let path = folder.appendingPathComponent("run.yaml").path
        try """
            name: run-e2e
            domain: \(domain)
            period: {start: 2016-07-01T00, end: 2016-07-01T17, spin_up_days: 0}
            assimilation: {members: 4, localization: {cutoff_km: 2000}}
            ensemble: {seed: 3, ic_bc_perturbation: 0.005}
            observations:
              satellite: {source: files, instrument: oco2, files: [\(observations.path)]}
              in_situ: {files: [\(observations.appendingPathComponent("insitu").path)]}
            checkpoint: {interval_hours: 3}
            \(extra)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let reference: Result<URL, any Error> = Result {
        let output = try TestEnvironment.temporaryDirectory("reference").appendingPathComponent("run")
        let result = try TestEnvironment.mpirun(ranks: 1, ["run", try runConfig(), "--output", output.path])
        guard result.status == 0 else { throw ExperimentTestFailure("reference run failed:\n\(result.stderr)") }
        return output
    }

    @Test func twinExperimentWritesItsSummaryAndRunFiles() throws {
        let run = try Self.twin.get()
        let summary = try String(contentsOf: run.appendingPathComponent("summary.json"), encoding: .utf8)
        for key in ["obs_assimilated", "obs_validation", "rmse_flux_prior", "rmse_flux_posterior", "region_totals",
                    "validation_rmse", "\"CTRL\"", "\"FC\"", "\"AN\"", "\"north_china\"", "\"land\"", "\"mount_wuyi\""] {
            #expect(summary.contains(key), "summary.json lacks \(key)")
        }
        for file in ["fluxes.nc", "observations.nc", "concentrations.nc", "ctrl/observations.nc", "fc/observations.nc"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path), "\(file) missing")
        }
        let fluxes = try NetCDFFile.open(run.appendingPathComponent("fluxes.nc").path)
        #expect(try fluxes.root.variable("time").shape() == [18])
        #expect(fluxes.root.hasVariable("bio_truth") && fluxes.root.hasVariable("bio_analysis_spread"))
        let concentrations = try NetCDFFile.open(run.appendingPathComponent("concentrations.nc").path)
        #expect(try concentrations.root.variable("co2_mean").shape() == [18, 1, 16, 20])
    }

    @Test func outputsPassTheCFCheckerAndOpenInXarray() throws {
        let run = try Self.twin.get()
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/EndToEndTests/check_outputs.py").path
        let result = try TestEnvironment.run("/usr/bin/env", ["python3", script, run.path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("cf-checker: 0 errors in fluxes.nc"), "\(result.stdout)")
        #expect(result.stdout.contains("cf-checker: 0 errors in observations.nc"), "\(result.stdout)")
        #expect(result.stdout.contains("cf-checker: 0 errors in concentrations.nc"), "\(result.stdout)")
        #expect(result.stdout.contains("xarray: lat/lon and time decoded"), "\(result.stdout)")
    }

    @Test(arguments: [(2, ""), (4, ""), (4, "parallel: {member_groups: 1}"), (3, "parallel: {member_groups: 1}")])
    func outputsAreBitIdenticalOnAnyRankCountAndLayout(ranks: Int, layout: String) throws {
        let output = try TestEnvironment.temporaryDirectory("ranks").appendingPathComponent("run")
        let result = try TestEnvironment.mpirun(ranks: ranks, ["run", try Self.runConfig(layout), "--output", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        try expectIdentical(try Self.reference.get(), output)
    }

    @Test(arguments: [(2, 2), (1, 4)])
    func killedRunsResumeBitIdentically(firstRanks: Int, resumeRanks: Int) throws {
        let output = try TestEnvironment.temporaryDirectory("resume").appendingPathComponent("run")
        let config = try Self.runConfig()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["mpirun"] + TestEnvironment.mpirunFlags(ranks: firstRanks)
            + [TestEnvironment.rcasBinary.path, "run", config, "--output", output.path]
        process.environment = ProcessInfo.processInfo.environment.merging(TestEnvironment.mpiEnvironment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let checkpoint = output.appendingPathComponent("checkpoint.nc").path
        let deadline = Date().addingTimeInterval(300)
        while !FileManager.default.fileExists(atPath: checkpoint) && process.isRunning && Date() < deadline { usleep(50_000) }
        // kill -9 of mpirun and of every rank at once (they all carry the
        // unique output path on their command lines), as a node failure would.
        _ = try TestEnvironment.run("/usr/bin/pkill", ["-9", "-f", output.path])
        process.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: checkpoint), "no checkpoint before the kill")
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("fluxes.nc").path),
                "the killed run must not have finished")

        let resumed = try TestEnvironment.mpirun(ranks: resumeRanks, ["run", config, "--output", output.path, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("resumed from the checkpoint"))
        try expectIdentical(try Self.reference.get(), output)
    }

    @Test(arguments: [
        ("assimilation: {members: 4,", "assimilation: {members: -4,", "assimilation.members"),
        ("checkpoint: {interval_hours: 3}", "checkpoint: {interval_hours: 3, every: 2}", "checkpoint.every"),
        ("end: 2016-07-01T17", "end: 2016-06-01T17", "period.end"),
        ("files: [", "files: [/no/such/file.nc4, ", "observations"),
    ])
    func badConfigurationsStopBeforeWritingAnything(original: String, replacement: String, key: String) throws {
        let text = try String(contentsOfFile: try Self.runConfig(), encoding: .utf8)
            .replacingOccurrences(of: original, with: replacement)
        let folder = try TestEnvironment.temporaryDirectory("bad-config")
        let config = folder.appendingPathComponent("bad.yaml").path
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("out")
        let result = try TestEnvironment.rcas(["run", config, "--output", output.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("key '\(key)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.path), "no output folder for a bad configuration")
    }
}

struct ExperimentTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
