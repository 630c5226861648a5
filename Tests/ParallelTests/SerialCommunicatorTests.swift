import Parallel
import Testing

@Suite struct SerialCommunicatorTests {
    let comm = SerialCommunicator()

    @Test func collectivesAreIdentities() {
        #expect(comm.rank == 0 && comm.size == 1)
        var values = [1.0, 2.5]
        comm.broadcast(&values, root: 0)
        comm.allreduce(&values, .sum)
        #expect(values == [1.0, 2.5])
        #expect(comm.gather([3, 4], root: 0) == [[3, 4]])
        #expect(comm.allgather([Float(1)]) == [[1]])
        #expect(comm.alltoallv([[Int32(9), 8]]) == [[9, 8]])
        #expect(comm.allreduce(7, .max) == 7)
        #expect(comm.broadcast("text", root: 0) == "text")
    }

    @Test func exchangeWithItselfCopiesIntoTheCallersBuffers() {
        let outgoing: [Double] = [1, 2, 3]
        var incoming = [Double](repeating: 0, count: 3)
        outgoing.withUnsafeBufferPointer { send in
            incoming.withUnsafeMutableBufferPointer { receive in
                comm.startExchange(sending: [(0, send)], receiving: [(0, receive)]).wait()
            }
        }
        #expect(incoming == outgoing)
    }

    @Test func sendToSelfIsReceivedInOrderPerTag() {
        comm.send([1.0], to: 0, tag: 1)
        comm.send([2.0, 3.0], to: 0, tag: 1)
        comm.send([9], to: 0, tag: 2)
        #expect(comm.receive(Int.self, from: 0, tag: 2) == [9])
        #expect(comm.receive(Double.self, from: 0, tag: 1) == [1.0])
        #expect(comm.receive(Double.self, from: 0, tag: 1) == [2.0, 3.0])
    }

    @Test func splitGivesAnotherSerialCommunicator() {
        let sub = comm.split(color: 3, key: 0)
        #expect(sub.size == 1 && sub.rank == 0)
    }
}

@Suite struct ParallelLayoutTests {
    @Test func ranksMapToGroupsAndTiles() throws {
        let layout = try ParallelLayout(worldSize: 6, memberGroups: 2)
        #expect(layout.tilesPerGroup == 3)
        #expect((0..<6).map(layout.group(ofRank:)) == [0, 0, 0, 1, 1, 1])
        #expect((0..<6).map(layout.tile(ofRank:)) == [0, 1, 2, 0, 1, 2])
    }

    @Test func membersArePartitionedContiguouslyAndCompletely() throws {
        let layout = try ParallelLayout(worldSize: 4, memberGroups: 4)
        let blocks = (0..<4).map { layout.members(ofGroup: $0, memberCount: 50) }
        #expect(blocks == [0..<13, 13..<26, 26..<38, 38..<50])
        for member in 0..<50 {
            #expect(blocks[layout.group(ofMember: member, memberCount: 50)].contains(member))
        }
    }

    @Test func invalidLayoutsAreRejected() {
        #expect(throws: LayoutError.self) { try ParallelLayout(worldSize: 4, memberGroups: 3) }
        #expect(throws: LayoutError.self) { try ParallelLayout(worldSize: 0, memberGroups: 1) }
    }

    @Test func automaticLayoutPrefersTilesWhileTheyStayLarge() throws {
        // china-64km: 9030 columns.
        #expect(try ParallelLayout.automatic(worldSize: 4, memberCount: 50, columnCount: 9030).memberGroups == 1)
        #expect(try ParallelLayout.automatic(worldSize: 64, memberCount: 50, columnCount: 9030).memberGroups == 4)
        // Too small a grid for tiles: as many groups as members allow.
        #expect(try ParallelLayout.automatic(worldSize: 4, memberCount: 50, columnCount: 300).memberGroups == 4)
        #expect(try ParallelLayout.automatic(worldSize: 4, memberCount: 3, columnCount: 300).memberGroups == 2)
        #expect(try ParallelLayout.automatic(worldSize: 6, memberCount: 1, columnCount: 300).memberGroups == 1)
    }
}

@Suite struct LauncherCheckTests {
    @Test func outsideSlurmThereIsNothingToCheck() {
        #expect(LauncherCheck.mismatch(worldSize: 3, environment: [:]) == nil)
    }

    @Test func aWorldSmallerThanTheAllocationIsReported() {
        let env = ["SLURM_JOB_ID": "7", "SLURM_NTASKS": "4"]
        #expect(LauncherCheck.mismatch(worldSize: 4, environment: env) == nil)
        let message = LauncherCheck.mismatch(worldSize: 1, environment: env)
        #expect(message?.contains("SLURM allocated 4 tasks (SLURM_NTASKS) but the MPI world has 1 rank(s)") == true)
        #expect(LauncherCheck.mismatch(worldSize: 1, environment: env.merging(
            [LauncherCheck.overrideVariable: "1"]) { $1 }) == nil)
    }

    @Test func srunStepsAreCheckedAgainstTheStepSize() {
        // srun without PMI: each copy is a singleton (no OMPI_COMM_WORLD_SIZE).
        let env = ["SLURM_JOB_ID": "7", "SLURM_NTASKS": "4", "SLURM_STEP_NUM_TASKS": "2"]
        #expect(LauncherCheck.mismatch(worldSize: 1, environment: env)?.contains("SLURM_STEP_NUM_TASKS") == true)
        #expect(LauncherCheck.mismatch(worldSize: 2, environment: env) == nil)
    }
}
