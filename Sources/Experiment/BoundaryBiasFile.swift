import CFOutput
import Foundation
import ModelTime
import NetCDFIO

/// `boundary_bias.nc`: the hourly time series of the lateral-boundary bias
/// elements (time x element: forecast and analysis mean and spread, ppm),
/// with each element's edge, layer band, prior and (twin) imposed truth.
/// Rewritten whole and atomically (the series is small) at every checkpoint
/// and at the end of the run.
enum BoundaryBiasFile {
    static let name = "boundary_bias.nc"

    static let series: [(name: String, long: String)] = [
        ("forecast_mean", "ensemble mean of the boundary bias before the hour's analysis"),
        ("forecast_spread", "ensemble spread (standard deviation) of the boundary bias before the hour's analysis"),
        ("analysis_mean", "ensemble mean of the boundary bias after the hour's analysis"),
        ("analysis_spread", "ensemble spread (standard deviation) of the boundary bias after the hour's analysis"),
    ]

    static func write(_ records: [BoundaryBiasRecord], settings: BoundaryBiasSettings, imposed: ImposedBoundaryBias,
                      config: ExperimentConfig, to path: String) throws {
        let n = settings.elementCount, T = records.count
        let file = try NetCDFFile.create(path)
        let root = file.root
        try root.setAttribute("title", .text("RCAS lateral-boundary bias elements"))
        try root.setAttribute("Conventions", .text("CF-1.8"))
        try root.setAttribute("rcas_configuration", .text(config.resolvedText))
        try root.setAttribute("comment", .text(
            "Additive bias (ppm) of the inflow CO2 mole fraction on each optimised edge and layer band, "
            + "prior mean 0, prior sigma \(settings.priorSigma) ppm, AR(1) time scale \(settings.correlationHours) h"))
        try root.addDimension("element", length: n)
        let time = try CFGridWriter.addTimeCoordinate(to: root)
        try root.addDimension("edge_strlen", length: 8)
        let edge = try root.addVariable("edge", type: .char, dimensions: ["element", "edge_strlen"])
        try edge.setAttribute("long_name", .text("domain edge of the element (north, east, south, west)"))
        try edge.writeCharacterRows((0..<n).map { settings.edgeAndBand(of: $0).edge.rawValue }, width: 8)
        for (name, long, values) in [
            ("band_bottom_layer", "lowest model layer of the band (0 = lowest)", (0..<n).map { settings.layers(ofBand: settings.edgeAndBand(of: $0).band).lowerBound }),
            ("band_top_layer", "highest model layer of the band", (0..<n).map { settings.layers(ofBand: settings.edgeAndBand(of: $0).band).upperBound }),
        ] {
            let variable = try root.addVariable(name, type: .int64, dimensions: ["element"])
            try variable.setAttribute("long_name", .text(long))
            try variable.write(values.map(Int64.init))
        }
        let imposedValues = (0..<n).map { imposed.ppm[settings.edgeAndBand(of: $0).edge] ?? 0 }
        for (name, long, values) in [("prior_mean", "prior mean of the boundary bias", [Double](repeating: 0, count: n)),
                                     ("prior_sigma", "prior standard deviation of the boundary bias",
                                      [Double](repeating: settings.priorSigma, count: n)),
                                     ("imposed", "bias added to the truth run's inflow (twin experiments; 0 otherwise)", imposedValues)] {
            let variable = try root.addVariable(name, type: .double, dimensions: ["element"])
            try variable.setAttribute("long_name", .text(long))
            try variable.setAttribute("units", .text("ppm"))
            try variable.write(values)
        }
        let fields = [records.flatMap(\.priorMean), records.flatMap(\.priorSpread),
                      records.flatMap(\.posteriorMean), records.flatMap(\.posteriorSpread)]
        for ((name, long), values) in zip(series, fields) {
            let variable = try root.addVariable(name, type: .double, dimensions: ["time", "element"])
            try variable.setAttribute("long_name", .text(long))
            try variable.setAttribute("units", .text("ppm"))
            if T > 0 { try variable.write(values, start: [0, 0], count: [T, n]) }
        }
        if T > 0 { try time.write(records.map { Double($0.hour) }, start: [0], count: [T]) }
        try file.commit()
    }

    /// The first `count` hourly records (nil: all) of the series in `path`
    /// (a resumed run's `boundary_bias.nc.partial`, a finished run's file), checked.
    static func read(_ path: String, elements n: Int, records wanted: Int? = nil) throws -> [BoundaryBiasRecord] {
        guard wanted != 0 else { return [] }
        let root = try NetCDFFile.open(path).root
        guard try root.dimensionLength("element") == n else {
            throw ExperimentError.invalidInput("\(path): dimension 'element' is not the configuration's \(n) boundary-bias elements")
        }
        let time = try root.variable("time").read(Double.self)
        let count = wanted ?? time.count
        let fields = try series.map { try root.variable($0.name).read(Double.self) }
        guard time.count >= count, fields.allSatisfy({ $0.count == time.count * n }) else {
            throw ExperimentError.invalidInput("\(path): holds \(time.count) hourly records of \(n) elements, "
                                               + "the checkpoint needs \(count)")
        }
        return try (0..<count).map { t in
            guard time[t].isFinite, abs(time[t]) < 1e9, fields.allSatisfy({ $0[(t * n)..<((t + 1) * n)].allSatisfy(\.isFinite) }) else {
                throw ExperimentError.invalidInput("\(path): record \(t) has a non-finite time or value")
            }
            return BoundaryBiasRecord(hour: Int(time[t]), row: fields.flatMap { $0[(t * n)..<((t + 1) * n)] }[...], elements: n)
        }
    }
}

/// The EnKS's analysed boundary biases of a finished run, hour by hour: what
/// the FC forward run of a twin adds to its inflow, so that FC uses the
/// posterior boundary as well as the posterior flux.
struct PosteriorBoundaryBias: Sendable {
    let settings: BoundaryBiasSettings
    /// Analysis mean per element, by the hour it is valid at.
    let means: [Int: [Double]]

    init(path: String, settings: BoundaryBiasSettings) throws {
        self.settings = settings
        means = Dictionary(try BoundaryBiasFile.read(path, elements: settings.elementCount).map { ($0.hour, $0.posteriorMean) },
                           uniquingKeysWith: { $1 })
    }

    /// The bias at ghost cell (i, j) in layer k during `hour`: the analysis
    /// valid at its start (the mean the EnKS's members carried through it;
    /// 0, the prior mean, before the first analysis).
    func offset(hour: ModelHour, i: Int, j: Int, k: Int, nx: Int, ny: Int) -> Double {
        guard let e = settings.element(i: i, j: j, k: k, nx: nx, ny: ny), let mean = means[hour.value] else { return 0 }
        return mean[e]
    }
}
