import Assimilation
import Evaluation
import Geometry
import ModelTime

/// The flux basis functions of a transport Jacobian (Docs/jacobians.md): a
/// partition of the grid into groups of cells (Kou2023 regions, K x K
/// blocks or single cells) times a partition of the run period into time
/// periods, for each optimised flux component.
///
/// Basis function f = (component k, group g, period p) is the flux field
///
///     φ_f(c, t) = s_k(c, t) if cell c is in g and hour t in p, else 0,
///
/// with shape s = E^p_k (the prior of component k: coefficients are the
/// scaling factors δ of E = E^p (1 + δ), as GCASv2's E = E_0 (1 + λ δ)) or
/// s = 1 µmol m-2 s-1 (`unit`: coefficients are fluxes, columns are
/// footprints; the component does not matter, so there is one, "total").
/// The functions partition cells x hours per component, so every flux hour
/// of every cell belongs to exactly one function. With the prior shape a
/// function whose prior is zero everywhere (biosphere over the sea) does
/// nothing and is left out.
public struct JacobianBasis: Sendable, Equatable {
    /// How the grid is divided.
    public enum Partition: Sendable, Equatable, CustomStringConvertible {
        /// The four China regions of Kou2023 Fig. 3 (disjoint boxes) and
        /// `rest_of_domain` for every other cell; regions holding no cell
        /// centre are left out.
        case regions
        /// K x K blocks of cells from cell (0, 0); the last row and column of
        /// blocks may be smaller.
        case blocks(Int)
        /// Every cell.
        case cells

        /// Reads `regions`, `blocks:K` or `cells`.
        public init?(argument: String) {
            switch argument {
            case "regions": self = .regions
            case "cells": self = .cells
            default:
                guard argument.hasPrefix("blocks:"), let k = Int(argument.dropFirst(7)), k >= 1 else { return nil }
                self = .blocks(k)
            }
        }

        public var description: String {
            switch self {
            case .regions: "regions"
            case .blocks(let k): "blocks:\(k)"
            case .cells: "cells"
            }
        }
    }

    /// How the period is divided.
    public enum Periods: Sendable, Equatable, CustomStringConvertible {
        /// Blocks of n hours counted from 1970-01-01 00 UTC, as GCASv2's draw
        /// periods are (`hourly`: 1, `daily`: 24, UTC days), cut at the ends
        /// of the run period.
        case aligned(Int)
        /// Blocks of the smoothing window's length from the start.
        case window
        /// The whole period as one.
        case all

        /// Reads `hourly`, `daily`, `hours:N`, `window` or `all`.
        public init?(argument: String) {
            switch argument {
            case "hourly": self = .aligned(1)
            case "daily": self = .aligned(24)
            case "window": self = .window
            case "all": self = .all
            default:
                guard argument.hasPrefix("hours:"), let n = Int(argument.dropFirst(6)), n >= 1 else { return nil }
                self = .aligned(n)
            }
        }

        public var description: String {
            switch self {
            case .aligned(1): "hourly"
            case .aligned(24): "daily"
            case .aligned(let n): "hours:\(n)"
            case .window: "window"
            case .all: "all"
            }
        }
    }

    /// What a basis function's flux looks like inside its cells and hours.
    public enum Shape: String, Sendable, CaseIterable {
        /// The prior flux E^p of its component: coefficients are scaling factors.
        case prior
        /// 1 µmol m-2 s-1: coefficients are fluxes, H rows are footprints.
        case unit
    }

    /// One basis function: indices into ``componentNames``, ``groupNames``
    /// and the periods.
    public struct Function: Sendable, Equatable {
        public let component: Int
        public let group: Int
        public let period: Int
    }

    public let partition: Partition
    public let periods: Periods
    public let shape: Shape
    /// The state components of the prior shape, in state order; empty for `unit`.
    public let components: [FluxComponent]
    /// Short names of the functions' components (`bio`, `ocn`, ... or `total`).
    public let componentNames: [String]
    public let groupNames: [String]
    /// The group of every grid cell (j * nx + i).
    public let cellGroups: [Int]
    /// The cells of every group, ascending.
    public let groupCells: [[Int]]
    /// Period p covers the hours [periodStarts[p], periodEnds[p]).
    public let periodStarts: [ModelHour]
    public let periodEnds: [ModelHour]
    /// The functions, ordered by period, then component, then group.
    public let functions: [Function]
    /// Function index of ((period * components) + component) * groups + group; −1 when left out.
    let lookup: [Int]

