import Foundation
import Testing
import TestSupport

/// Issue 16, classes 5 and 6: resources (memory, disk, permissions) are
/// checked before the computation, and their failures say what happened
/// (Docs/reliability.md).
@Suite struct FaultResourceTests {
    /// Class 5: 100,000 members (inside the allowed range) are refused by the
    /// memory estimate before anything is allocated (exit 69), and no output
    /// folder is left.
    @Test func aHundredThousandMembersAreRefusedByTheMemoryEstimate() throws {
        let output = try FaultFixture.output("fault-members")
        let result = try TestEnvironment.mpirun(ranks: 2, ["run", try FaultFixture.config(members: 100_000),
                                                            "--output", output.path])
        #expect(result.status == 69, "\(result.stderr)")
        #expect(result.stderr.contains("the run needs about") && result.stderr.contains("GiB on node")
                && result.stderr.contains("but the node's memory is"), "\(result.stderr)")
        #expect(result.stderr.contains("analysis (100000 members x"), "\(result.stderr)")
        #expect(FaultFixture.contents(output) == nil)
    }

    /// Class 5: --max-memory below the estimate is refused (exit 69) naming
    /// the option; a malformed size is a usage error (exit 64).
    @Test func maxMemoryBelowTheEstimateIsRefused() throws {
        let config = try FaultFixture.config()
        let output = try FaultFixture.output("fault-max-memory")
        let small = try TestEnvironment.mpirun(ranks: 1, ["run", config, "--output", output.path, "--max-memory", "20M"])
        #expect(small.status == 69 && small.stderr.contains("--max-memory is 20.0 MiB"), "\(small.stderr)")
        #expect(FaultFixture.contents(output) == nil)
        let malformed = try TestEnvironment.rcas(["run", config, "--output", output.path, "--max-memory", "lots"])
        #expect(malformed.status == 64 && malformed.stderr.contains("--max-memory 'lots'"), "\(malformed.stderr)")
    }

    /// `rcas inputs check` prints the estimate the run checks: on one rank a
    /// --max-memory one KiB below the reported peak is refused, one at it is
    /// accepted; on two ranks it gives one peak per rank.
    @Test func theInputsCheckReportsTheEstimateTheRunChecks() throws {
        let config = try FaultFixture.config()
        func estimate(ranks: Int) throws -> [Int] {
            let check = try TestEnvironment.rcas(["inputs", "check", config, "--json", "--ranks", "\(ranks)"])
            #expect(check.status == 0, "\(check.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any]
            #expect(object?["memory_estimate_ranks"] as? Int == ranks)
            return object?["memory_estimate_bytes"] as? [Int] ?? []
        }
        let one = try #require(try estimate(ranks: 1).first)
        let below = try TestEnvironment.rcas(["run", config, "--output", try FaultFixture.output("fault-below").path,
                                              "--max-memory", "\((one - 1) / 1024)K"])
        #expect(below.status == 69 && below.stderr.contains("the run needs about"), "\(below.stderr)")
        let at = try TestEnvironment.rcas(["run", config, "--output", try FaultFixture.output("fault-at").path,
                                           "--max-memory", "\((one + 1023) / 1024)K", "--until", "2016-07-01T01"])
        #expect(at.status == 0, "\(at.stderr)")
        let two = try estimate(ranks: 2)
        #expect(two.count == 2 && two[1] <= two[0] && two[0] < one, "\(two) against \(one) on one rank")
        let text = try TestEnvironment.rcas(["inputs", "check", config])
        #expect(text.stdout.contains("memory estimate (") && text.stdout.contains("this machine offers"), "\(text.stdout)")
    }

    static let canMount = FaultDisk.canMount

    /// Class 6: a full disk during the run is named ("no space left on
    /// device", exit 74); the failed checkpoint leaves no temporary file and
    /// nothing that looks complete.
    @Test(.enabled(if: canMount, "needs root to mount a small tmpfs"))
    func aFullDiskSaysNoSpaceLeft() throws {
        let disk = try FaultDisk(size: "600k")
        defer { disk.unmount() }
        let output = disk.folder.appendingPathComponent("run")
        let result = try TestEnvironment.mpirun(ranks: 2, ["run", try FaultFixture.config(), "--output", output.path])
        #expect(result.status == 74, "\(result.stderr)")
        #expect(result.stderr.contains("no space left on device"), "\(result.stderr)")
        let left = FaultFixture.contents(output) ?? []
        #expect(!left.contains { $0.contains("checkpoint") }, "\(left)")
        #expect(!left.contains { ["fluxes.nc", "observations.nc", "concentrations.nc"].contains($0) }, "\(left)")
    }

    /// Class 4: an output folder on a read-only file system is refused before
    /// any computation (exit 74, "read-only file system").
    @Test(.enabled(if: canMount, "needs root to mount a small tmpfs"))
    func aReadOnlyFolderIsRefusedBeforeComputing() throws {
        let disk = try FaultDisk(size: "64k", readOnly: true)
        defer { disk.unmount() }
        let result = try TestEnvironment.mpirun(ranks: 2, ["run", try FaultFixture.config(), "--output", disk.folder.path])
        #expect(result.status == 74, "\(result.stderr)")
        #expect(result.stderr.contains("is not writable") && result.stderr.contains("read-only file system"),
                "\(result.stderr)")
        #expect(!result.stdout.contains("rcas run:"), "nothing was read or computed")
    }

    /// Class 4: an existing folder the user may not write to is refused
    /// before any computation (exit 74, "permission denied"). Root writes
    /// anywhere, so rcas runs as the user nobody here.
    @Test(.enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root to run rcas as another user"))
    func anUnwritableFolderIsRefusedBeforeComputing() throws {
        let output = try FaultFixture.output("fault-denied")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o555])
        let result = try TestEnvironment.run("/usr/bin/setpriv", [
            "--reuid=65534", "--regid=65534", "--clear-groups", TestEnvironment.rcasBinary.path,
            "run", try FaultFixture.config(), "--output", output.path], environment: ["HOME": "/tmp"])
        #expect(result.status == 74, "\(result.stderr)")
        #expect(result.stderr.contains("is not writable") && result.stderr.contains("permission denied"), "\(result.stderr)")
        #expect(FaultFixture.contents(output) == [])
    }
}

/// A small tmpfs mounted on a fresh folder (root only), for full and
/// read-only disks.
struct FaultDisk {
    let folder: URL

    static let canMount: Bool = {
        guard geteuid() == 0, let disk = try? FaultDisk(size: "64k") else { return false }
        disk.unmount()
        return true
    }()

    init(size: String, readOnly: Bool = false) throws {
        folder = try TestEnvironment.temporaryDirectory("fault-disk")
        let options = "size=\(size)" + (readOnly ? ",ro" : "")
        let mounted = try TestEnvironment.run("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", folder.path])
        guard mounted.status == 0 else { throw ExperimentTestFailure("mount failed: \(mounted.stderr)") }
    }

    func unmount() { _ = try? TestEnvironment.run("/bin/umount", [folder.path]) }
}
