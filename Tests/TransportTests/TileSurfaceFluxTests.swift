import Foundation
import Geometry
import Meteorology
import ModelTime
import Parallel
import Testing
@testable import Transport

@Suite("Surface fluxes and inflow of a tile")
struct TileSurfaceFluxTests {
    /// A flux with structure in every direction and member, µmol m-2 s-1.
    static func flux(member m: Int, _ i: Int, _ j: Int) -> Double {
        3 * sin(0.37 * Double(i) + 0.9 * Double(m)) + 0.2 * Double(j) - 1
    }

    /// Each tile's owned values after `hours` hours on threads, the fluxes
    /// given as whole-grid fields or as the tile's columns, the inflow (a
    /// ring with structure along every side, layer and member) computed on
    /// the whole ring or only next to the tile's meteorology region.
    func advance(tiles: Int, columns: Bool, ringOfRegion: Bool = false, hours: Int) throws -> [[Double]] {
        let domain = try testSmall()
        let grid = domain.grid, layers = domain.layers, nx = grid.nx, members = 0..<3
        let provider = SyntheticMeteorology(domain: domain, seed: 5)
        return try ThreadCommunicator.run(ranks: tiles) { group -> [Double] in
            let decomposition = try TileDecomposition(nx: nx, ny: grid.ny, count: tiles, halo: TracerEnsemble.margin)
            let model = TransportModel(grid: grid, layers: layers, decomposition: decomposition, tileIndex: group.rank)
            var ensemble = model.makeEnsemble(members: members, initial: patterned)
            let tile = model.tile
            let cells = tile.jRange.flatMap { j in tile.iRange.map { j * nx + $0 } }
            let flux = columns
                ? try SurfaceFlux(nx: nx, ny: grid.ny, members: members, cells: cells,
                                  columns: cells.flatMap { c in members.map { Self.flux(member: $0, c % nx, c / nx) } })
                : try SurfaceFlux(nx: nx, ny: grid.ny, members: members, fields: members.map { m in
                    (0..<grid.cellCount).map { Self.flux(member: m, $0 % nx, $0 / nx) }
                })
            for c in cells { #expect(flux.value(member: 2, c % nx, c / nx) == Self.flux(member: 2, c % nx, c / nx)) }
            let ring = LateralBoundary.ring(nx: nx, ny: grid.ny)
            let inflow = LateralBoundary(nx: nx, ny: grid.ny, nz: layers.count, members: members,
                                         base: { i, j, k in 395 + 0.5 * Double(i + 2 * j) / Double(nx) + Double(k) },
                                         scale: ring.indices.flatMap { p in members.map { 1 + 0.01 * sin(Double(p + 7 * $0)) } },
                                         region: ringOfRegion ? model.meteorologyRegion : nil)
            for h in 0..<hours {
                let met = provider.fields(at: ModelHour(year: 2016, month: 7, day: 1, hour: 6 + h), region: model.meteorologyRegion)
                _ = try model.advance(&ensemble, met: met, flux: flux, boundary: inflow, communicator: group)
            }
            return members.flatMap { ensemble.ownedField(member: $0) }
        }
    }

    @Test("a tile's columns give bit for bit what whole-grid fields give, on 1, 2 and 4 tiles")
    func columnsGiveTheFieldsResult() throws {
        for tiles in [1, 2, 4] {
            let fields = try advance(tiles: tiles, columns: false, hours: 2)
            let columns = try advance(tiles: tiles, columns: true, hours: 2)
            #expect(Set(fields.joined()).count > 1000, "the fields must carry structure for the comparison to mean something")
            let differing = zip(fields.joined(), columns.joined()).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(tiles) tiles: \(differing) values differ")
        }
    }

    @Test("inflow computed only next to each tile's region gives bit for bit what the whole ring gives, on 2 and 4 tiles")
    func ringOfTheRegionGivesTheWholeRingsResult() throws {
        for tiles in [2, 4] {
            let whole = try advance(tiles: tiles, columns: true, hours: 2)
            let part = try advance(tiles: tiles, columns: true, ringOfRegion: true, hours: 2)
            #expect(!part.joined().contains { $0.isNaN })
            let differing = zip(whole.joined(), part.joined()).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(tiles) tiles: \(differing) values differ")
        }
    }

    @Test("columns of another tile or other members are rejected, and bad columns cannot be made")
    func mismatchedColumnsAreRejected() throws {
        let domain = try testSmall()
        let grid = domain.grid, nx = grid.nx, ny = grid.ny
        let decomposition = try TileDecomposition(nx: nx, ny: ny, count: 2, halo: TracerEnsemble.margin)
        let model = TransportModel(grid: grid, layers: domain.layers, decomposition: decomposition, tileIndex: 0)
        let other = decomposition.tiles[1]
        let otherCells = other.jRange.flatMap { j in other.iRange.map { j * nx + $0 } }
        let ownCells = model.tile.jRange.flatMap { j in model.tile.iRange.map { j * nx + $0 } }
        let met = SyntheticMeteorology(domain: domain, seed: 5).fields(at: ModelHour(year: 2016, month: 7, day: 1, hour: 6))
        for (cells, members) in [(otherCells, 0..<2), (ownCells, 0..<3)] {
            var ensemble = model.makeEnsemble(members: 0..<2, initial: patterned)
            let flux = try SurfaceFlux(nx: nx, ny: ny, members: members, cells: cells,
                                       columns: [Double](repeating: 0, count: cells.count * members.count))
            #expect(throws: TransportError.self) {
                _ = try model.advance(&ensemble, met: met, flux: flux, boundary: .uniform(400), communicator: SerialCommunicator())
            }
        }
        #expect(throws: TransportError.self) { try SurfaceFlux(nx: nx, ny: ny, members: 0..<1, cells: [3, 2], columns: [0, 0]) }
        #expect(throws: TransportError.self) { try SurfaceFlux(nx: nx, ny: ny, members: 0..<1, cells: [nx * ny], columns: [0]) }
        #expect(throws: TransportError.self) { try SurfaceFlux(nx: nx, ny: ny, members: 0..<2, cells: [0, 1], columns: [0, 0]) }
    }
}
