import Foundation
import NetCDFIO
import TestSupport
import Testing

@Suite("Transport in parallel (rcas under mpirun)", .serialized)
struct TransportParallelTests {
    /// Runs `rcas bench transport` on test-small under `ranks` ranks and
    /// `groups` member groups with the `advection` scheme and returns every
    /// member's final field.
    func finalFields(ranks: Int, groups: Int, advection: String = "van-leer", directory: URL) throws -> [Double] {
        let dump = directory.appendingPathComponent("dump-\(ranks)-\(groups)-\(advection).nc").path
        let domain = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path
        let result = try TestEnvironment.mpirun(ranks: ranks, [
            "bench", "transport", "--domain", domain, "--members", "4", "--hours", "3",
            "--start", "2016-07-01T06", "--layout-groups", String(groups), "--advection", advection, "--dump", dump, "--json",
        ])
        #expect(result.status == 0, "rcas failed: \(result.stderr)")
        #expect(result.stdout.contains("\"ranks\": \(ranks)"))
        return try NetCDFFile.open(dump).root.variable("co2").read(Double.self)
    }

    @Test("the same members give bit-identical fields on 1, 2 and 4 ranks with tiles and member groups")
    func bitIdenticalAcrossLayouts() throws {
        let directory = try TestEnvironment.temporaryDirectory("transport-mpi")
        defer { try? FileManager.default.removeItem(at: directory) }
        let reference = try finalFields(ranks: 1, groups: 1, directory: directory)
        #expect(reference.count == 4 * 6 * 16 * 20)
        #expect(Set(reference).count > 1000, "the fields must carry structure for the comparison to mean something")
        // (ranks, member groups): 2 tiles; 2 groups; 4 tiles; 2 groups x 2 tiles.
        for (ranks, groups) in [(2, 1), (2, 2), (4, 1), (4, 2)] {
            let fields = try finalFields(ranks: ranks, groups: groups, directory: directory)
            let differing = zip(fields, reference).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(fields.count == reference.count && differing == 0,
                    "\(ranks) ranks, \(groups) groups: \(differing) values differ")
        }
    }

    @Test("the linear scheme is bit-identical on 1 rank and on 2 groups x 2 tiles")
    func linearSchemeBitIdentical() throws {
        let directory = try TestEnvironment.temporaryDirectory("transport-mpi-fromm")
        defer { try? FileManager.default.removeItem(at: directory) }
        let reference = try finalFields(ranks: 1, groups: 1, advection: "fromm", directory: directory)
        let vanLeer = try finalFields(ranks: 1, groups: 1, directory: directory)
        #expect(zip(reference, vanLeer).contains { $0 != $1 }, "--advection must reach the model")
        let fields = try finalFields(ranks: 4, groups: 2, advection: "fromm", directory: directory)
        #expect(fields.count == reference.count && zip(fields, reference).allSatisfy { $0.bitPattern == $1.bitPattern })
    }
}
