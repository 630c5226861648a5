import Foundation
import NetCDFIO
import Testing
import TestSupport

/// A full disk is named as such (NetCDF-C alone says "HDF error"), and the
/// half-written file is removed. Needs a tiny file system: a 64 KiB tmpfs,
/// which root can mount; elsewhere the test is reported as not run.
@Suite struct DiskFullTests {
    static let canMount: Bool = {
        guard geteuid() == 0, let folder = try? TestEnvironment.temporaryDirectory("netcdf-mount-probe") else { return false }
        defer { _ = try? TestEnvironment.run("/bin/umount", [folder.path]) }
        return (try? TestEnvironment.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", folder.path]))?.status == 0
    }()

    @Test(.enabled(if: canMount, "needs root to mount a 64 KiB tmpfs"))
    func aFullDiskSaysNoSpaceLeftAndLeavesNothing() throws {
        let folder = try TestEnvironment.temporaryDirectory("netcdf-full")
        #expect(try TestEnvironment.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", folder.path]).status == 0)
        defer { _ = try? TestEnvironment.run("/bin/umount", [folder.path]) }
        let path = folder.appendingPathComponent("big.nc").path
        do {
            let file = try NetCDFFile.create(path)
            try file.root.addDimension("n", length: 200_000)
            try file.root.addVariable("v", type: .double, dimensions: ["n"]).write([Double](repeating: 1, count: 200_000))
            try file.commit()
            Issue.record("1.6 MB fitted on a 64 KiB disk")
        } catch {
            #expect(error.message.contains("no space left on device"), "\(error)")
            #expect(error.path == path)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "no partial file left")
    }
}
