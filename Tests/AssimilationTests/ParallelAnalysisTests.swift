import Assimilation
import Foundation
import Parallel
import RandomStreams
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
    var back = ColumnEnsemble(columns: columns, variableCount: 3, members: 0..<4)
    transpose.toMembers(owned, into: &back)
    #expect(back == block)
    // Longest-processing-time greedy over two ranks: 11 (5) -> 0, 13 (4) -> 1, 10 (3) -> 1,
    // 14 (3) -> 0, 12 (1) -> 1: loads 8 and 8.
    let split = ColumnOwnership.balanced(columns: [10, 11, 12, 13, 14], costs: [3, 5, 1, 4, 3], rankCount: 2)
    #expect(split == [[11, 14], [10, 12, 13]])
}

@Test func transposeOfSomeColumnsLeavesTheOthersInPlace() {
    let world = SerialCommunicator()
    var block = ColumnEnsemble(columns: [2, 3, 5, 8], variableCount: 2, members: 0..<3)
    for i in block.values.indices { block.values[i] = Double(i) }
    let transpose = ColumnTranspose(communicator: world, localColumns: [3, 8], localMembers: 0..<3,
                                    ownedColumns: [[3, 8]], variableCount: 2, memberCount: 3)
    var owned = transpose.toOwners(block)
    #expect(owned.columns == [3, 8])
    #expect(owned.values == Array(block.values[6..<12]) + Array(block.values[18..<24]))
    for i in owned.values.indices { owned.values[i] = -owned.values[i] }
    var updated = block
    transpose.toMembers(owned, into: &updated)
    var expected = block
    for i in Array(6..<12) + Array(18..<24) { expected.values[i] = -block.values[i] }
    #expect(updated == expected)
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

/// Two and three thread ranks, tiles only (columns updated in place) and
/// member groups (reached columns transposed), on a ring where only some
/// columns are within reach of an observation: the analysed state equals the
/// serial filter's bit for bit, and the unreached columns are untouched.
@Test(arguments: [(2, 1), (2, 2), (3, 1)])
func parallelAnalysisMovesOnlyReachedColumns(ranks: Int, memberGroups: Int) throws {
    let columnCount = 12, variables = 3, members = 6
    let sites = [1, 2, 2, 5]
    let geometry = RingLocalizationGeometry(size: columnCount, observationSites: sites)
    let filter = SerialEnSRF(configuration: AnalysisConfiguration(horizontal: .gaspariCohn(cutoff: 2.5),
                                                                  multiplicativeInflation: 1.1, inflatedVariables: 0..<1),
                             memberCount: members)
    let random = KeyedRandom(seed: 5, stream: "tests")
    var start = ColumnEnsemble(columns: Array(0..<columnCount), variableCount: variables, members: 0..<members)
    for i in start.values.indices { start.values[i] = Double(i % 7) + random.normal(1, i) }
    let whole = start
    // H picks variable 0 of the observation's column.
    let priors = sites.flatMap { site in (0..<members).map { whole[column: site, variable: 0, member: $0] } }
    let batch = ObservationBatch(values: sites.map { Double($0) + 0.3 }, errorVariances: [0.5, 0.4, 0.6, 0.5])
    var serial = whole
    filter.assimilate(&serial, observations: batch, priors: priors, geometry: geometry)

    let tiles = ranks / memberGroups
    let results = try ThreadCommunicator.run(ranks: ranks) { world in
        let tile = world.rank / memberGroups, group = world.rank % memberGroups
        let columns = Array(stride(from: tile, to: columnCount, by: tiles))
        let memberBlock = (group * members / memberGroups)..<((group + 1) * members / memberGroups)
        var block = ColumnEnsemble(columns: columns, variableCount: variables, members: memberBlock)
        for (c, column) in columns.enumerated() {
            for v in 0..<variables { for m in memberBlock { block[column: c, variable: v, member: m] = whole[column: column, variable: v, member: m] } }
        }
        // The first tile's ranks simulate the observations of their member blocks.
        let simulated = tile == 0 ? Array(sites.indices) : []
        let piece = ObservationPriorPiece(observations: simulated, members: memberBlock,
                                          values: simulated.flatMap { j in memberBlock.map { priors[j * members + $0] } })
        ParallelAnalysis(filter: filter).run(state: &block, allColumns: Array(0..<columnCount), observations: batch,
                                             priors: piece, geometry: geometry, communicator: world)
        return block
    }
    for block in results {
        for (c, column) in block.columns.enumerated() {
            for v in 0..<variables {
                for m in block.members {
                    #expect(block[column: c, variable: v, member: m] == serial[column: column, variable: v, member: m])
                }
            }
        }
    }
    // Columns 9 and 10 are more than 2.5 from every site: left as they were.
    for column in [9, 10] {
        for v in 0..<variables { for m in 0..<members { #expect(serial[column: column, variable: v, member: m] == whole[column: column, variable: v, member: m]) } }
    }
}
