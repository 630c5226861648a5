import Foundation
import Geometry
import ModelTime
import SyntheticWorld

/// The numbers `rcas inputs check` reports for a run's prior fluxes and
/// background, so the command only prints them.
public enum InputCheck {
    /// One prior-flux component: where it comes from and its domain total.
    public struct FluxComponentReport: Sendable, Equatable {
        public let component: PriorFluxComponent
        public let source: String
        /// The domain total at the rate of the checked hour (Tg C per year).
        public let domainTotalTgCPerYear: Double
    }

    /// Each component's source and domain total (Tg C yr⁻¹) at the rate of `hour`.
    public static func priorFlux(_ provider: any PriorFluxProvider, grid: HorizontalGrid,
                                 hour: ModelHour) throws -> [FluxComponentReport] {
        let fluxes = try provider.fluxes(at: hour)
        let areas = grid.cellAreas()
        let sources = provider.componentSources
        return [(PriorFluxComponent.biosphere, fluxes.bio), (.ocean, fluxes.ocn), (.fossil, fluxes.fossil), (.fire, fluxes.fire)]
            .map { component, field in
                FluxComponentReport(component: component, source: sources[component] ?? provider.sourceDescription,
                                    domainTotalTgCPerYear: teragramsCarbonPerYear(field, areas: areas))
            }
    }

    /// A flux field (µmol m⁻² s⁻¹ per cell) integrated over cells of `areas`
    /// (m²) and expressed as Tg C per year at that rate (a year of 365.2425 days).
    public static func teragramsCarbonPerYear(_ field: [Double], areas: [Double]) -> Double {
        let micromolesPerSecond = zip(field, areas).reduce(0) { $0 + $1.0 * $1.1 }
        return micromolesPerSecond * SyntheticPriorFlux.secondsPerYear * SyntheticPriorFlux.gramsCarbonPerMicromole / 1e12
    }

    /// The area-weighted mean (ppm) of the first (lowest) layer of the
    /// background's initial field at `time`.
    public static func initialMeanFirstLayer(_ provider: any BackgroundProvider, grid: HorizontalGrid,
                                             time: ModelHour) throws -> Double {
        let field = try provider.initialField(at: time)
        let areas = grid.cellAreas()
        let weighted = zip(field.prefix(grid.cellCount), areas).reduce(0) { $0 + $1.0 * $1.1 }
        return weighted / areas.reduce(0, +)
    }
}
