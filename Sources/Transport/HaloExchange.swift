import Geometry
import Parallel

/// Fills the margin cells of a tile that lie inside the domain with the
/// values their owners hold, for all layers and members, with one alltoallv
/// over the member group's communicator (rank = tile index). Diagonal
/// neighbours are included, so a sweep over halo rows sees valid corners.
struct HaloExchange {
    /// Per peer tile: local (li, lj) of my margin cells it owns, ordered by (j, i).
    let receive: [[(Int, Int)]]
    /// Per peer tile: local (li, lj) of my owned cells in its margin, ordered by (j, i).
    let send: [[(Int, Int)]]
    let tileCount: Int

    init(decomposition: TileDecomposition, tileIndex: Int, margin: Int) {
        tileCount = decomposition.tiles.count
        let me = decomposition.tiles[tileIndex]
        func region(_ t: Tile) -> (Range<Int>, Range<Int>) {
            (max(0, t.iRange.lowerBound - margin)..<min(decomposition.nx, t.iRange.upperBound + margin),
             max(0, t.jRange.lowerBound - margin)..<min(decomposition.ny, t.jRange.upperBound + margin))
        }
        let (myI, myJ) = region(me)
        let iOffset = me.iRange.lowerBound - margin, jOffset = me.jRange.lowerBound - margin
        var receive = [[(Int, Int)]](repeating: [], count: tileCount)
        for j in myJ {
            for i in myI where !(me.iRange.contains(i) && me.jRange.contains(j)) {
                receive[decomposition.owner(i, j)].append((i - iOffset, j - jOffset))
            }
        }
        var send = [[(Int, Int)]](repeating: [], count: tileCount)
        for peer in decomposition.tiles where peer.index != tileIndex {
            let (pi, pj) = region(peer)
            for j in me.jRange where pj.contains(j) {
                for i in me.iRange where pi.contains(i) && !(peer.iRange.contains(i) && peer.jRange.contains(j)) {
                    send[peer.index].append((i - iOffset, j - jOffset))
                }
            }
        }
        self.receive = receive
        self.send = send
    }

    /// Exchanges the margins of `values` (TracerEnsemble layout).
    func exchange(_ values: inout [Double], localNx: Int, localNy: Int, nz: Int, memberCount M: Int,
                  communicator: any Communicator) {
        guard tileCount > 1 else { return }
        precondition(communicator.size == tileCount, "halo exchange needs the group communicator (\(tileCount) tiles)")
        var outgoing = [[Double]](repeating: [], count: tileCount)
        values.withUnsafeBufferPointer { v in
            for peer in 0..<tileCount where !send[peer].isEmpty {
                var buffer: [Double] = []
                buffer.reserveCapacity(send[peer].count * nz * M)
                for (li, lj) in send[peer] {
                    for k in 0..<nz {
                        let o = ((k * localNy + lj) * localNx + li) * M
                        buffer.append(contentsOf: v[o..<(o + M)])
                    }
                }
                outgoing[peer] = buffer
            }
        }
        let incoming = communicator.alltoallv(outgoing)
        values.withUnsafeMutableBufferPointer { v in
            for peer in 0..<tileCount where !receive[peer].isEmpty {
                let buffer = incoming[peer]
                precondition(buffer.count == receive[peer].count * nz * M, "halo from tile \(peer) has the wrong size")
                var p = 0
                for (li, lj) in receive[peer] {
                    for k in 0..<nz {
                        let o = ((k * localNy + lj) * localNx + li) * M
                        for m in 0..<M { v[o + m] = buffer[p + m] }
                        p += M
                    }
                }
            }
        }
    }
}
