import Geometry
import Parallel

/// Fills the margin cells of a tile that lie inside the domain with the
/// values their owners hold, for all layers and members, by a neighbour
/// exchange over the member group's communicator (rank = tile index).
/// Diagonal neighbours are included, so a sweep over halo rows sees valid
/// corners. The message buffers are allocated once, for the member count of
/// the first exchange, and reused every step. An exchange is started and
/// finished in two calls so that work can go on while the margins travel.
final class HaloExchange {
    /// Per peer tile: local (li, lj) of my margin cells it owns, ordered by (j, i).
    let receive: [[(Int, Int)]]
    /// Per peer tile: local (li, lj) of my owned cells in its margin, ordered by (j, i).
    let send: [[(Int, Int)]]
    let tileCount: Int
    /// Values per cell (layers x members) the buffers were made for.
    private var valuesPerCell = 0
    private var outgoing: [UnsafeMutableBufferPointer<Double>] = []
    private var incoming: [UnsafeMutableBufferPointer<Double>] = []
    /// The exchange in flight and the local layout of the values it serves.
    private var pending: (any PendingExchange)?
    private var layout = (localNx: 0, localNy: 0, nz: 0, memberCount: 0)

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

    deinit {
        abandon()
        releaseBuffers()
    }

    private func releaseBuffers() {
        for buffer in outgoing + incoming { buffer.deallocate() }
        outgoing = []
        incoming = []
    }

    /// Packs the owned values neighbours need from `values` (TracerEnsemble
    /// layout) and starts sending them; ``finish(_:)`` completes the exchange.
    /// Every rank of the group must start and finish together.
    func start(_ values: UnsafeBufferPointer<Double>, localNx: Int, localNy: Int, nz: Int, memberCount M: Int,
               communicator: any Communicator) {
        guard tileCount > 1 else { return }
        precondition(communicator.size == tileCount, "halo exchange needs the group communicator (\(tileCount) tiles)")
        precondition(pending == nil, "halo exchange started twice")
        if valuesPerCell != nz * M {
            releaseBuffers()
            valuesPerCell = nz * M
            outgoing = send.map { .allocate(capacity: $0.count * nz * M) }
            incoming = receive.map { .allocate(capacity: $0.count * nz * M) }
        }
        for peer in 0..<tileCount where !send[peer].isEmpty {
            var p = outgoing[peer].baseAddress!
            for (li, lj) in send[peer] {
                for k in 0..<nz {
                    p.update(from: values.baseAddress! + ((k * localNy + lj) * localNx + li) * M, count: M)
                    p += M
                }
            }
        }
        layout = (localNx, localNy, nz, M)
        pending = communicator.startExchange(
            sending: (0..<tileCount).filter { !send[$0].isEmpty }.map { ($0, UnsafeBufferPointer(outgoing[$0])) },
            receiving: (0..<tileCount).filter { !receive[$0].isEmpty }.map { ($0, incoming[$0]) })
    }

    /// Lets a started exchange advance (call it now and then while computing).
    func progress() { pending?.progress() }

    /// Waits for the started exchange and writes the received margins into
    /// `values` (the layout given to `start`).
    func finish(_ values: inout [Double]) {
        guard let exchange = pending else { return }
        exchange.wait()
        pending = nil
        let (localNx, localNy, nz, M) = layout
        values.withUnsafeMutableBufferPointer { v in
            for peer in 0..<tileCount where !receive[peer].isEmpty {
                var p = UnsafePointer(incoming[peer].baseAddress!)
                for (li, lj) in receive[peer] {
                    for k in 0..<nz {
                        (v.baseAddress! + ((k * localNy + lj) * localNx + li) * M).update(from: p, count: M)
                        p += M
                    }
                }
            }
        }
    }

    /// Waits for a started exchange without using what it received (after an
    /// error that every rank of the group meets alike).
    func abandon() {
        pending?.wait()
        pending = nil
    }
}
