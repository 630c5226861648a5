import Foundation
import Geometry
import ModelTime

/// How the retrievals of one model column and hour become observations.
public enum XCO2Combination: String, Sendable, CaseIterable {
    /// Kou2023: keep the retrieval with the smallest reported uncertainty;
    /// the others go to the independent validation set.
    case thinning
    /// Jiang2021 Eq. 7-9: combine all of them, weights 1/r_j².
    case superObservations = "super-observations"
}

/// Settings of XCO2 selection and quality control. Defaults follow Kou2023
/// (5 ppm OMB gate, reported errors as they are); Jiang2021 used
/// `errorInflation` 1.9 and `errorFloor` 1 ppm.
public struct XCO2SelectionOptions: Sendable, Equatable {
    /// Decides the viewing-mode rule.
    public var instrument: SatelliteInstrument
    /// First hour kept (inclusive), nil for no limit.
    public var start: ModelHour?
    /// First hour no longer kept (exclusive), nil for no limit.
    public var end: ModelHour?
    /// Thinning (Kou2023) or super-observations (Jiang2021).
    public var combination: XCO2Combination
    /// OMB gate (ppm): an observation with |y − H(x̄)| greater than this is rejected.
    public var ombThreshold: Double
    /// Factor applied to the (super-)observation's uncertainty.
    public var errorInflation: Double
    /// Smallest error (ppm) after inflation.
    public var errorFloor: Double

    public init(instrument: SatelliteInstrument, start: ModelHour? = nil, end: ModelHour? = nil,
                combination: XCO2Combination = .thinning, ombThreshold: Double = 5,
                errorInflation: Double = 1, errorFloor: Double = 0) {
        self.instrument = instrument
        self.start = start
        self.end = end
        self.combination = combination
        self.ombThreshold = ombThreshold
        self.errorInflation = errorInflation
        self.errorFloor = errorFloor
    }

    /// Jiang2021's error model: r' = max(inflation × r, floor). Inflation comes
    /// first, then the floor (Jiang2021: "inflated by a factor of 1.9 ... but a
    /// lowest error is added ... 1 ppm").
    public func modelError(_ reported: Double) -> Double {
        max(errorInflation * reported, errorFloor)
    }
}

/// One step of a selection: how many items it kept and dropped.
public struct SelectionStep: Sendable, Equatable {
    /// What the step selects.
    public let name: String
    /// Items left after the step.
    public let kept: Int
    /// Items the step removed (or merged, for super-observations).
    public let dropped: Int

    public init(name: String, kept: Int, dropped: Int) {
        self.name = name
        self.kept = kept
        self.dropped = dropped
    }
}

/// The counts of every selection step, in order, for the run log.
public struct SelectionReport: Sendable, Equatable, CustomStringConvertible {
    /// Steps in the order they ran.
    public var steps: [SelectionStep] = []
    /// The first step's drops explained: rows dropped while reading, by
    /// "variable: problem" (fill values, implausible values, duplicates ...).
    public var readDrops: [String: Int] = [:]

    public init(steps: [SelectionStep] = [], readDrops: [String: Int] = [:]) {
        self.steps = steps
        self.readDrops = readDrops
    }

    /// Appends a step.
    public mutating func record(_ name: String, kept: Int, dropped: Int) {
        steps.append(SelectionStep(name: name, kept: kept, dropped: dropped))
    }

    /// The count kept by the step named `name`.
    public func kept(_ name: String) -> Int? { steps.first { $0.name == name }?.kept }

    public var description: String {
        var lines = steps.map {
            "  " + $0.name.padding(toLength: 44, withPad: " ", startingAt: 0)
                + String(format: " kept %8d  dropped %8d", $0.kept, $0.dropped)
        }
        let reasons = readDrops.sorted { $0.key < $1.key }.map { String(format: "      %@: %d", $0.key, $0.value) }
        lines.insert(contentsOf: reasons, at: min(1, lines.count))
        // Kou2023 reports the assimilated share of the thinned amount (79.22 %).
        if let thinned = steps.first(where: { $0.name.hasPrefix(XCO2Selector.combineStepPrefix) })?.kept,
           let gated = kept(XCO2Selector.gateStep), thinned > 0 {
            let what = steps.contains { $0.name.contains("thinning") } ? "thinned" : "combined"
            lines.append(String(format: "  assimilated: %.2f %% of the ", 100 * Double(gated) / Double(thinned)) + what + " amount")
        }
        return lines.joined(separator: "\n")
    }
}

