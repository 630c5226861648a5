import Assimilation
import Foundation
import Parallel
import Testing
import TestSupport

@Test func transposeRoundTripsAndBalancesColumns() {
    let world = SerialCommunicator()
    let columns = [2, 3, 5, 8]
    var block = ColumnEnsemble(columns: columns, variableCount: 3, members: 0..<4)
    for i in block.values.indices { block.values[i] = Double(i) }
    let transpose = ColumnTranspose(communicator: world, localColumns: columns, localMembers: 0..<4,
                                    ownedColumns: [columns], variableCount: 3, memberCount: 4)
    let owned = transpose.toOwners(block)
    #expect(owned == block)
    #expect(transpose.toMembers(owned) == block)
    // Longest-processing-time greedy over two ranks: 11 (5) -> 0, 13 (4) -> 1, 10 (3) -> 1,
    // 14 (3) -> 0, 12 (1) -> 1: loads 8 and 8.
    let split = ColumnOwnership.balanced(columns: [10, 11, 12, 13, 14], costs: [3, 5, 1, 4, 3], rankCount: 2)
    #expect(split == [[11, 14], [10, 12, 13]])
}

@Test func parallelAnalysisMatchesSerialFilter() {
    // One rank, via ParallelAnalysis (gather, ownership, transposes), equals SerialEnSRF directly.
    let problem = LinearProblem(seed: 77)
    let geometry = RingLocalizationGeometry(size: 3, observationSites: [0, 1, 2, 0, 1, 2])
    let filter = SerialEnSRF(configuration: AnalysisConfiguration(horizontal: .gaspariCohn(cutoff: 2.5)),
                             memberCount: problem.members)
    var direct = problem.block
    filter.assimilate(&direct, observations: problem.batch, priors: problem.priors, geometry: geometry)
    var parallel = problem.block
    ParallelAnalysis(filter: filter).run(
        state: &parallel, allColumns: [0, 1, 2], observations: problem.batch,
        priors: ObservationPriorPiece(observations: Array(0..<6), members: 0..<problem.members, values: problem.priors),
        geometry: geometry, communicator: SerialCommunicator())
    #expect(parallel.values == direct.values)
}

/// `rcas selftest analysis` under mpirun with 1 to 4 ranks and different
/// member-group/tile layouts gives byte-identical analysed ensembles: with
/// Gaspari-Cohn and inflation (perturbation path), Gaspari-Cohn without
/// inflation (in-place path) and the significance rule (one-by-one path).
@Test(arguments: [("gaspari-cohn", "1.05", "0.5"), ("gaspari-cohn", "1", "0"), ("significance", "1.05", "0.5")])
func analysisIsBitIdenticalForAnyRankCount(localization: String, inflation: String, rtps: String) throws {
    let directory = try TestEnvironment.temporaryDirectory("rcas-analysis")
    defer { try? FileManager.default.removeItem(at: directory) }
    let domain = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path
    // (ranks, member groups): tiles only, member groups only, and both.
    let layouts = localization == "gaspari-cohn" ? [(1, 1), (2, 1), (2, 2), (3, 3), (3, 1), (4, 2), (4, 4)]
                                                 : [(1, 1), (3, 1), (4, 2)]
    var reference: Data?
    for (ranks, groups) in layouts {
        let file = directory.appendingPathComponent("state-\(ranks)-\(groups).bin").path
        let result = try TestEnvironment.mpirun(ranks: ranks, [
            "selftest", "analysis", "--domain", domain, "--dump", file, "--member-groups", String(groups),
            "--localization", localization, "--inflation", inflation, "--rtps", rtps])
        #expect(result.status == 0, "\(ranks) ranks: \(result.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        if let reference { #expect(data == reference, "\(ranks) ranks, \(groups) member groups differ") } else { reference = data }
    }
    // The dump holds a real analysis: finite values throughout.
    let values = reference!.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    #expect(values.allSatisfy { $0.isFinite })
}
