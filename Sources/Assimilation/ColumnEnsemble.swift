/// The natural flux components that can be part of the state (Kou2023 optimises
/// biosphere and ocean; Jiang2021 offers fossil and a single net flux as well).
public enum FluxComponent: String, Sendable, CaseIterable {
    case biosphere, ocean, fossil, fire, net
}

/// What one grid column of the joint state x = [C, E] holds (Kou2023 §2.2.2):
/// the `layerCount` concentrations of the current hour, then for each of the
/// `windowHours` slots of the smoothing window and each flux component the flux
/// of that cell. Variable v of a column:
///   v = k                                      concentration of layer k
///   v = layerCount + slot * components + c     flux component c of window slot `slot`
public struct ColumnStateLayout: Sendable, Equatable {
    public let layerCount: Int
    public let windowHours: Int
    public let fluxComponents: [FluxComponent]

    public init(layerCount: Int, windowHours: Int = 24, fluxComponents: [FluxComponent] = [.biosphere, .ocean]) {
        precondition(layerCount >= 0 && windowHours >= 0)
        self.layerCount = layerCount
        self.windowHours = windowHours
        self.fluxComponents = fluxComponents
    }

    /// Number of state variables per column.
    public var variableCount: Int { layerCount + windowHours * fluxComponents.count }

    /// The concentration variables (the ones inflation acts on).
    public var concentrationVariables: Range<Int> { 0..<layerCount }

    /// Variable index of layer `k`'s concentration.
    public func concentration(layer k: Int) -> Int { k }

    /// Variable index of flux component `component` (index into `fluxComponents`) in window slot `slot`.
    public func flux(slot: Int, component: Int) -> Int { layerCount + slot * fluxComponents.count + component }

    /// The window slot of model hour `hour` (a ring: hour modulo the window length).
    public func slot(ofHour hour: Int) -> Int { ((hour % windowHours) + windowHours) % windowHours }

    /// Heights (m) of the variables for vertical localization: layer mid-heights
    /// for concentrations, 0 (the surface) for fluxes.
    public func variableHeights(layerMidHeights: [Double]) -> [Double] {
        precondition(layerMidHeights.count == layerCount)
        return layerMidHeights + Array(repeating: 0, count: windowHours * fluxComponents.count)
    }
}

/// Which model hours occupy the smoothing window. A flux hour enters when it is
/// forecast, is updated by every analysis while inside, and leaves after
/// `windowHours` hours as final analysis E^a (Kou2023 §2.2.2).
public struct FluxWindow: Sendable, Equatable {
    public let layout: ColumnStateLayout
    /// The hour held by each slot, nil while empty.
    public private(set) var hours: [Int?]

    public init(layout: ColumnStateLayout) {
        self.layout = layout
        hours = Array(repeating: nil, count: layout.windowHours)
    }

    /// The hour that must be taken out (final E^a) before `hour` can enter, if any.
    public func departing(whenAdmitting hour: Int) -> Int? { hours[layout.slot(ofHour: hour)] }

    /// Puts `hour` into its slot and returns the slot. Hours enter in increasing order.
    public mutating func admit(_ hour: Int) -> Int {
        let slot = layout.slot(ofHour: hour)
        if let last = hours.compactMap({ $0 }).max() { precondition(hour == last + 1, "flux hours enter in order") }
        hours[slot] = hour
        return slot
    }

    /// Hours currently in the window, oldest first.
    public var activeHours: [Int] { hours.compactMap { $0 }.sorted() }
}

/// Ensemble values for a set of grid columns and a contiguous block of members,
/// stored column by column: index ((c * variableCount) + v) * memberBlock + m,
/// members fastest, so one column of one rank is a dense variables x members
/// matrix (row-major) that the analysis can hand to BLAS.
public struct ColumnEnsemble: Sendable, Equatable {
    /// Global column indices (grid cell j * nx + i), ascending.
    public let columns: [Int]
    public let variableCount: Int
    /// The members held, a contiguous block of the ensemble.
    public let members: Range<Int>
    public var values: [Double]

    public init(columns: [Int], variableCount: Int, members: Range<Int>, values: [Double]) {
        precondition(values.count == columns.count * variableCount * members.count, "ColumnEnsemble size mismatch")
        self.columns = columns
        self.variableCount = variableCount
        self.members = members
        self.values = values
    }

    /// A zero-filled block.
    public init(columns: [Int], variableCount: Int, members: Range<Int>) {
        self.init(columns: columns, variableCount: variableCount, members: members,
                  values: Array(repeating: 0, count: columns.count * variableCount * members.count))
    }

    /// Number of values of one column (variables x members).
    public var columnStride: Int { variableCount * members.count }

    /// Flat index of (local column `c`, variable `v`, member `member` - a global member number).
    @inline(__always)
    public func index(column c: Int, variable v: Int, member: Int) -> Int {
        (c * variableCount + v) * members.count + (member - members.lowerBound)
    }

    /// Value at (local column, variable, global member).
    public subscript(column c: Int, variable v: Int, member m: Int) -> Double {
        get { values[index(column: c, variable: v, member: m)] }
        set { values[index(column: c, variable: v, member: m)] = newValue }
    }
}