/// An observation ready for the operator: one sounding (thinning) or the
/// Jiang2021 combination of several (super-observation) in one model column
/// and hour.
public struct XCO2Observation: Sendable, Equatable {
    /// The retrievals the observation stands for.
    public let soundings: [XCO2Sounding]
    /// w_j = 1/r_j² of each sounding (Jiang2021 Eq. 8).
    public let weights: [Double]
    /// Model column (i west-east).
    public let i: Int
    /// Model column (j south-north).
    public let j: Int
    /// The model hour of the observation.
    public let hour: ModelHour
    /// y: the sounding's XCO2, or Σ w_j y_j / Σ w_j (Jiang2021 Eq. 8), ppm.
    public let value: Double
    /// r: the reported uncertainty, or (Σ 1/r_j²)^(-1/2) (Jiang2021 Eq. 7), ppm.
    public let uncertainty: Double

    public init(soundings: [XCO2Sounding], i: Int, j: Int) {
        precondition(!soundings.isEmpty, "an observation needs at least one sounding")
        self.soundings = soundings
        self.i = i
        self.j = j
        hour = soundings[0].hour
        weights = soundings.map { 1 / ($0.uncertainty * $0.uncertainty) }
        if soundings.count == 1 {
            // Thinning: the retrieval as reported (Eq. 7-8 would round it).
            value = soundings[0].xco2
            uncertainty = soundings[0].uncertainty
        } else {
            let total = weights.reduce(0, +)
            value = zip(weights, soundings).map { $0 * $1.xco2 }.reduce(0, +) / total
            uncertainty = 1 / total.squareRoot()
        }
    }

    /// Simulated values per member: the column operator for each sounding,
    /// combined with the observation's weights (Jiang2021 Eq. 9). Nil when a
    /// sounding is outside the sampler's grid.
    public func simulate(with sampler: some EnsembleColumnSampler) throws -> [Double]? {
        if soundings.count == 1 { return try ColumnOperator.simulate(soundings[0], with: sampler) }
        var combined = [Double](repeating: 0, count: sampler.memberCount)
        let total = weights.reduce(0, +)
        for (sounding, w) in zip(soundings, weights) {
            guard let values = try ColumnOperator.simulate(sounding, with: sampler) else { return nil }
            for m in combined.indices { combined[m] += w * values[m] }
        }
        return combined.map { $0 / total }
    }
}

/// An observation that passed the OMB gate, with its simulated values and
/// the error the analysis uses.
public struct AssimilatedXCO2: Sendable, Equatable {
    /// The observation.
    public let observation: XCO2Observation
    /// H(x_m) per member (ppm).
    public let simulated: [Double]
    /// Error after the error model (ppm).
    public let error: Double
}

/// What selection gives: the observations to simulate, the independent
/// validation set (retrievals removed by thinning) and the counts.
public struct XCO2Selection: Sendable {
    /// Observations to simulate and assimilate, by (hour, cell).
    public let observations: [XCO2Observation]
    /// Retrievals removed by thinning: the independent validation set (Kou2023).
    public let validation: [XCO2Sounding]
    /// Counts of steps 1-5.
    public var report: SelectionReport
}

/// Selection and quality control of satellite XCO2 (SCIENCE.md 6.1).
///
/// Order: (1) quality flag 0; (2) viewing mode — OCO-2 land nadir and land
/// glint only (He2023), GOSAT soundings over water in glint only (Kou2023;
/// see the note in the code on files without `operation_mode`);
/// (3) time window; (4) inside the domain; (5) thinning or super-observations
/// per model column and hour; then, once the ensemble is simulated,
/// (6) the OMB gate on the reported value and (7) the error model on the
/// survivors. The gate therefore never sees the inflated error and the error
/// model never sees rejected observations.
public enum XCO2Selector {
    static let combineStepPrefix = "one per column and hour"
    /// Name of the OMB-gate step in the report.
    public static let gateStep = "OMB gate"

