import Foundation
import NetCDFIO

/// The provincial-level divisions of China on a domain grid: the domain's
/// `provinces` mask file (`province_masks.nc`, written by
/// Domains/tools/make_province_masks.py; Docs/evaluation.md describes it).
///
/// Layout: `province_fraction(province, y, x)`, the fraction of each cell that
/// is land of the province; `province_name(province, name_strlen)`;
/// `province_code(province)` (GB/T 2260); `polygon_area(province)` (km², the
/// boundary polygon's geodesic area); `fraction_inside_domain(province)`;
/// `foreign_land_fraction(y, x)` and `unassigned_land_fraction(y, x)`.
public struct ProvinceMasks: Sendable {
    /// The key of the file in a domain's `masks`.
    public static let maskName = "provinces"

    public let path: String
    /// Region names (English, snake_case), in file order.
    public let names: [String]
    /// GB/T 2260 codes.
    public let codes: [Int]
    /// Land fraction of each province, `[province][j * nx + i]`.
    public let fractions: [[Double]]
    /// Area of each province's boundary polygon (km²).
    public let polygonArea: [Double]
    /// Share of each province's polygon inside the grid (1 = wholly inside).
    public let fractionInsideDomain: [Double]
    /// Fraction of each cell that is land of another country.
    public let foreignLandFraction: [Double]
    /// Fraction of each cell that is land in no boundary polygon.
    public let unassignedLandFraction: [Double]

    /// Reads `path` for a grid of `ny` x `nx` cells; when `centres` is given,
    /// checks the file's `lat`/`lon` against them.
    public static func read(path: String, ny: Int, nx: Int,
                            centres: (latitude: [Double], longitude: [Double])? = nil) throws -> ProvinceMasks {
        let file = try MaskReader.open(path)
        defer { file.close() }
        let root = file.root
        func fail(_ object: String, _ message: String) -> NetCDFError {
            NetCDFError(path: path, object: object, operation: "read province masks", message: message)
        }
        guard root.hasVariable("province_name") else { throw fail("province_name", "variable missing") }
        let names = try root.variable("province_name").readCharacterRows()
        guard !names.isEmpty else { throw fail("province_name", "no province") }
        if let bad = names.firstIndex(where: { $0.isEmpty }) { throw fail("province_name", "province \(bad) has no name") }
        if Set(names).count != names.count { throw fail("province_name", "a name appears twice") }
        let count = names.count
        func perProvince(_ name: String, _ valid: (Double) -> Bool, _ rule: String) throws -> [Double] {
            guard root.hasVariable(name) else { throw fail(name, "variable missing") }
            let variable = try root.variable(name)
            guard try variable.shape() == [count] else { throw fail(name, "shape \(try variable.shape()), expected [\(count)]") }
            let values = try variable.read(Double.self)
            if let bad = values.firstIndex(where: { !valid($0) }) {
                throw fail(name, "province \(names[bad]) has \(values[bad]), not \(rule)")
            }
            return values
        }
        let codes = try perProvince("province_code", { $0 > 0 && $0 < 1e6 && $0 == $0.rounded() }, "a 6-digit code")
        let area = try perProvince("polygon_area", { $0.isFinite && $0 > 0 }, "a positive area")
        let inside = try perProvince("fraction_inside_domain", { $0 >= 0 && $0 <= 1 }, "a fraction")
        let cells = ny * nx
        let flat = try MaskReader.fractions(root, path: path, variable: "province_fraction", shape: [count, ny, nx])
        let foreign = try MaskReader.fractions(root, path: path, variable: "foreign_land_fraction", shape: [ny, nx])
        let unassigned = try MaskReader.fractions(root, path: path, variable: "unassigned_land_fraction", shape: [ny, nx])
        if let centres { try MaskReader.checkGrid(root, path: path, ny: ny, nx: nx, centres: centres) }
        let fractions = (0..<count).map { Array(flat[($0 * cells)..<(($0 + 1) * cells)]) }
        for cell in 0..<cells {
            let total = fractions.reduce(foreign[cell] + unassigned[cell]) { $0 + $1[cell] }
            guard total <= 1 + 1e-9 else {
                throw fail("province_fraction", "the fractions of cell (y, x) = (\(cell / nx), \(cell % nx)) add up to \(total) > 1")
            }
        }
        return ProvinceMasks(path: path, names: names, codes: codes.map { Int($0) }, fractions: fractions,
                             polygonArea: area, fractionInsideDomain: inside, foreignLandFraction: foreign,
                             unassignedLandFraction: unassigned)
    }

    /// One region per province, in file order.
    public var regions: [Region] {
        names.indices.map { Region(name: names[$0], kind: .province, weights: fractions[$0]) }
    }
}
