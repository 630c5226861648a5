import Foundation
import NetCDFIO
import Testing
import TestSupport

/// Issue 16, classes 1 and 2: odd values in input files never crash a run,
/// and what would silently give a wrong answer is refused, naming the file
/// and the variable or key (Docs/reliability.md, "Faults tested").
@Suite struct FaultInputTests {
    /// Class 1: a Lite time of 1e30 (once a trap converting to Int) is
    /// dropped and counted; the run completes.
    @Test func oddValuesInAnObservationFileAreDroppedAndCounted() throws {
        let lite = try FaultFixture.observations.get()
        let config = try FaultFixture.config(satellite: lite.appendingPathComponent("time-1e30").path)
        let output = try FaultFixture.output("fault-odd")
        let result = try TestEnvironment.mpirun(ranks: 2, ["run", config, "--output", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("time: outside the plausible times 1900-2200: 1"), "\(result.stdout)")
        #expect(FaultFixture.contents(output) == FaultFixture.completeRun)
    }

    /// Class 1: quality flags and surface types stored as floats of 1e20 and
    /// -3e38 (once traps) are dropped and counted.
    @Test func floatCodesOutOfRangeAreDroppedAndCounted() throws {
        let lite = try FaultFixture.observations.get()
        let config = try FaultFixture.config(satellite: lite.appendingPathComponent("float-codes").path)
        let output = try FaultFixture.output("fault-codes")
        let result = try TestEnvironment.mpirun(ranks: 1, ["run", config, "--output", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("xco2_quality_flag"), "\(result.stdout)")
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("fluxes.nc").path))
    }

    /// Class 2: XCO2 labelled mol/mol but holding ppm is refused (exit 65),
    /// naming the file and the variable; the output folder the run created
    /// is removed again.
    @Test func xco2InWrongUnitsIsRefusedNamingFileAndVariable() throws {
        let lite = try FaultFixture.observations.get()
        let folder = lite.appendingPathComponent("wrong-units")
        let config = try FaultFixture.config(satellite: folder.path)
        let output = try FaultFixture.output("fault-units")
        let result = try TestEnvironment.mpirun(ranks: 2, ["run", config, "--output", output.path])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains(folder.path) && result.stderr.contains("variable 'xco2'")
                && result.stderr.contains("mol/mol"), "\(result.stderr)")
        #expect(FaultFixture.contents(output) == nil, "no output folder may be left")
    }

    /// Class 2: `rcas forward --flux posterior` over a period longer than the
    /// run's posterior is refused (exit 65) instead of using the prior where
    /// the posterior ends; nothing is left in the output folder.
    @Test func forwardBeyondThePosteriorIsRefused() throws {
        let run = try FaultFixture.output("fault-posterior")
        let short = try TestEnvironment.mpirun(ranks: 1, ["run", try FaultFixture.config(end: "2016-07-01T05"),
                                                           "--output", run.path])
        #expect(short.status == 0, "\(short.stderr)")
        let output = try FaultFixture.output("fault-fc")
        let result = try TestEnvironment.mpirun(ranks: 2, ["forward", try FaultFixture.config(end: "2016-07-01T11"),
                                                            "--flux", "posterior", "--run", run.path,
                                                            "--output", output.path])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("the posterior fluxes end before 2016-07-01T06"), "\(result.stderr)")
        #expect(FaultFixture.contents(output) == nil)
    }

    /// Class 5: a FIFO given as an observation file is refused at once
    /// (exit 65, naming it) instead of blocking the run forever.
    @Test func aFIFOAsAnObservationFileIsRefusedAtOnce() throws {
        let folder = try TestEnvironment.temporaryDirectory("fault-fifo")
        let fifo = folder.appendingPathComponent("oco2_LtCO2_160701.nc4").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let output = try FaultFixture.output("fault-fifo-out")
        let launched = try Launched(ranks: nil, ["run", try FaultFixture.config(satellite: fifo), "--output", output.path])
        let status = launched.finish(within: 120)
        #expect(status == 65, "hung or failed otherwise: \(launched.stderr)")
        #expect(launched.stderr.contains(fifo) && launched.stderr.contains("FIFO"), "\(launched.stderr)")
        #expect(FaultFixture.contents(output) == nil)
    }

    /// Class 5: a FIFO as the configuration file is refused, not read forever.
    @Test func aFIFOAsTheConfigurationIsRefusedAtOnce() throws {
        let fifo = try TestEnvironment.temporaryDirectory("fault-fifo-config").appendingPathComponent("run.yaml").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let launched = try Launched(ranks: nil, ["run", fifo, "--output", try FaultFixture.output("fault-fifo-config").path])
        #expect(launched.finish(within: 60) == 65, "\(launched.stderr)")
        #expect(launched.stderr.contains(fifo) && launched.stderr.contains("FIFO"), "\(launched.stderr)")
    }
}
