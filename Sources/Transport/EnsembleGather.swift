import ModelTime
import Geometry
import Meteorology
import Parallel

/// Collections of tile data in a fixed global order, so that totals and
/// outputs are bit-identical whatever the number of tiles or groups: values
/// are gathered to one rank, put in global cell order and summed there in
/// that order (an MPI sum reduction would depend on the rank count).
extension TransportModel {
    /// The CO2 (mol) of each owned column and member with the air of `met`:
    /// Σ_k χ 1e-6 n_d area Δz (n_d dry air, ``MetFields/dryAirMolarDensity(_:)``); layout of ``HourTransport/lateralInflow``.
    public func columnMass(_ ensemble: TracerEnsemble, met: MetFields) -> [Double] {
        let M = ensemble.memberCount, nx = grid.nx, ny = grid.ny
        var out = [Double](repeating: 0, count: tile.cellCount * M)
        for j in tile.jRange {
            for i in tile.iRange {
                let col = (j - tile.jRange.lowerBound) * tile.iRange.count + (i - tile.iRange.lowerBound)
                for k in 0..<layers.count {
                    let air = met.dryAirMolarDensity((k * ny + j) * nx + i) * metrics.cellArea[j * nx + i] * layers.thickness(k) * 1e-6
                    let o = ensemble.offset(i, j, k)
                    for m in 0..<M { out[col * M + m] += ensemble.values[o + m] * air }
                }
            }
        }
        return out
    }

    /// Per member, the sum over the whole grid of a per-column quantity (layout
    /// of ``columnMass(_:met:)``), added in global column order; the result
    /// is on every rank of the group `communicator`.
    public func domainTotal(_ columns: [Double], memberCount M: Int, communicator: any Communicator) -> [Double] {
        var totals = [Double](repeating: 0, count: M)
        if let parts = communicator.gather(columns, root: 0) {
            var global = [Double](repeating: 0, count: grid.cellCount * M)
            for (rank, part) in parts.enumerated() {
                let t = decomposition.tiles[rank]
                var p = 0
                for j in t.jRange {
                    for i in t.iRange {
                        for m in 0..<M { global[(j * grid.nx + i) * M + m] = part[p + m] }
                        p += M
                    }
                }
            }
            for c in 0..<grid.cellCount { for m in 0..<M { totals[m] += global[c * M + m] } }
        }
        communicator.broadcast(&totals, root: 0)
        return totals
    }

    /// The integral over the grid and one hour of each member's surface flux
    /// (mol CO2), in global cell order; the fluxes must be whole-grid fields.
    public func fluxIntegral(_ flux: SurfaceFlux, members: Range<Int>) throws(TransportError) -> [Double] {
        try members.map { member throws(TransportError) in
            guard let field = flux.field(member: member) else {
                throw .invalidInput("the mass budget needs whole-grid surface fluxes, not one tile's columns")
            }
            var total = 0.0
            for c in 0..<grid.cellCount { total += field[c] * metrics.cellArea[c] }
            return total * 3600 * 1e-6
        }
    }

    /// Advances one hour and returns the members' CO2 budget for it
    /// (collective over the group `communicator`).
    public func advanceWithBudget(_ ensemble: inout TracerEnsemble, met: MetFields, flux: SurfaceFlux,
                                  boundary: LateralBoundary,
                                  communicator: any Communicator) throws(TransportError) -> [MassBudget] {
        let M = ensemble.memberCount
        let injected = try fluxIntegral(flux, members: ensemble.members)
        let before = domainTotal(columnMass(ensemble, met: met), memberCount: M, communicator: communicator)
        let hour = try advance(&ensemble, met: met, flux: flux, boundary: boundary, communicator: communicator)
        let after = domainTotal(columnMass(ensemble, met: met), memberCount: M, communicator: communicator)
        let lateral = domainTotal(hour.lateralInflow, memberCount: M, communicator: communicator)
        let top = domainTotal(hour.topInflow, memberCount: M, communicator: communicator)
        return ensemble.members.enumerated().map { m, member in
            MassBudget(time: met.time, member: member, massStart: before[m], massEnd: after[m], injected: injected[m],
                       lateralInflow: lateral[m], topInflow: top[m], substeps: hour.substeps)
        }
    }
}

/// One member's CO2 budget over one hour (mol CO2; both masses with the air
/// of that hour's meteorology).
public struct MassBudget: Sendable, Equatable {
    public let time: ModelHour
    public let member: Int
    public let massStart: Double
    public let massEnd: Double
    /// ∫∫ F dA dt of the surface flux.
    public let injected: Double
    /// Net inflow through the lateral faces.
    public let lateralInflow: Double
    /// Net inflow through the model top.
    public let topInflow: Double
    /// Steps taken in the hour.
    public let substeps: Int

    public init(time: ModelHour, member: Int, massStart: Double, massEnd: Double, injected: Double,
                lateralInflow: Double, topInflow: Double, substeps: Int) {
        self.time = time
        self.member = member
        self.massStart = massStart
        self.massEnd = massEnd
        self.injected = injected
        self.lateralInflow = lateralInflow
        self.topInflow = topInflow
        self.substeps = substeps
    }

    /// massEnd - massStart - (injected + lateralInflow + topInflow): round-off
    /// when the scheme conserves mass.
    public var residual: Double { massEnd - massStart - (injected + lateralInflow + topInflow) }
}

/// Collection of whole fields over a ``ParallelLayout``.
public enum EnsembleGather {
    /// Every member's owned 3-D field gathered to world rank 0 as full-grid
    /// fields `(k * ny + j) * nx + i`, indexed by global member; nil on other
    /// ranks. Collective over `communicators.world`.
    public static func gather(_ ensemble: TracerEnsemble, decomposition: TileDecomposition,
                              communicators: LayoutCommunicators, memberCount: Int) -> [[Double]]? {
        var local: [Double] = []
        local.reserveCapacity(ensemble.tile.cellCount * ensemble.nz * ensemble.memberCount)
        for member in ensemble.members { local.append(contentsOf: ensemble.ownedField(member: member)) }
        guard let parts = communicators.world.gather(local, root: 0) else { return nil }
        let nx = decomposition.nx, ny = decomposition.ny, nz = ensemble.nz
        var fields = [[Double]](repeating: [Double](repeating: 0, count: nx * ny * nz), count: memberCount)
        let layout = communicators.layout
        for (rank, part) in parts.enumerated() {
            let t = decomposition.tiles[layout.tile(ofRank: rank)]
            var p = 0
            for member in layout.members(ofGroup: layout.group(ofRank: rank), memberCount: memberCount) {
                for k in 0..<nz {
                    for j in t.jRange {
                        for i in t.iRange {
                            fields[member][(k * ny + j) * nx + i] = part[p]
                            p += 1
                        }
                    }
                }
            }
        }
        return fields
    }
}
