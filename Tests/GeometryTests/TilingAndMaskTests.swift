import Geometry
import Testing

@Suite struct TilingAndMaskTests {
    @Test(arguments: [1, 2, 3, 4, 6, 8, 12])
    func tilesCoverTheGridExactlyOnce(count: Int) throws {
        let tiling = try TileDecomposition(nx: 105, ny: 86, count: count, halo: 2)
        #expect(tiling.tiles.count == count && tiling.px * tiling.py == count)
        var owners = [Int](repeating: 0, count: 105 * 86)
        for tile in tiling.tiles {
            for j in tile.jRange { for i in tile.iRange { owners[j * 105 + i] += 1 } }
            #expect(tile.haloIRange(nx: 105).lowerBound == max(0, tile.iRange.lowerBound - 2))
            #expect(tile.haloJRange(ny: 86).upperBound == min(86, tile.jRange.upperBound + 2))
        }
        #expect(owners.allSatisfy { $0 == 1 })
        #expect(tiling.tiles.map(\.cellCount).reduce(0, +) == 105 * 86)
        let sizes = tiling.tiles.map(\.iRange.count)
        #expect(sizes.max()! - sizes.min()! <= 1)
        #expect(tiling.owner(104, 85) == count - 1)
    }

    @Test func tilingPrefersBalancedTilesThenShortBoundaries() throws {
        // 4 x 1 and 2 x 2 both give 250-cell tiles; 4 x 1 has the shorter boundary.
        let tiling = try TileDecomposition(nx: 100, ny: 10, count: 4, halo: 1)
        #expect(tiling.px == 4 && tiling.py == 1)
        // 105 x 86 in two: halves of 43 rows (4515 cells) beat 53 + 52 columns (4558).
        let halves = try TileDecomposition(nx: 105, ny: 86, count: 2, halo: 2)
        #expect(halves.px == 1 && halves.py == 2)
        #expect(throws: TilingError.self) { try TileDecomposition(nx: 2, ny: 2, count: 5, halo: 1) }
        #expect(throws: TilingError.self) { try TileDecomposition(nx: 2, ny: 2, count: 0, halo: 1) }
    }

    @Test func latLonBoxesSelectCellCentres() throws {
        let g = try loadDomain("china-64km").grid
        // Kou2023 Fig. 3 "south" region.
        let south = LatLonBox(name: "south", south: 18, north: 29, west: 105, east: 123)
        let mask = g.mask(south)
        let centres = g.centers()
        #expect(mask.contains(true))
        for (inside, point) in zip(mask, centres) {
            #expect(inside == (point.latitude >= 18 && point.latitude <= 29 && point.longitude >= 105 && point.longitude <= 123))
        }
        let beijing = g.cell(containing: GeoPoint(latitude: 39.9, longitude: 116.4))!
        #expect(!mask[g.index(beijing.i, beijing.j)])
        let dateline = LatLonBox(name: "dateline", south: 0, north: 10, west: 170, east: 190)
        #expect(dateline.contains(GeoPoint(latitude: 5, longitude: -175)))
        #expect(!dateline.contains(GeoPoint(latitude: 5, longitude: 160)))
        #expect(dateline.contains(GeoPoint(latitude: 5, longitude: 185 + 360 * 1000)))
        #expect(dateline.contains(GeoPoint(latitude: 5, longitude: 170)) && dateline.contains(GeoPoint(latitude: 5, longitude: 190)))
        _ = dateline.contains(GeoPoint(latitude: 5, longitude: -1e300))   // returns at once (the old loop would not)
        for bad in [Double.nan, .infinity, -.infinity] {
            #expect(!dateline.contains(GeoPoint(latitude: 5, longitude: bad)) && !dateline.contains(GeoPoint(latitude: bad, longitude: 175)))
        }
    }
}