    /// The basis on `grid` over the hours `start...end` (`windowHours`: the
    /// smoothing window, for `.window`); `keep(component, group, period)`
    /// says whether a function has any flux (prior shape).
    public init(grid: HorizontalGrid, start: ModelHour, end: ModelHour, windowHours: Int, stateComponents: [FluxComponent],
                partition: Partition, periods: Periods, shape: Shape,
                keep: (_ component: Int, _ group: Int, _ period: Int) -> Bool = { _, _, _ in true }) {
        self.partition = partition
        self.periods = periods
        self.shape = shape
        components = shape == .prior ? stateComponents : []
        componentNames = shape == .prior ? stateComponents.map(\.shortName) : ["total"]

        var names: [String] = [], groups = [Int](repeating: 0, count: grid.cellCount)
        switch partition {
        case .cells:
            names = (0..<grid.cellCount).map { "cell_\($0 % grid.nx)_\($0 / grid.nx)" }
            groups = Array(0..<grid.cellCount)
        case .blocks(let k):
            let bx = (grid.nx + k - 1) / k
            var used: [Int: Int] = [:]
            for cell in 0..<grid.cellCount {
                let key = (cell / grid.nx / k) * bx + (cell % grid.nx) / k
                if used[key] == nil {
                    used[key] = names.count
                    names.append("block_\(key % bx)_\(key / bx)")
                }
                groups[cell] = used[key]!
            }
        case .regions:
            let boxes = RegionSet.chinaRegionBoxes
            let centres = grid.centers()
            let raw = centres.map { centre in boxes.firstIndex { $0.contains(centre) } ?? boxes.count }
            let present = Set(raw).sorted()
            names = present.map { $0 < boxes.count ? boxes[$0].name : "rest_of_domain" }
            groups = raw.map { present.firstIndex(of: $0)! }
        }
        groupNames = names
        cellGroups = groups
        var members = [[Int]](repeating: [], count: names.count)
        for (cell, g) in groups.enumerated() { members[g].append(cell) }
        groupCells = members

        var starts: [ModelHour] = [], ends: [ModelHour] = []
        let stop = end.advanced(by: 1)
        var t = start
        while t < stop {
            let next: ModelHour
            switch periods {
            case .aligned(let n):
                let index = t.value >= 0 ? t.value / n : -((-t.value - 1) / n) - 1
                next = ModelHour((index + 1) * n)
            case .window: next = t.advanced(by: windowHours)
            case .all: next = stop
            }
            starts.append(t)
            ends.append(min(next, stop))
            t = min(next, stop)
        }
        periodStarts = starts
        periodEnds = ends

        let k = componentNames.count, g = names.count
        var table = [Int](repeating: -1, count: starts.count * k * g)
        var list: [Function] = []
        for p in starts.indices {
            for c in 0..<k {
                for group in 0..<g where keep(c, group, p) {
                    table[(p * k + c) * g + group] = list.count
                    list.append(Function(component: c, group: group, period: p))
                }
            }
        }
        functions = list
        lookup = table
    }

    /// Number of basis functions n.
    public var count: Int { functions.count }
    public var periodCount: Int { periodStarts.count }

    /// The period holding `hour`, nil outside the run period.
    public func period(of hour: ModelHour) -> Int? {
        var low = 0, high = periodStarts.count
        while low < high {
            let mid = (low + high) / 2
            if periodEnds[mid] <= hour { low = mid + 1 } else { high = mid }
        }
        return low < periodStarts.count && periodStarts[low] <= hour ? low : nil
    }

    /// The function holding the flux of `component` in `cell` at `hour`, nil
    /// when that flux belongs to no function (left out, or outside the period).
    public func function(component: Int, cell: Int, hour: ModelHour) -> Int? {
        guard let p = period(of: hour) else { return nil }
        let index = lookup[(p * componentNames.count + component) * groupNames.count + cellGroups[cell]]
        return index >= 0 ? index : nil
    }

    /// The function of (component, group, period), nil when left out.
    public func function(component: Int, group: Int, period: Int) -> Int? {
        let index = lookup[(period * componentNames.count + component) * groupNames.count + group]
        return index >= 0 ? index : nil
    }

    /// Hours in function f's period.
    public func hours(of f: Int) -> Int { periodStarts[functions[f].period].distance(to: periodEnds[functions[f].period]) }
}
