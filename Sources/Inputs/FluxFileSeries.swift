import Foundation
import ModelTime
import NetCDFIO

/// How to find one flux component in a series of latitude/longitude files.
struct FluxVariableSpec {
    let component: PriorFluxComponent
    /// Variable names to try in order (CarbonTracker's fossil flux was
    /// `fossil_imp` before it became `fossil_flux_imp`).
    let names: [String]
    /// Units to use instead of the variable's `units` attribute.
    let units: String?
    let resolution: FluxTimeResolution
    /// Positive upward (into the atmosphere), as RCAS counts, or downward.
    let positiveUp: Bool
    /// Read fill values and NaN as zero flux (e.g. an ocean product over land).
    let missingAsZero: Bool
}

/// One flux component over a series of files: which file and time step
/// hold each averaging period, the source grid, and the factor to
/// µmol m⁻² s⁻¹ positive upward. Fields are read one period at a time.
struct FluxFileSeries {
    /// One averaging period: [start, end) in hours since 1970.
    struct Period {
        let start: Double
        let end: Double
        let file: Int
        let timeIndex: Int
    }

    let spec: FluxVariableSpec
    let files: [String]
    /// The variable's name in each file.
    let variables: [String]
    /// Per file: multiplies a stored value to give µmol m⁻² s⁻¹ positive upward.
    let scales: [Double]
    let unitsText: String
    let grid: LatLonGrid
    /// Sorted by start, not overlapping.
    let periods: [Period]
    /// The file of the period read last, kept open for the next period.
    let opened = LastInputFile()

    /// The largest flux magnitude accepted (µmol m⁻² s⁻¹): 0.1 mol m⁻² s⁻¹,
    /// ten times a 10 Mt CO2/yr power plant spread over one square kilometre.
    static let largestFlux = 1e5

    /// Indexes `files` once for every component in `specs` (all in the same
    /// files): variables, grids, units and periods, checked now so that a
    /// bad file fails before a run.
    static func index(_ specs: [FluxVariableSpec], files: [String]) throws -> [FluxFileSeries] {
        guard !files.isEmpty else {
            throw InputCoverageError(input: "prior flux " + specs.map(\.component.rawValue).joined(separator: ", "), message: "no files")
        }
        var variables = [[String]](repeating: [], count: specs.count)
        var scales = [[Double]](repeating: [], count: specs.count)
        var unitsTexts = [String](repeating: "", count: specs.count)
        var grids = [LatLonGrid?](repeating: nil, count: specs.count)
        var periods = [[Period]](repeating: [], count: specs.count)
        for (fileIndex, path) in files.enumerated() {
            let file = try InputFile(path)
            var times: [String: (stamps: [Double], bounds: [(Double, Double)]?)] = [:]
            for (s, spec) in specs.enumerated() {
                guard let name = spec.names.first(where: { file.hasVariable($0) }) else {
                    throw InputFileError(path: path, variable: spec.names.joined(separator: "' or '"),
                                         message: "variable not found (prior flux component \(spec.component.rawValue))")
                }
                let variable = try DataVariable(file, name)
                guard variable.dimensions.count == 3 else {
                    throw InputFileError(path: path, variable: name, message: "dimensions (\(variable.dimensions.joined(separator: ", "))) "
                                         + "must be (time, latitude, longitude)")
                }
                let grid = try LatLonCoordinates.grid(of: variable)
                if let first = grids[s], first != grid {
                    throw InputFileError(path: path, variable: name, message: "latitude/longitude grid differs from the one in \(files[0])")
                }
                grids[s] = grid
                let unitsText: String
                if let override = spec.units {
                    unitsText = override
                } else if let text = try variable.variable.attribute("units")?.text {
                    unitsText = text
                } else {
                    throw InputFileError(path: path, variable: name, message: "has no 'units' attribute; give the units in the configuration")
                }
                let units: FluxUnits
                do { units = try FluxUnits(unitsText) } catch {
                    throw InputFileError(path: path, variable: name, message: error.description)
                }
                if let positive = try variable.variable.attribute("positive")?.text?.lowercased(),
                   ["up", "down"].contains(positive), (positive == "up") != spec.positiveUp {
                    throw InputFileError(path: path, variable: name, message: "says positive = \(positive), the configuration "
                                         + "says \(spec.positiveUp ? "up" : "down"); set 'positive: \(positive)' if the file is right")
                }
                let timeName = variable.dimensions[0]
                if times[timeName] == nil { times[timeName] = try readPeriodsStamps(file, timeName) }
                let (stamps, bounds) = times[timeName]!
                guard stamps.count == variable.shape[0] else {
                    throw InputFileError(path: path, variable: timeName, message: "has \(stamps.count) values for \(variable.shape[0]) time steps")
                }
                for (t, stamp) in stamps.enumerated() {
                    let period = spec.resolution.period(containing: bounds.map { ($0[t].0 + $0[t].1) / 2 } ?? stamp)
                    if let bounds, abs(bounds[t].0 - period.start) > 1e-6 || abs(bounds[t].1 - period.end) > 1e-6 {
                        throw InputFileError(path: path, variable: timeName, message: "bounds of time step \(t) "
                                             + "(\(isoText(hours: bounds[t].0)) to \(isoText(hours: bounds[t].1))) are not one \(spec.resolution.rawValue) period")
                    }
                    periods[s].append(Period(start: period.start, end: period.end, file: fileIndex, timeIndex: t))
                }
                variables[s].append(name)
                scales[s].append(units.toMicromolesPerSquareMetrePerSecond * (spec.positiveUp ? 1 : -1))
                unitsTexts[s] = unitsText
            }
        }
        return try specs.indices.map { s in
            let sorted = periods[s].sorted { $0.start < $1.start }
            for (a, b) in zip(sorted, sorted.dropFirst()) where b.start < a.end {
                throw InputFileError(path: files[b.file], variable: variables[s][b.file],
                                     message: "time step \(b.timeIndex) (\(isoText(hours: b.start)) to \(isoText(hours: b.end))) overlaps "
                                     + "time step \(a.timeIndex) of \(files[a.file])")
            }
            return FluxFileSeries(spec: specs[s], files: files, variables: variables[s], scales: scales[s], unitsText: unitsTexts[s],
                                  grid: grids[s]!, periods: sorted)
        }
    }

