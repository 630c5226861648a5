import Assimilation
import ConfigFormat
import Geometry

/// One side of the domain: the ghost cells just outside it that carry the
/// inflow (i = -1 west, i = nx east, j = -1 south, j = ny north).
public enum BoundaryEdge: String, Sendable, CaseIterable, Comparable {
    case north, east, south, west

    /// The edge ghost cell (i, j) lies on; nil inside the domain.
    public static func of(i: Int, j: Int, nx: Int, ny: Int) -> BoundaryEdge? {
        if i < 0 { return .west }
        if i >= nx { return .east }
        if j < 0 { return .south }
        if j >= ny { return .north }
        return nil
    }

    /// The distance (m, on the map projection) of `point` from this edge of
    /// `grid` (0 outside the domain beyond it).
    public func distance(of point: GeoPoint, on grid: HorizontalGrid) -> Double {
        let (fi, fj) = grid.gridCoordinates(of: point)
        let cells = switch self {
        case .west: fi + 0.5
        case .east: Double(grid.nx) - 0.5 - fi
        case .south: fj + 0.5
        case .north: Double(grid.ny) - 0.5 - fj
        }
        return max(0, cells) * (self == .west || self == .east ? grid.dx : grid.dy)
    }

    public static func < (a: BoundaryEdge, b: BoundaryEdge) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The `boundary_bias:` section: additive biases (ppm) of the lateral-boundary
/// inflow, one state element per optimised edge and layer band (IMI 2.0,
/// Estrada et al. 2025, GMD, optimizes one bias per domain edge). Absent: off.
///
///     boundary_bias:
///       edges: [north, east, south, west]   # which edges get an element
///       band_top_layers: [2, 5]             # highest layer (0 = lowest) of each band; default: one band
///       prior_sigma_ppm: 1.0                # prior error of each element
///       correlation_hours: 72               # AR(1) time scale of the EnKS perturbations
///       localization_km: 2500               # EnKS: Gaspari-Cohn cut-off on an observation's distance from the edge (0: none)
///
/// The prior mean is 0 ppm (the boundary file is taken as unbiased a priori).
public struct BoundaryBiasSettings: Sendable, Equatable, ConfigPrintable {
    /// The optimised edges, in ``BoundaryEdge`` order.
    public let edges: [BoundaryEdge]
    /// The highest layer of each band, increasing; the last is the top layer.
    public let bandTopLayers: [Int]
    /// Prior standard deviation (ppm) of every element.
    public let priorSigma: Double
    /// e-folding time (hours) of the elements' ensemble perturbations.
    public let correlationHours: Double
    /// EnKS only: the distance (m, on the map) from an edge at which an
    /// observation's Gaspari-Cohn weight on that edge's elements reaches zero;
    /// nil: every observation updates every element fully. With tens of
    /// members, the sampled covariance of an edge's bias with observations
    /// its inflow has not reached is noise; the taper keeps it out.
    public let localization: Double?

    public init(edges: [BoundaryEdge], bandTopLayers: [Int], priorSigma: Double, correlationHours: Double,
                localization: Double?) {
        precondition(!edges.isEmpty && !bandTopLayers.isEmpty && priorSigma > 0 && correlationHours > 0)
        precondition(localization.map { $0 > 0 } ?? true)
        self.localization = localization
        self.edges = edges.sorted()
        self.bandTopLayers = bandTopLayers
        self.priorSigma = priorSigma
        self.correlationHours = correlationHours
    }

    /// Reads the section for a domain of `layerCount` layers.
    public init(_ section: ConfigMapping, layerCount: Int) throws(ConfigError) {
        let names = try section.optionalList("edges", of: String.self) ?? BoundaryEdge.allCases.map(\.rawValue)
        var edges: [BoundaryEdge] = []
        for name in names {
            guard let edge = BoundaryEdge(rawValue: name) else {
                throw section.error("edges", "'\(name)' is not an edge (north, east, south, west)")
            }
            guard !edges.contains(edge) else { throw section.error("edges", "edge '\(name)' is listed twice") }
            edges.append(edge)
        }
        guard !edges.isEmpty else { throw section.error("edges", "lists no edge; remove the section to switch boundary biases off") }
        let tops = try section.optionalList("band_top_layers", of: Int.self) ?? [layerCount - 1]
        guard tops.last == layerCount - 1 else {
            throw section.error("band_top_layers", "the last band must end at the top layer \(layerCount - 1) "
                                + "(the domain has \(layerCount) layers, counted from 0)")
        }
        for (index, top) in tops.enumerated() where top < 0 || (index > 0 && top <= tops[index - 1]) {
            throw section.error("band_top_layers", "must increase from 0 upwards; item \(index + 1) is \(top)")
        }
        let sigma = try section.value("prior_sigma_ppm", default: 1.0, in: 0.001...100)
        let hours = try section.value("correlation_hours", default: 72.0, in: 1...100_000)
        let localization = try section.value("localization_km", default: 2500.0, in: 0...100_000)
        try section.finish()
        self.init(edges: edges, bandTopLayers: tops, priorSigma: sigma, correlationHours: hours,
                  localization: localization > 0 ? localization * 1000 : nil)
    }

