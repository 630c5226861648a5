import Foundation
import ModelTime
import Testing
import TestSupport
@testable import Experiment

/// The pieces behind the run-level reliability checks: the configuration
/// fingerprint, the comparison a resume makes, the output-folder lock and
/// clean-up, and the memory estimate (Docs/reliability.md).
@Suite struct ReliabilityTests {
    /// FIPS 180-4 example vectors (one block, two blocks, empty).
    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256Digest(text: "abc").description
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Digest(text: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").description
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256Digest(text: "").description
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let words = SHA256Digest(text: "abc").integers
        #expect(words.count == 4 && UInt(bitPattern: words[0]) == 0xba78_16bf_8f01_cfea)
    }

    @Test func differencesNameEveryChangedKey() {
        let before = "name: a\nperiod: {start: 2016-07-01T00, end: 2016-07-02T00}\nensemble: {seed: 3}\nfiles: [x, y]\n"
        let after = "name: a\nperiod: {start: 2016-07-01T00, end: 2016-07-03T00}\nensemble: {seed: 3, extra: 1}\nfiles: [x]\n"
        let keys = ConfigurationFingerprint.differences(from: before, to: after)
        #expect(keys.map(\.key) == ["ensemble.extra", "files", "period.end"])
        #expect(keys.map(\.description) == ["ensemble.extra: (absent) -> 1", "files: [x, y] -> [x]",
                                            "period.end: 2016-07-02T00 -> 2016-07-03T00"])
        #expect(ConfigurationFingerprint.differences(from: before, to: before).isEmpty)
        #expect(ConfigurationFingerprint.differences(from: "name: [", to: before).map(\.key) == ["(whole configuration)"])
    }

    /// The history attribute: one YAML document per changed resume; a resume
    /// at or before a recorded hour drops that record (an abandoned attempt).
    @Test func theConfigurationHistoryKeepsOneRecordPerResume() throws {
        func change(_ hour: String, from a: String, to b: String) -> ConfigurationChange {
            ConfigurationChange(resumedAt: ModelHour(iso: hour)!, before: a, after: b,
                                differences: ConfigurationFingerprint.differences(from: a, to: b))
        }
        let first = change("2016-07-02T00", from: "seed: 1\n", to: "seed: 2\n")
        let once = try #require(first.updatedHistory(nil))
        #expect(once.hasPrefix("--- # resumed at 2016-07-02T00:00:00Z\nresumed_at: 2016-07-02T00:00:00Z\n"))
        #expect(once.contains("  - \"seed: 1 -> 2\"") && once.contains("configuration:\n  seed: 2"))
        let second = try #require(change("2016-07-03T00", from: "seed: 2\n", to: "seed: 3\n").updatedHistory(once))
        #expect(second.components(separatedBy: "--- # resumed at").count == 3)
        // Resuming again from the 2nd-day checkpoint with its own configuration drops the later record.
        let undone = try #require(change("2016-07-03T00", from: "seed: 2\n", to: "seed: 2\n").updatedHistory(second))
        #expect(undone == once)
        #expect(change("2016-07-03T00", from: "seed: 2\n", to: "seed: 2\n").updatedHistory(once) == nil)
    }

    /// A name with an escape sequence or a line break (it goes to terminals
    /// and file attributes) is refused naming the key and the character.
    @Test(arguments: ["\u{1B}[2J", "a\nb", "tab\there", "c1\u{9B}"])
    func controlCharactersInTheNameAreRefused(name: String) throws {
        let domain = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path
        let path = try TestEnvironment.temporaryDirectory("control-name").appendingPathComponent("run.yaml").path
        try """
            name: "\(name.unicodeScalars.map { "\\u" + String(format: "%04X", $0.value) }.joined())"
            domain: \(domain)
            period: {start: 2016-07-01T00, end: 2016-07-01T05}
            assimilation: {members: 4}
            observations:
              satellite: {source: synthetic, instrument: oco2}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try ExperimentConfig.load(path) } throws: { error in
            "\(error)".contains("'name'") && "\(error)".contains("control character U+")
        }
    }

    @Test func aNewRunTakesAnEmptyFolderAndGivesItBack() throws {
        let folder = try TestEnvironment.temporaryDirectory("run-folder").appendingPathComponent("a/b")
        let taken = try RunFolder(folder, use: .fresh, command: "test")
        #expect(taken.created)
        let record = try String(contentsOfFile: taken.lockPath, encoding: .utf8)
        #expect(record.hasPrefix("pid \(getpid()) on host \(RunFolder.hostName), test, started "))
        #expect(RunFolder.holderIsAlive(record) == true)
        #expect(RunFolder.holderIsAlive("pid 1 on host another-host-\(UUID()), x") == nil)
        taken.release(removingCreatedFolder: true)
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    @Test func staleTemporariesAreRemovedButStreamedFilesKept() throws {
        let folder = try TestEnvironment.temporaryDirectory("run-folder-stale")
        for name in ["checkpoint.nc", ".checkpoint.nc.partial-123", ".fluxes.nc.partial-77", ".rcas-write-probe-5",
                     "fluxes.nc.partial", ".notes", ".x.partial-12a"] {
            _ = FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data())
        }
        let taken = try RunFolder(folder, use: .resume, command: "test")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
                == [".notes", ".rcas.lock", ".x.partial-12a", "checkpoint.nc", "fluxes.nc.partial"])
        #expect(taken.notes.contains { $0.contains("removed 3 temporary file(s)") })
        taken.release()
        #expect(throws: RunFolderError.self) { try RunFolder(folder, use: .fresh, command: "test") }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("checkpoint.nc").path))
    }

    @Test func aResumeNeedsACheckpoint() throws {
        let folder = try TestEnvironment.temporaryDirectory("run-folder-resume")
        #expect { try RunFolder(folder, use: .resume, command: "test") } throws: { error in
            (error as? RunFolderError)?.description.contains("holds no checkpoint.nc") == true
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "the lock is given back")
    }

    @Test func sizesParseInBinaryUnits() {
        #expect(MemoryLimit.parse("8G") == 8 << 30)
        #expect(MemoryLimit.parse("512MiB") == 512 << 20)
        #expect(MemoryLimit.parse("1.5T") == 3 << 39)
        #expect(MemoryLimit.parse("64") == nil && MemoryLimit.parse("-1G") == nil && MemoryLimit.parse("1e400G") == nil)
        #expect(MemoryEstimate.format(3 << 29) == "1.5 GiB")
    }

    /// The estimate's parts are the engine's arrays: on test-small (320
    /// columns, 6 layers, a 24 h window of 2 components: 54 variables) the
    /// ensemble block of one rank holding every member is exactly
    /// 320 x 54 x N doubles, and rank 0 alone gathers the checkpoint.
    /// (Docs/reliability.md compares whole estimates with measured peaks.)
    @Test func theMemoryEstimateCountsTheEnsembleArrays() throws {
        let domain = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path
        let path = try TestEnvironment.temporaryDirectory("estimate").appendingPathComponent("run.yaml").path
        try """
            name: estimate
            domain: \(domain)
            period: {start: 2016-07-01T00, end: 2016-07-01T05}
            assimilation: {members: 100}
            observations:
              satellite: {source: synthetic, instrument: oco2}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try ExperimentConfig.load(path)
        let one = try MemoryEstimate(config: config, worldSize: 1)
        let block = try #require(one.ranks[0].first { $0.name.hasPrefix("ensemble block") })
        #expect(block.bytes == 320 * 54 * 100 * 8)
        let gather = try #require(one.ranks[0].first { $0.name.hasPrefix("checkpoint (") })
        // A copy of the ensemble fields, and three copies of the window's
        // statistics (24 slots x (4 x 2 + 2 prescribed) fields) and of the
        // relaxation memory's past means (49 hours x 2 x 2 components).
        #expect(gather.bytes == (320 * 54 * 100 + 3 * (24 * 10 * 320 + 49 * 4 * 320)) * 8)
        let two = try MemoryEstimate(config: config, worldSize: 2)
        #expect(two.ranks[1].allSatisfy { !$0.name.hasPrefix("checkpoint (") })
        #expect(two.ranks[1].contains { $0.name == "checkpoint copy" })
        // Each of two ranks holds half the block; rank 0 also gathers the checkpoint.
        let blocks = two.ranks.map { parts in parts.first { $0.name.hasPrefix("ensemble block") }?.bytes ?? 0 }
        #expect(blocks == [block.bytes / 2, block.bytes / 2], "\(blocks)")
        #expect(two.peakPerRank[1] <= two.peakPerRank[0])
        let resumed = try MemoryEstimate(config: config, worldSize: 2, resuming: true)
        #expect(resumed.ranks[1].contains { $0.name == "checkpoint read (resume)" && $0.bytes == (100 * 320 * 54 + 24 * 10 * 320) * 8 })
    }
}
