import Foundation
import Testing
import TestSupport

/// The benchmark scripts of JobScripts/ on the small test domain (a few
/// seconds each): they must run, write their tables and print their summaries.
/// The timings themselves are not checked (that is what the scripts are for).
@Suite struct BenchmarkScriptTests {
    let root = TestEnvironment.packageRoot

    func runScript(_ name: String, _ arguments: [String], _ settings: [String: String]) throws -> ProcessResult {
        var environment = TestEnvironment.mpiEnvironment
        environment["RCAS_BIN"] = TestEnvironment.rcasBinary.path
        environment["DOMAIN"] = "Domains/test-small"
        for (key, value) in settings { environment[key] = value }
        return try TestEnvironment.run("/bin/bash", [root.appendingPathComponent("JobScripts/\(name)").path] + arguments,
                                       environment: environment)
    }

    func csvRows(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    }

    /// `rcas bench cycle` on 2 ranks: one JSON object with every phase, the
    /// phases covering the cycle (they nest exclusively), and the scratch
    /// folder gone afterwards.
    @Test func benchCycleReportsEveryPhase() throws {
        let directory = try TestEnvironment.temporaryDirectory("bench-cycle")
        let scratch = directory.appendingPathComponent("scratch").path
        let result = try TestEnvironment.mpirun(ranks: 2, [
            "bench", "cycle", "--domain", root.appendingPathComponent("Domains/test-small").path, "--members", "4",
            "--hours", "12", "--observations", "oco2", "--scratch", scratch, "--json"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").last { $0.hasPrefix("{") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["ranks"] as? Int == 2 && object["members"] as? Int == 4 && object["hours"] as? Int == 12)
        let phases = try #require(object["phases"] as? [String: Double])
        #expect(Set(phases.keys) == ["inputs", "transport", "flux_ensemble", "observation_operators", "analysis",
                                     "output", "checkpoint"])
        let total = try #require(object["seconds_per_simulated_hour"] as? Double)
        let transport = try #require(object["transport_seconds_per_simulated_hour"] as? Double)
        #expect(transport > 0 && phases["analysis"]! > 0, "\(phases)")
        // Three checkpoints were written (hours 3, 6 and 9); the last, which
        // wrote over the spare, is spread over 24 hours, the first is reported apart.
        let checkpoint = try #require(object["checkpoint_seconds"] as? Double)
        #expect(checkpoint > 0 && abs(phases["checkpoint"]! - checkpoint / 24) < 1e-12 * checkpoint, "\(phases)")
        #expect(object["checkpoints"] as? Int == 3 && (object["first_checkpoint_seconds"] as? Double ?? 0) > 0, "\(line)")
        let whole = try #require(object["run_seconds_per_simulated_hour"] as? Double)
        #expect(whole > 0 && object["once_per_run_seconds"] is Double, "\(line)")
        // The phases cover the cycle: only the loop's bookkeeping lies outside them.
        #expect(phases.values.reduce(0, +) > 0.5 * total, "phases \(phases) against a cycle of \(total) s per hour")
        // Two ranks exchange halos (tiles) or transpose (member groups), and gather records on rank 0.
        let traffic = try #require(object["message_bytes_per_simulated_hour"] as? [String: Double])
        #expect(Set(traffic.keys) == ["halo", "alltoallv", "gathers", "broadcastsAndReductions", "pointToPoint"])
        #expect(traffic["gathers"]! > 0 && traffic["halo"]! + traffic["alltoallv"]! > 0, "\(traffic)")
        #expect(!FileManager.default.fileExists(atPath: scratch))
    }

    /// `rcas bench inputs` on 2 ranks with the real-format samples (WRF,
    /// CarbonTracker fluxes and background): every input timed per tile and
    /// whole-grid; more hours than the period is refused, naming both.
    @Test func benchInputsTimesEveryInputPerTileAndWhole() throws {
        let config = try RealFormatSamples.config()
        let result = try TestEnvironment.mpirun(ranks: 2, ["bench", "inputs", config, "--hours", "6", "--json"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").last { $0.hasPrefix("{") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["ranks"] as? Int == 2 && object["hours"] as? Int == 6)
        for pass in ["per_tile", "whole_grid"] {
            let table = try #require(object[pass] as? [String: Double], "\(line)")
            #expect(Set(table.keys) == ["meteorology", "prior_flux", "background", "total"], "\(line)")
            #expect(table.values.allSatisfy { $0 > 0 }, "\(line)")
            #expect(abs(table["total"]! - table["meteorology"]! - table["prior_flux"]! - table["background"]!) <= 0.5 * table["total"]!)
        }
        let tooLong = try TestEnvironment.mpirun(ranks: 1, ["bench", "inputs", config, "--hours", "73"])
        #expect(tooLong.status != 0 && tooLong.stderr.contains("--hours 73") && tooLong.stderr.contains("72 hours"),
                "\(tooLong.stdout)\n\(tooLong.stderr)")
    }

    /// JobScripts/inputs-speedup.sh on the real-format samples: one row per
    /// rank count and repeat with every input both ways, and the medians.
    @Test func inputsSpeedupScriptWritesOnePairPerRepeat() throws {
        let directory = try TestEnvironment.temporaryDirectory("inputs-speedup")
        let csv = directory.appendingPathComponent("inputs.csv").path
        let result = try runScript("inputs-speedup.sh", [try RealFormatSamples.config(), csv], ["REPEATS": "1", "HOURS": "4"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let rows = try csvRows(csv)
        #expect(rows.count == 3 && rows.dropFirst().map { $0[1] } == ["1", "2"], "\(rows)")
        #expect(rows.first?.count == 10 && rows.dropFirst().allSatisfy { $0.count == 10 && $0.dropFirst(2).allSatisfy { (Double($0) ?? 0) > 0 } },
                "\(rows)")
        #expect(result.stdout.contains("2-rank speed-up of the inputs per tile"), "\(result.stdout)")
    }

    /// JobScripts/cycle-speedup.sh: one row per rank count, generator and
    /// repeat, and the medians.
    @Test func cycleSpeedupScriptWritesOnePairPerRepeat() throws {
        let directory = try TestEnvironment.temporaryDirectory("cycle-speedup")
        let csv = directory.appendingPathComponent("cycle.csv").path
        let result = try runScript("cycle-speedup.sh", [csv], [
            "REPEATS": "1", "HOURS": "12", "MEMBERS": "4", "GENERATORS": "jdas", "OBSERVATIONS": "oco2",
            "DOMAIN": root.appendingPathComponent("Domains/test-small").path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let rows = try csvRows(csv)
        #expect(rows.count == 3 && rows.dropFirst().map { $0[2] } == ["1", "2"], "\(rows)")
        #expect(rows.dropFirst().allSatisfy { (Double($0[3]) ?? 0) > 0 && (Double($0[5]) ?? 0) > 1 }, "\(rows)")
        #expect(rows.first?.suffix(2) == ["checkpoint_seconds", "first_checkpoint_seconds"]
                && rows.dropFirst().allSatisfy { $0.suffix(2).allSatisfy { (Double($0) ?? 0) > 0 } }, "\(rows)")
        #expect(result.stdout.contains("jdas: 2-rank speed-up median"), "\(result.stdout)")
    }

    @Test func speedupScriptWritesOnePairPerRepeat() throws {
        let directory = try TestEnvironment.temporaryDirectory("speedup")
        let csv = directory.appendingPathComponent("speedup.csv").path
        let result = try runScript("speedup.sh", [csv], ["REPEATS": "2", "HOURS": "1", "MEMBERS": "4"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let rows = try csvRows(csv)
        #expect(rows.first?.count == 6 && rows.count == 3, "\(rows)")
        #expect(rows.dropFirst().allSatisfy { row in row.dropFirst().allSatisfy { (Double($0) ?? 0) > 0 } }, "\(rows)")
        #expect(result.stdout.contains("2 tiles: median speed-up"), "\(result.stdout)")
    }

    @Test func scalingScriptMeasuresEveryLayout() throws {
        let directory = try TestEnvironment.temporaryDirectory("scaling")
        let prefix = directory.appendingPathComponent("scaling").path
        let result = try runScript("scaling.sh", [prefix], ["RANKS": "1 2", "HOURS": "1", "MEMBERS": "4", "WEAK_MEMBERS": "2"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        // 1 rank: one layout; 2 ranks: 1 x 2 and 2 x 1; strong and weak each.
        let rows = try csvRows(prefix + ".csv")
        #expect(rows.count == 7, "\(rows)")
        #expect(FileManager.default.fileExists(atPath: prefix + ".md"))
    }
}
