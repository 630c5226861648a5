import Foundation
import Geometry
import Meteorology
import ModelTime
import Parallel
import Testing
@testable import Transport

@Suite("Meteorology of a tile's region")
struct TileMeteorologyTests {
    /// Every member's owned values of `tiles` tiles advanced `hours` hours
    /// on threads, each tile given only the meteorology of its own region
    /// (`whole`: the whole grid's), in the serial model's order.
    func advance(tiles: Int, whole: Bool, hours: Int) throws -> [Double] {
        let domain = try testSmall()
        let grid = domain.grid, layers = domain.layers
        let provider = SyntheticMeteorology(domain: domain, seed: 5)
        let pieces = try ThreadCommunicator.run(ranks: tiles) { group -> [Double] in
            let decomposition = try TileDecomposition(nx: grid.nx, ny: grid.ny, count: tiles, halo: TracerEnsemble.margin)
            let model = TransportModel(grid: grid, layers: layers, decomposition: decomposition, tileIndex: group.rank)
            var ensemble = model.makeEnsemble(members: 0..<2, initial: patterned)
            let flux = SurfaceFlux.zero(nx: grid.nx, ny: grid.ny, members: 0..<2)
            for h in 0..<hours {
                let time = ModelHour(year: 2016, month: 7, day: 1, hour: 6 + h)
                let met = whole ? provider.fields(at: time) : provider.fields(at: time, region: model.meteorologyRegion)
                _ = try model.advance(&ensemble, met: met, flux: flux, boundary: .uniform(400), communicator: group)
            }
            return (0..<2).flatMap { ensemble.ownedField(member: $0) }
        }
        guard tiles > 1 else { return pieces[0] }
        // Back into the serial model's order: member, layer, row, column.
        let decomposition = try TileDecomposition(nx: grid.nx, ny: grid.ny, count: tiles, halo: TracerEnsemble.margin)
        let nx = grid.nx, ny = grid.ny, nz = layers.count
        var field = [Double](repeating: .nan, count: 2 * nz * ny * nx)
        for (tile, piece) in zip(decomposition.tiles, pieces) {
            var n = 0
            for m in 0..<2 { for k in 0..<nz { for j in tile.jRange { for i in tile.iRange {
                field[((m * nz + k) * ny + j) * nx + i] = piece[n]
                n += 1
            } } } }
        }
        return field
    }

    @Test("tiles given only their regions' meteorology advance bit-identically to one tile given the whole grid")
    func regionsGiveTheWholeGridsResult() throws {
        let reference = try advance(tiles: 1, whole: true, hours: 3)
        #expect(Set(reference).count > 1000, "the fields must carry structure for the comparison to mean something")
        for tiles in [2, 4] {
            let fields = try advance(tiles: tiles, whole: false, hours: 3)
            let differing = zip(fields, reference).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(tiles) tiles: \(differing) values differ")
        }
    }

    @Test("a tile's region covers its cells, margin and the cells across the margin's faces")
    func regionOfATile() throws {
        let domain = try testSmall()
        let nx = domain.grid.nx, ny = domain.grid.ny, margin = TracerEnsemble.margin
        let decomposition = try TileDecomposition(nx: nx, ny: ny, count: 4, halo: margin)
        for tile in decomposition.tiles {
            let model = TransportModel(grid: domain.grid, layers: domain.layers, decomposition: decomposition, tileIndex: tile.index)
            #expect(model.meteorologyRegion == CellRegion(i: tile.iRange, j: tile.jRange).grown(by: margin + 1, nx: nx, ny: ny))
        }
        #expect(TransportModel(grid: domain.grid, layers: domain.layers).meteorologyRegion == CellRegion(i: 0..<nx, j: 0..<ny))
    }

    @Test("meteorology that leaves out part of the tile's region is rejected, naming both regions")
    func missingRegionIsRejected() throws {
        let domain = try testSmall()
        let model = TransportModel(grid: domain.grid, layers: domain.layers)
        let met = SyntheticMeteorology(domain: domain).fields(at: hour0, region: CellRegion(i: 0..<10, j: 0..<domain.grid.ny))
        var ensemble = model.makeEnsemble(members: 0..<1) { _, _, _, _ in 400 }
        let flux = SurfaceFlux.zero(nx: domain.grid.nx, ny: domain.grid.ny, members: 0..<1)
        do {
            _ = try model.advance(&ensemble, met: met, flux: flux, boundary: .uniform(400), communicator: serial)
            Issue.record("meteorology missing part of the region was accepted")
        } catch {
            #expect("\(error)".contains("holds columns 0..<10") && "\(error)".contains("this tile reads columns 0..<\(domain.grid.nx)"),
                    "\(error)")
        }
    }

    @Test("a bad value inside the region is found; values outside it are never read")
    func badValuesInsideAndOutside() throws {
        let domain = try testSmall()
        let grid = domain.grid
        let results = try ThreadCommunicator.run(ranks: 2) { group -> String in
            let decomposition = try TileDecomposition(nx: grid.nx, ny: grid.ny, count: 2, halo: TracerEnsemble.margin)
            let model = TransportModel(grid: grid, layers: domain.layers, decomposition: decomposition, tileIndex: group.rank)
            var ensemble = model.makeEnsemble(members: 0..<1) { _, _, _, _ in 400 }
            let flux = SurfaceFlux.zero(nx: grid.nx, ny: grid.ny, members: 0..<1)
            let region = model.meteorologyRegion
            var met = SyntheticMeteorology(domain: domain).fields(at: hour0, region: region)
            // Outside the region the fields are NaN already; the hour must not notice.
            _ = try model.advance(&ensemble, met: met, flux: flux, boundary: .uniform(400), communicator: group)
            // A NaN in a corner cell only this tile's region holds.
            let corner = group.rank == 0 ? (region.i.lowerBound, region.j.lowerBound)
                : (region.i.upperBound - 1, region.j.upperBound - 1)
            met.waterVapour[corner.1 * grid.nx + corner.0] = .nan
            do {
                _ = try model.advance(&ensemble, met: met, flux: flux, boundary: .uniform(400), communicator: group)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(results.allSatisfy { $0.contains("waterVapour[") && $0.contains("is not a mole fraction below 1") }, "\(results)")
    }
}