    public var configNode: ConfigNode {
        .mapping([("edges", .list(edges.map { .text($0.rawValue) })),
                  ("band_top_layers", .list(bandTopLayers.map(ConfigNode.integer))),
                  ("prior_sigma_ppm", .number(priorSigma)), ("correlation_hours", .number(correlationHours)),
                  ("localization_km", .number((localization ?? 0) / 1000))])
    }

    public var bandCount: Int { bandTopLayers.count }
    /// Number of bias elements: edges x bands, edge-major.
    public var elementCount: Int { edges.count * bandCount }

    /// The layers of band `b`.
    public func layers(ofBand b: Int) -> ClosedRange<Int> { (b == 0 ? 0 : bandTopLayers[b - 1] + 1)...bandTopLayers[b] }

    /// The band layer `k` belongs to.
    public func band(ofLayer k: Int) -> Int { bandTopLayers.firstIndex { k <= $0 } ?? bandCount - 1 }

    /// The element acting on ghost cell (i, j) in layer k; nil when its edge is not optimised.
    public func element(i: Int, j: Int, k: Int, nx: Int, ny: Int) -> Int? {
        guard let edge = BoundaryEdge.of(i: i, j: j, nx: nx, ny: ny), let e = edges.firstIndex(of: edge) else { return nil }
        return e * bandCount + band(ofLayer: k)
    }

    /// The edge and band of element `element`.
    public func edgeAndBand(of element: Int) -> (edge: BoundaryEdge, band: Int) {
        (edges[element / bandCount], element % bandCount)
    }

    /// A readable name: the edge, with its layers when there are several bands.
    public func name(of element: Int) -> String {
        let (edge, band) = edgeAndBand(of: element)
        guard bandCount > 1 else { return edge.rawValue }
        let layers = layers(ofBand: band)
        return "\(edge.rawValue) layers \(layers.lowerBound)-\(layers.upperBound)"
    }
}

/// A known bias (ppm) added to the inflow of the truth run of a twin
/// experiment on whole edges (every layer): `twin.boundary_bias_ppm: {west: 1.0}`.
public struct ImposedBoundaryBias: Sendable, Equatable, ConfigPrintable {
    public let ppm: [BoundaryEdge: Double]

    public init(ppm: [BoundaryEdge: Double]) { self.ppm = ppm }

    public init(_ section: ConfigMapping) throws(ConfigError) {
        var values: [BoundaryEdge: Double] = [:]
        for edge in BoundaryEdge.allCases {
            if let value: Double = try section.optional(edge.rawValue) {
                guard value.isFinite, abs(value) <= 100 else {
                    throw section.error(edge.rawValue, "bias \(value) ppm is not a finite value within ±100 ppm")
                }
                values[edge] = value
            }
        }
        try section.finish()
        ppm = values
    }

    public var configNode: ConfigNode {
        .mapping(BoundaryEdge.allCases.compactMap { edge in ppm[edge].map { (edge.rawValue, ConfigNode.number($0)) } })
    }

    /// The bias of ghost cell (i, j) (0 on other edges).
    public func offset(i: Int, j: Int, nx: Int, ny: Int) -> Double {
        BoundaryEdge.of(i: i, j: j, nx: nx, ny: ny).flatMap { ppm[$0] } ?? 0
    }
}

extension BlockCovariance {
    /// This covariance followed by `count` independent boundary-bias elements
    /// of variance σ² each (`settings`' prior sigma); itself when there are none.
    func withBoundaryBias(_ settings: BoundaryBiasSettings?, count: Int) throws -> BlockCovariance {
        guard let settings, count > 0 else { return self }
        let variance = settings.priorSigma * settings.priorSigma
        return try BlockCovariance(dimension: dimension + count,
                                   blocks: blocks + (0..<count).map { Block(indices: [dimension + $0], matrix: [variance]) })
    }
}