    /// Steps 1-5. `droppedInvalid` (the readers' count of unusable rows) is
    /// reported as the first step's drops.
    public static func select(_ input: [XCO2Sounding], grid: HorizontalGrid, options: XCO2SelectionOptions,
                              droppedInvalid: Int = 0) -> XCO2Selection {
        var report = SelectionReport()
        var soundings = input.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
        func keep(_ name: String, _ predicate: (XCO2Sounding) -> Bool) {
            let before = soundings.count
            soundings = soundings.filter(predicate)
            report.record(name, kept: soundings.count, dropped: before - soundings.count)
        }
        report.record("read (valid rows)", kept: soundings.count, dropped: droppedInvalid)
        keep("quality flag 0") { $0.qualityFlag == 0 }
        switch options.instrument {
        case .oco2:
            keep("land nadir + land glint") { $0.isLand && ($0.operationMode == .nadir || $0.operationMode == .glint) }
        case .gosat:
            // ACOS GOSAT Lite files state no operation_mode: their water
            // soundings are ocean-glint (gain H) retrievals by construction,
            // so the check bites only on files that state a mode.
            keep("water soundings in glint mode only") {
                !$0.isWater || $0.operationMode == nil || $0.operationMode == .glint
            }
        }
        keep("time window") { s in
            let h = s.hour
            return (options.start.map { h >= $0 } ?? true) && (options.end.map { h < $0 } ?? true)
        }
        var cells: [Int64: (Int, Int)] = [:]
        keep("inside domain") { s in
            guard let c = grid.cell(containing: s.location) else { return false }
            cells[s.id] = c
            return true
        }

        // Group by (hour, column); the key order makes the output order.
        struct Key: Hashable, Comparable {
            let hour: Int, cell: Int
            static func < (a: Key, b: Key) -> Bool { (a.hour, a.cell) < (b.hour, b.cell) }
        }
        var groups: [Key: [XCO2Sounding]] = [:]
        for s in soundings {
            let (i, j) = cells[s.id]!
            groups[Key(hour: s.hour.value, cell: grid.index(i, j)), default: []].append(s)
        }
        var observations: [XCO2Observation] = []
        var validation: [XCO2Sounding] = []
        for key in groups.keys.sorted() {
            let members = groups[key]!
            let (i, j) = (key.cell % grid.nx, key.cell / grid.nx)
            switch options.combination {
            case .thinning:
                let best = members.min { ($0.uncertainty, $0.id) < ($1.uncertainty, $1.id) }!
                observations.append(XCO2Observation(soundings: [best], i: i, j: j))
                validation += members.filter { $0.id != best.id }
            case .superObservations:
                observations.append(XCO2Observation(soundings: members, i: i, j: j))
            }
        }
        let name = combineStepPrefix + (options.combination == .thinning ? " (thinning)" : " (super-observations)")
        report.record(name, kept: observations.count, dropped: soundings.count - observations.count)
        validation.sort { ($0.time, $0.id) < ($1.time, $1.id) }
        return XCO2Selection(observations: observations, validation: validation, report: report)
    }

    /// Steps 1-5 on the soundings of a source, with the reading drops
    /// (by variable and problem) in the report.
    public static func select(_ input: XCO2Input, grid: HorizontalGrid, options: XCO2SelectionOptions) -> XCO2Selection {
        var selection = select(input.soundings, grid: grid, options: options, droppedInvalid: input.droppedInvalid)
        selection.report.readDrops = input.dropReasons
        return selection
    }

    /// Steps 6-7: the OMB gate |y − mean_m H(x_m)| > threshold rejects, then
    /// the error model r' = max(f r, floor) applies to the survivors.
    /// `simulated[n]` holds the member values of `observations[n]`.
    public static func qualityControl(_ observations: [XCO2Observation], simulated: [[Double]],
                                      options: XCO2SelectionOptions,
                                      report: inout SelectionReport) -> [AssimilatedXCO2] {
        precondition(observations.count == simulated.count, "one simulated ensemble per observation")
        var kept: [AssimilatedXCO2] = []
        for (observation, members) in zip(observations, simulated) {
            let mean = members.reduce(0, +) / Double(members.count)
            guard abs(observation.value - mean) <= options.ombThreshold else { continue }
            kept.append(AssimilatedXCO2(observation: observation, simulated: members,
                                        error: options.modelError(observation.uncertainty)))
        }
        report.record(gateStep, kept: kept.count, dropped: observations.count - kept.count)
        return kept
    }
}
