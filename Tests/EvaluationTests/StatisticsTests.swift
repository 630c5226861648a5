@testable import Evaluation
import Foundation
import Testing

@Suite struct StatisticsTests {
    @Test func scoresOfHandComputedPairs() {
        // model − obs = [−1, 0, 1, 2]: RMSE = sqrt(6/4), MAE = 1, mean bias 0.5;
        // the observations are constant, so CORR is undefined.
        let s = ObservationStatistics.compute(model: [401, 402, 403, 404], observed: [402, 402, 402, 402])
        #expect(s.count == 4)
        #expect(s.rmse == 1.5.squareRoot())
        #expect(s.mae == 1)
        #expect(s.meanBias == 0.5)
        #expect(s.correlation == nil)

        // Deviations from the means: model (−1, 0, 1), obs (−1, 1, 0): r = 1 / sqrt(2 × 2) = 0.5.
        let r = ObservationStatistics.compute(model: [401, 402, 403], observed: [401, 403, 402])
        #expect(abs(r.correlation! - 0.5) < 1e-15)
        #expect(ObservationStatistics.compute(model: [1], observed: [2]).correlation == nil)
        let empty = ObservationStatistics.compute(model: [], observed: [])
        #expect(empty.count == 0 && empty.rmse == nil && empty.mae == nil)
    }

    @Test func biasProbabilitiesAndStandardDeviation() {
        let biases: [Double] = [-4.5, -3.5, -2.5, -1.5, -0.5, 0, 0.5, 1.5, 2.5, 3.5, 4]
        let d = BiasDistribution.compute(model: biases.map { 400 + $0 }, observed: biases.map { _ in 400 })
        // Closed intervals [−4,4] [−3,3] [−2,2] [−1,1] [0,4] [0,3] [0,2], counted by hand.
        let counts: [Double] = [10, 7, 5, 3, 6, 4, 3]
        #expect(d.count == 11)
        for (p, c) in zip(d.percentInInterval!, counts) { #expect(abs(p - 100 * c / 11) < 1e-12) }

        // Biases 1, −1, 3, −3: mean 0, Σ squares 20, sample SD sqrt(20 / 3).
        let sd = BiasDistribution.compute(model: [1, -1, 3, -3], observed: [0, 0, 0, 0]).standardDeviation!
        #expect(abs(sd - (20.0 / 3).squareRoot()) < 1e-14)
        #expect(BiasDistribution.compute(model: [1], observed: [0]).standardDeviation == nil)
    }

    @Test func improvementRateAndUncertaintyReduction() {
        #expect(improvementRate(control: 2, experiment: 1.5) == 25)
        #expect(improvementRate(control: 2, experiment: 2.5) == -25)
        #expect(improvementRate(control: 0, experiment: 1) == nil)
        #expect(uncertaintyReduction(priorSigma: 2, posteriorSigma: 0.5) == 75)
        #expect(uncertaintyReduction(priorSigma: 0, posteriorSigma: 0.5) == nil)
    }

    @Test func subsetsFollowKindSetAndStatus() {
        // kind, set, status per row.
        let flags: [(Int8, Int8, ObservationTable.Status)] = [
            (0, 0, .assimilated), (0, 0, .rejectedOmBGate), (0, 1, .validation), (1, 1, .validation),
        ]
        let n = flags.count
        let table = ObservationTable(path: "t.nc", runKind: "AN", time: [Double](repeating: 0, count: n),
                                     latitude: [Double](repeating: 0, count: n), longitude: [Double](repeating: 0, count: n),
                                     kind: flags.map(\.0), set: flags.map(\.1), status: flags.map(\.2),
                                     site: [String](repeating: "", count: n), value: [Double](repeating: 400, count: n),
                                     model: [Double](repeating: 401, count: n))
        #expect(ObservationSubset.assimilated.rows(of: table) == [0])
        #expect(ObservationSubset.independent.rows(of: table) == [2])
        #expect(ObservationSubset.insitu.rows(of: table) == [3])
    }

    @Test func calendarMonths() {
        let feb = CalendarMonth(year: 2016, month: 2)
        #expect(feb.hours == 29 * 24)
        #expect(CalendarMonth(year: 2015, month: 12).next == CalendarMonth(year: 2016, month: 1))
        #expect(CalendarMonth(secondsSince1970: 1_454_284_800 - 1) == CalendarMonth(year: 2016, month: 1))  // 2016-02-01T00 − 1 s
        #expect(CalendarMonth(secondsSince1970: 1_454_284_800) == feb)
        #expect(hoursInYear(2016) == 8784 && hoursInYear(2015) == 8760)
    }
}
