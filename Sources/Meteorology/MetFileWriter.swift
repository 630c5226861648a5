import CFOutput
import Foundation
import Geometry
import ModelTime
import NetCDFIO

/// Writes hourly meteorology in the RCAS meteorology schema
/// (``MetFileSchema``, Docs/meteorology.md). In double precision (the
/// default) reading the file back with ``NetCDFMeteorology`` gives identical
/// fields; single precision halves the size and rounds every value to the
/// nearest `Float`.
public enum MetFileWriter {
    /// Storage precision of the fields.
    public enum Precision: String, Sendable, CaseIterable {
        case double, float
    }

    /// Writes the fields of `hours` from `provider` into one file at `path`
    /// (atomically: the file appears only when complete). `w` is written when
    /// the provider gives it for every hour. Returns the number of hours written.
    @discardableResult
    public static func write(_ provider: MeteorologyProvider, hours: [ModelHour], to path: String,
                             title: String? = nil, precision: Precision = .double) throws -> Int {
        guard !hours.isEmpty else {
            throw NetCDFError(path: path, object: nil, operation: "write meteorology", message: "no hours to write")
        }
        guard zip(hours, hours.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw NetCDFError(path: path, object: MetFileSchema.time, operation: "write meteorology", message: "hours must increase strictly")
        }
        let domain = provider.domain
        let grid = domain.grid, layers = domain.layers
        let file = try NetCDFFile.create(path)
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(
            to: root, title: title ?? "RCAS meteorology on domain \(domain.name)",
            extra: [("rcas_met_schema", MetFileSchema.version), ("domain", domain.name),
                    ("provider", String(describing: type(of: provider)))])
        try CFGridWriter.write(grid, to: root)
        try root.addDimension(MetFileSchema.time, length: nil)
        try root.addDimension(MetFileSchema.layer, length: layers.count)
        try root.addDimension(MetFileSchema.interface, length: layers.count + 1)
        try root.addDimension(MetFileSchema.xFace, length: grid.nx + 1)
        try root.addDimension(MetFileSchema.yFace, length: grid.ny + 1)

        let time = try root.addVariable(MetFileSchema.time, type: .double, dimensions: [MetFileSchema.time])
        try time.setAttribute("standard_name", .text("time"))
        try time.setAttribute("units", .text(ModelHour.cfUnits))
        try time.setAttribute("calendar", .text("proleptic_gregorian"))
        try time.setAttribute("axis", .text("T"))

        let z = try root.addVariable(MetFileSchema.layer, type: .double, dimensions: [MetFileSchema.layer])
        try z.setAttribute("long_name", .text("height of the layer middle above ground"))
        try z.setAttribute("units", .text("m"))
        try z.setAttribute("positive", .text("up"))
        try z.setAttribute("axis", .text("Z"))
        try z.write((0..<layers.count).map(layers.midHeight))
        let zi = try root.addVariable(MetFileSchema.interface, type: .double, dimensions: [MetFileSchema.interface])
        try zi.setAttribute("long_name", .text("height of the layer interfaces above ground"))
        try zi.setAttribute("units", .text("m"))
        try zi.setAttribute("positive", .text("up"))
        try zi.write(layers.interfaceHeights)

        let first = try provider.fields(at: hours[0])
        var fieldsToWrite = MetFileSchema.Field.allCases
        if first.w == nil { fieldsToWrite.removeAll { $0 == .w } }
        var variables: [MetFileSchema.Field: NetCDFVariable] = [:]
        for field in fieldsToWrite {
            let variable = try root.addVariable(field.defaultName, type: precision == .double ? .double : .float,
                                                dimensions: [MetFileSchema.time] + field.dimensions, deflateLevel: 1)
            try variable.setAttribute("long_name", .text(field.longName))
            try variable.setAttribute("units", .text(field.units))
            if field.dimensions.suffix(2) == [MetFileSchema.y, MetFileSchema.x] {
                try CFGridWriter.attachGrid(to: variable)
            }
            variables[field] = variable
        }

        for (record, hour) in hours.enumerated() {
            let fields = record == 0 ? first : try provider.fields(at: hour)
            guard fields.nx == grid.nx, fields.ny == grid.ny, fields.nz == layers.count, fields.time == hour else {
                throw NetCDFError(path: path, object: nil,
                                       operation: "write meteorology", message: "provider returned fields for \(fields.time) of size \(fields.nx)x\(fields.ny)x\(fields.nz), expected \(hour) on \(grid.nx)x\(grid.ny)x\(layers.count)")
            }
            try time.write([Double(hour.value)], start: [record], count: [1])
            for field in fieldsToWrite {
                let values: [Double]
                switch field {
                case .u: values = fields.u
                case .v: values = fields.v
                case .w:
                    guard let w = fields.w else {
                        throw NetCDFError(path: path, object: "w", operation: "write meteorology", message: "provider gave w for \(hours[0]) but not for \(hour)")
                    }
                    values = w
                case .temperature: values = fields.temperature
                case .pressure: values = fields.pressure
                case .airMolarDensity: values = fields.airMolarDensity
                case .kz: values = fields.kz
                case .pblHeight: values = fields.pblHeight
                case .waterVapour: values = fields.waterVapour
                case .surfacePressure: values = fields.surfacePressure
                }
                let shape = try field.dimensions.map { (name: String) throws(NetCDFError) -> Int in try root.dimensionLength(name) }
                let start = [record] + shape.map { _ in 0 }, count = [1] + shape
                switch precision {
                case .double: try variables[field]!.write(values, start: start, count: count)
                case .float: try variables[field]!.write(values.map { Float($0) }, start: start, count: count)
                }
            }
        }
        try file.commit()
        return hours.count
    }
}
