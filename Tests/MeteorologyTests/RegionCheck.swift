import Geometry
import Meteorology
import Testing

/// Checks fields read for `part.region` against the whole grid's: every
/// value of the region (its cells, bounding faces and interfaces) equal bit
/// for bit, every other value NaN, for every field.
func expectRegionMatches(_ whole: MetFields, _ part: MetFields, _ label: String = "") {
    let region = part.region, nx = whole.nx, ny = whole.ny, cells = nx * ny
    func check(_ name: String, _ a: [Double], _ b: [Double], inside: (Int) -> Bool) {
        let wrong = a.indices.filter { inside($0) ? a[$0].bitPattern != b[$0].bitPattern : !b[$0].isNaN }
        #expect(a.count == b.count && wrong.isEmpty, "\(label) \(name) in \(region): \(wrong.count) values wrong")
        #expect(a.indices.contains(where: inside) && !a.indices.allSatisfy(inside),
                "\(label) \(name): the region must leave values inside and outside")
    }
    let cell = { (c: Int) in region.contains(i: c % nx, j: (c % cells) / nx) }
    for (name, a, b) in [("temperature", whole.temperature, part.temperature), ("pressure", whole.pressure, part.pressure),
                         ("airMolarDensity", whole.airMolarDensity, part.airMolarDensity),
                         ("waterVapour", whole.waterVapour, part.waterVapour), ("kz", whole.kz, part.kz),
                         ("pblHeight", whole.pblHeight, part.pblHeight),
                         ("surfacePressure", whole.surfacePressure, part.surfacePressure)] {
        check(name, a, b, inside: cell)
    }
    if let a = whole.w, let b = part.w { check("w", a, b, inside: cell) }
    // Faces bounding the region: x-faces i0...i1 of its rows, y-faces j0...j1 of its columns.
    check("u", whole.u, part.u) { f in
        region.j.contains((f / (nx + 1)) % ny) && (region.i.lowerBound...region.i.upperBound).contains(f % (nx + 1))
    }
    check("v", whole.v, part.v) { f in
        region.i.contains(f % nx) && (region.j.lowerBound...region.j.upperBound).contains((f / nx) % (ny + 1))
    }
}
