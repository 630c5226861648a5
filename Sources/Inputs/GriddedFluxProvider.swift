import Foundation
import Geometry
import ModelTime
import SyntheticWorld

/// Prior fluxes read from latitude/longitude files (CarbonTracker's or any
/// CF flux files) and regridded conservatively to the domain.
///
/// Each hour takes, per component, the file period (3-hourly, daily,
/// monthly, ...) holding the middle of the hour: a piecewise-constant flux,
/// so the hours of a period integrate to exactly the period's total. A
/// component without files is zero. Files are opened when a period is first
/// needed and one regridded field per component is kept, so memory does not
/// grow with the length of the run; the engine asks hour by hour in
/// increasing order, each rank for its own tile's cells only. Safe to use
/// from several threads (one lock).
public final class GriddedFluxProvider: PriorFluxProvider, @unchecked Sendable {
    public let sourceDescription: String
    public let componentSources: [PriorFluxComponent: String]
    private let grid: HorizontalGrid
    private let series: [PriorFluxComponent: FluxFileSeries]
    /// One regridder per distinct lat/lon grid, and which one each component uses.
    private let regridders: [ConservativeRegridder]
    private let regridderOf: [PriorFluxComponent: Int]
    private let lock = NSLock()
    /// The last period read per component, the cells asked for (nil: all)
    /// and the regridded field.
    private var cache: [PriorFluxComponent: (period: Int, cells: [Int]?, field: [Double])] = [:]
    /// The regridders restricted to the cells last asked for (a rank's tile).
    private var restrictedCells: [Int]?
    private var restrictedRegridders: [ConservativeRegridder] = []

    /// CarbonTracker's 3-hourly 1° x 1° flux files (CT2019B, CT2022,
    /// CT-NRT): `bio_flux_opt`, `ocn_flux_opt`, `fossil_flux_imp` (or
    /// `fossil_imp` in older releases) and `fire_flux_imp`, mol m⁻² s⁻¹.
    public static func carbonTracker(files: [String], domain: Domain) throws -> GriddedFluxProvider {
        func spec(_ component: PriorFluxComponent, _ names: [String]) -> FluxVariableSpec {
            FluxVariableSpec(component: component, names: names, units: nil, resolution: .threeHourly, positiveUp: true, missingAsZero: false)
        }
        let specs = [spec(.biosphere, ["bio_flux_opt"]), spec(.ocean, ["ocn_flux_opt"]),
                     spec(.fossil, ["fossil_flux_imp", "fossil_imp"]), spec(.fire, ["fire_flux_imp"])]
        let all = try FluxFileSeries.index(specs, files: files)
        return try GriddedFluxProvider(series: all, grid: domain.grid,
                                       description: "CarbonTracker 3-hourly fluxes, \(files.count) file(s) from \(files[0])",
                                       sourcePrefix: "CarbonTracker")
    }

    /// Components each read from its own CF latitude/longitude files;
    /// components not listed are zero.
    static func files(_ components: [(spec: FluxVariableSpec, files: [String])], domain: Domain) throws -> GriddedFluxProvider {
        let all = try components.map { try FluxFileSeries.index([$0.spec], files: $0.files)[0] }
        let listed = Set(components.map(\.spec.component))
        let zero = PriorFluxComponent.allCases.filter { !listed.contains($0) }.map(\.rawValue)
        return try GriddedFluxProvider(series: all, grid: domain.grid,
                                       description: "flux files for " + components.map(\.spec.component.rawValue).joined(separator: ", ")
                                           + (zero.isEmpty ? "" : "; zero: " + zero.joined(separator: ", ")),
                                       sourcePrefix: "files")
    }

    private init(series all: [FluxFileSeries], grid: HorizontalGrid, description: String, sourcePrefix: String) throws {
        self.grid = grid
        sourceDescription = description
        var series: [PriorFluxComponent: FluxFileSeries] = [:]
        var regridderOf: [PriorFluxComponent: Int] = [:]
        var built: [(grid: LatLonGrid, regridder: ConservativeRegridder)] = []
        for item in all {
            series[item.spec.component] = item
            if let known = built.firstIndex(where: { $0.grid == item.grid }) {
                regridderOf[item.spec.component] = known
            } else {
                let regridder: ConservativeRegridder
                do { regridder = try ConservativeRegridder(from: item.grid, to: grid) } catch {
                    throw InputFileError(path: item.files[0], variable: item.variables[0], message: error.description)
                }
                regridderOf[item.spec.component] = built.count
                built.append((item.grid, regridder))
            }
        }
        self.series = series
        regridders = built.map(\.regridder)
        self.regridderOf = regridderOf
        var sources: [PriorFluxComponent: String] = [:]
        for component in PriorFluxComponent.allCases {
            sources[component] = series[component].map { "\(sourcePrefix): \($0.description)" } ?? "zero (not configured)"
        }
        componentSources = sources
    }

    /// Every configured component has a file period for each of `hours`.
    public func checkCoverage(_ hours: ClosedRange<ModelHour>) throws {
        for component in PriorFluxComponent.allCases {
            guard let series = series[component] else { continue }
            for hour in hours { _ = try series.period(containing: hour) }
        }
    }

    public func fluxes(at hour: ModelHour) throws -> FluxComponents { try fluxes(at: hour, only: nil) }

    /// Reads only the source block `cells` overlap and regrids only them;
    /// every other cell of a component read from files is NaN.
    public func fluxes(at hour: ModelHour, cells: [Int]) throws -> FluxComponents { try fluxes(at: hour, only: cells) }

    private func fluxes(at hour: ModelHour, only cells: [Int]?) throws -> FluxComponents {
        lock.lock()
        defer { lock.unlock() }
        if let cells, restrictedCells != cells {
            restrictedRegridders = regridders.map { $0.restricted(to: cells) }
            restrictedCells = cells
        }
        let regridders = cells == nil ? regridders : restrictedRegridders
        func field(_ component: PriorFluxComponent) throws -> [Double] {
            guard let series = series[component], let index = regridderOf[component] else {
                return [Double](repeating: 0, count: grid.cellCount)
            }
            let regridder = regridders[index]
            let period = try series.period(containing: hour)
            if let cached = cache[component], cached.period == period, cached.cells == cells { return cached.field }
            let field = regridder.regrid(block: try series.block(period: period, for: regridder))
            cache[component] = (period, cells, field)
            return field
        }
        return FluxComponents(time: hour, nx: grid.nx, ny: grid.ny, bio: try field(.biosphere), ocn: try field(.ocean),
                              fossil: try field(.fossil), fire: try field(.fire))
    }
}