    /// A file's time stamps (hours since 1970) and, when the time variable
    /// names `bounds`, the bounds of each step.
    private static func readPeriodsStamps(_ file: InputFile, _ name: String) throws -> (stamps: [Double], bounds: [(Double, Double)]?) {
        guard file.hasVariable(name) else {
            throw InputFileError(path: file.path, variable: name, message: "time coordinate variable missing")
        }
        let stamps = try readTimeCoordinate(file, name: name)
        guard let boundsName = try file.variable(name).attribute("bounds")?.text else { return (stamps, nil) }
        let boundsVariable = try file.variable(boundsName)
        guard try boundsVariable.shape() == [stamps.count, 2] else {
            throw InputFileError(path: file.path, variable: boundsName, message: "must have shape (\(stamps.count), 2)")
        }
        let units = try cfTimeUnits(file, name: name)
        let values = try boundsVariable.read(Double.self)
        for (index, value) in values.enumerated() where !(value.isFinite && abs(value) < 1e15) {
            throw InputFileError(path: file.path, variable: boundsName, message: "value \(value) at index \(index / 2), \(index % 2) is not a time")
        }
        let bounds = (0..<stamps.count).map { (units.secondsSince1970(values[2 * $0]) / 3600, units.secondsSince1970(values[2 * $0 + 1]) / 3600) }
        return (stamps, bounds)
    }

    /// The period holding hour `hour` (by its middle), or an error saying
    /// what the files cover.
    func period(containing hour: ModelHour) throws -> Int {
        let middle = hour.hours + 0.5
        var low = 0, high = periods.count
        while low < high {
            let mid = (low + high) / 2
            if periods[mid].end <= middle { low = mid + 1 } else { high = mid }
        }
        if low < periods.count, periods[low].start <= middle { return low }
        let input = "prior flux component \(spec.component.rawValue)"
        guard let first = periods.first, let last = periods.last else {
            throw InputCoverageError(input: input, message: "no time steps in its files")
        }
        var message = "hour \(hour.iso) is not covered by its \(files.count) file(s), which cover \(isoText(hours: first.start)) "
            + "to \(isoText(hours: last.end))"
        if low > 0, low < periods.count {
            message += "; the time steps jump from \(isoText(hours: periods[low - 1].end)) (\(files[periods[low - 1].file])) "
                + "to \(isoText(hours: periods[low].start)) (\(files[periods[low].file]))"
        }
        throw InputCoverageError(input: input, message: message)
    }

    /// The values (µmol m⁻² s⁻¹, positive upward) of period `index` on the
    /// block of the source grid that `regridder` reads; every value the
    /// regridder uses is checked (finite, not a fill value unless read as
    /// zero, below ``largestFlux``).
    func block(period index: Int, for regridder: ConservativeRegridder) throws -> [Double] {
        let period = periods[index]
        let file = try opened.open(files[period.file])
        let variable = try DataVariable(file, variables[period.file])
        let start = [period.timeIndex, regridder.rows.lowerBound, regridder.columns.lowerBound]
        let count = [1, regridder.rows.count, regridder.columns.count]
        var values = try variable.read(start: start, count: count)
        let scale = scales[period.file]
        let width = regridder.columns.count
        for cell in regridder.usedSourceCells {
            let offset = (cell / regridder.sourceColumnCount - regridder.rows.lowerBound) * width
                + (cell % regridder.sourceColumnCount - regridder.columns.lowerBound)
            let value = values[offset]
            if let problem = variable.problem(with: value) {
                guard spec.missingAsZero, problem.isMissing else {
                    throw variable.badValue(value, offset: offset, start: start, count: count, problem)
                }
                values[offset] = 0
                continue
            }
            let flux = value * scale
            guard abs(flux) <= Self.largestFlux else {
                throw variable.badValue(value, offset: offset, start: start, count: count,
                                        "an implausible flux (\(flux) µmol m-2 s-1, more than \(Self.largestFlux) in magnitude)")
            }
            values[offset] = flux
        }
        return values
    }

    /// One line for logs and `rcas inputs check`.
    var description: String {
        let names = Set(variables).sorted().joined(separator: "/")
        let folder = Set(files.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })
        let place = folder.count == 1 ? "in \(folder.first!)" : "in \(folder.count) folders"
        return "\(names) [\(unitsText)\(spec.positiveUp ? "" : ", positive down")], \(spec.resolution.rawValue), "
            + "\(files.count) file(s) \(place), \(grid.rowCount) x \(grid.columnCount) lat/lon"
    }
}
