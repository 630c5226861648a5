import Foundation
import NetCDFIO
import Testing
import TestSupport

/// What cannot be a NetCDF file is refused before the library sees it.
@Suite struct OpenChecksTests {
    @Test func aFIFOADeviceAndAFolderAreRefusedAtOnce() throws {
        let folder = try TestEnvironment.temporaryDirectory("netcdf-open")
        let fifo = folder.appendingPathComponent("pipe.nc").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // Opening the FIFO with the library would block forever; the check
        // must answer without opening it.
        let pipe = #expect(throws: NetCDFError.self) { try NetCDFFile.open(fifo) }
        #expect(pipe?.message.contains("FIFO") == true && pipe?.path == fifo)
        let device = #expect(throws: NetCDFError.self) { try NetCDFFile.open("/dev/null") }
        #expect(device?.message.contains("device") == true)
        let directory = #expect(throws: NetCDFError.self) { try NetCDFFile.open(folder.path) }
        #expect(directory?.message.contains("folder") == true)
        let missing = #expect(throws: NetCDFError.self) { try NetCDFFile.open(folder.appendingPathComponent("none.nc4").path) }
        #expect(missing?.description.contains("none.nc4") == true && missing?.message == "no such file")
        let notNetCDF = folder.appendingPathComponent("text.nc").path
        try "not a NetCDF file".write(toFile: notNetCDF, atomically: true, encoding: .utf8)
        let garbage = #expect(throws: NetCDFError.self) { try NetCDFFile.open(notNetCDF) }
        #expect(garbage?.path == notNetCDF && garbage?.status != nil)
    }

    @Test func anUnwritableFolderIsNamedAsSuch() throws {
        // Root ignores permission bits; the check only means something for
        // other users, so it runs where it can.
        guard geteuid() != 0 else { return }
        let folder = try TestEnvironment.temporaryDirectory("netcdf-perm")
        chmod(folder.path, 0o500)
        defer { chmod(folder.path, 0o700) }
        let refused = #expect(throws: NetCDFError.self) { try NetCDFFile.create(folder.appendingPathComponent("x.nc").path) }
        #expect(refused?.message.contains("permission denied") == true)
    }
}
