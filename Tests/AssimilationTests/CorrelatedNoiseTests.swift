import Assimilation
import Foundation
import Geometry
import RandomStreams
import Testing
import TestSupport

/// Keyed standard-normal white noise of draw `draw` at cell (i, j).
private func white(draw: Int, seed: UInt64 = 11) -> (Int, Int) -> Double {
    { i, j in KeyedRandom(seed: seed, stream: "tests").normal(draw, i, j) }
}

@Suite struct CorrelatedNoiseTests {
    @Test func weightsAreGaussiansOfWidthLOverRootTwoWithUnitSumOfSquares() {
        // dx = 50 km, L = 200 km: σ_k = 141.42 km, cut at 4 σ_k = 565.7 km → 12 cells.
        let noise = CorrelatedNoise(nx: 5, ny: 5, dx: 50_000, dy: 40_000, length: 200_000)
        #expect(noise.reachX == 12 && noise.weightsX.count == 25)
        #expect(noise.reachY == 15 && noise.weightsY.count == 31)   // 565.7 km / 40 km
        for (weights, h) in [(noise.weightsX, 50_000.0), (noise.weightsY, 40_000.0)] {
            let reach = weights.count / 2
            #expect(isClose(weights.reduce(0) { $0 + $1 * $1 }, 1, absolute: 4 * Double.ulpOfOne))
            for a in -reach...reach {
                #expect(weights[reach + a] == weights[reach - a])
                // w(a) / w(0) = exp(−(a h)² / 2σ_k²) = exp(−(a h)² / L²)
                let ratio = weights[reach + a] / weights[reach]
                let d = Double(a) * h / 200_000
                #expect(isClose(ratio, exp(-d * d), relative: 1e-14), "offset \(a)")
            }
        }
        let white = CorrelatedNoise(nx: 5, ny: 5, dx: 50_000, dy: 50_000, length: 0)
        #expect(white.weightsX == [1] && white.weightsY == [1])
    }

    /// The discrete kernel's autocorrelation Σ_a w(a) w(a + m) is the
    /// field's correlation at d = m dx (Σ wy² = 1 makes the correlation along
    /// x the 1-D one). Against the target exp(−d² / 2L²) the sampling error is
    /// negligible for dx ≤ L/2; the 4 σ_k cut leaves at most 2e-6 up to d = L
    /// and 4e-5 up to d = 2L.
    @Test(arguments: [(50_000.0, 200_000.0), (64_000.0, 800_000.0), (50_000.0, 100_000.0), (10_000.0, 900_000.0)])
    func kernelAutocorrelationIsTheTargetFieldCorrelation(dx: Double, length: Double) {
        let w = CorrelatedNoise(nx: 5, ny: 5, dx: dx, dy: dx, length: length).weightsX
        for m in 0..<w.count where Double(m) * dx <= 2 * length {
            let autocorrelation = (0..<(w.count - m)).reduce(0.0) { $0 + w[$1] * w[$1 + m] }
            let d = Double(m) * dx
            let tolerance = d <= length ? 2e-6 : 4e-5
            #expect(isClose(autocorrelation, exp(-d * d / (2 * length * length)), absolute: tolerance), "lag \(m)")
        }
    }

    @Test func separableFilterEqualsTheDirectTwoDimensionalConvolution() {
        let noise = CorrelatedNoise(nx: 9, ny: 7, dx: 50_000, dy: 40_000, length: 150_000)
        let n = white(draw: 3)
        let (wx, wy, rx, ry) = (noise.weightsX, noise.weightsY, noise.reachX, noise.reachY)
        var direct: [Double] = []
        for j in 0..<7 {
            for i in 0..<9 {
                var sum = 0.0
                for b in -ry...ry { for a in -rx...rx { sum += wx[a + rx] * wy[b + ry] * n(i + a, j + b) } }
                direct.append(sum)
            }
        }
        let separable = noise.field(white: n)
        let c = closeness(separable, direct, relative: 1e-13, absolute: 1e-14)
        #expect(c.passed, "\(c)")
    }

    @Test func aTileHoldsExactlyTheWholeGridValues() {
        let nx = 23, ny = 17
        let noise = CorrelatedNoise(nx: nx, ny: ny, dx: 50_000, dy: 50_000, length: 300_000)
        let n = white(draw: 5)
        let whole = noise.field(white: n)
        let tiles: [(Range<Int>, Range<Int>)] = [(0..<12, 0..<9), (12..<23, 0..<9), (0..<12, 9..<17), (12..<23, 9..<17),
                                                 (0..<1, 0..<1), (22..<23, 16..<17), (7..<8, 3..<15), (4..<19, 11..<12),
                                                 (0..<23, 0..<17)]
        for (iRange, jRange) in tiles {
            let tile = noise.field(iRange: iRange, jRange: jRange, white: n)
            let expected = jRange.flatMap { j in iRange.map { i in whole[j * nx + i] } }
            #expect(firstBitDifference(tile, expected) == nil, "tile \(iRange) x \(jRange)")
        }
        #expect(noise.field(iRange: 3..<3, jRange: 0..<5, white: n).isEmpty)
    }

    @Test func zeroLengthGivesTheWhiteNoiseItself() {
        let noise = CorrelatedNoise(nx: 6, ny: 4, dx: 64_000, dy: 64_000, length: 0)
        let n = white(draw: 1)
        let expected = (0..<4).flatMap { j in (0..<6).map { i in n(i, j) } }
        #expect(firstBitDifference(noise.field(white: n), expected) == nil)
        // The cell-keyed entry point sees the grid index j · nx + i.
        let byIndex = noise.field { (cell: Int) in Double(cell) }
        #expect(byIndex == (0..<24).map(Double.init))
    }

    @Test func cellKeysAreGridIndicesInsideAndDistinctNegativeNumbersOutside() {
        let noise = CorrelatedNoise(nx: 7, ny: 5, dx: 64_000, dy: 64_000, length: 0)
        var seen = Set<Int>()
        for j in -40...45 {
            for i in -40...47 {
                let key = noise.cellKey(i, j)
                #expect(seen.insert(key).inserted, "key \(key) of (\(i), \(j)) repeats")
                if (0..<7).contains(i) && (0..<5).contains(j) { #expect(key == j * 7 + i) } else { #expect(key < 0) }
            }
        }
    }

    @Test func cellKeyedFieldIsTheTileFieldWithCellKeys() {
        let noise = CorrelatedNoise(nx: 8, ny: 6, dx: 64_000, dy: 64_000, length: 256_000)
        let keyed = { (key: Int) in KeyedRandom(seed: 4, stream: "tests").normal(key) }
        let viaKeys = noise.field(white: keyed)
        let viaTile = noise.field(iRange: 0..<8, jRange: 0..<6) { i, j in keyed(noise.cellKey(i, j)) }
        #expect(firstBitDifference(viaKeys, viaTile) == nil)
    }

    /// Over many keyed draws every cell, the corners included, has variance
    /// 1 and the correlation exp(−d² / 2L²) at d = 0, L and 2L (1, 0.607,
    /// 0.135). With 2000 draws the mean of x² (a variance) has a standard
    /// error of √(2/2000) = 0.032 and the mean of x y (a covariance ρ of unit
    /// variables) one of √((1 + ρ²)/2000) ≤ 0.026, so the per-cell and
    /// per-pair tolerances are 4–5 standard errors and the grid averages'
    /// more still. A kernel of width L instead of L/√2 would give 0.78 and
    /// 0.37; a kernel truncated at the edges would put the corners' variance
    /// or correlation off.
    @Test func fieldsHaveUnitVarianceAndTheTargetCorrelation() {
        let nx = 12, ny = 12, draws = 2000, lag = 2   // L = 2 cells
        let noise = CorrelatedNoise(nx: nx, ny: ny, dx: 50_000, dy: 50_000, length: 100_000)
        // Sums over draws of x_c², and of x_c x_(c+m) along x and y for m = L, 2L.
        var squares = [Double](repeating: 0, count: nx * ny)
        var products = [[Double]](repeating: [Double](repeating: 0, count: 2 * nx * ny), count: 3)
        for draw in 0..<draws {
            let x = noise.field(white: white(draw: draw, seed: 2024))
            for j in 0..<ny {
                for i in 0..<nx {
                    let c = j * nx + i
                    squares[c] += x[c] * x[c]
                    for k in 1...2 {
                        let m = k * lag
                        if i + m < nx { products[k][2 * c] += x[c] * x[c + m] }
                        if j + m < ny { products[k][2 * c + 1] += x[c] * x[c + m * nx] }
                    }
                }
            }
        }
        let variances = squares.map { $0 / Double(draws) }
        let perCell = closeness(variances, [Double](repeating: 1, count: nx * ny), absolute: 0.15)
        #expect(perCell.passed, "per-cell variance: \(perCell)")
        #expect(isClose(variances.reduce(0, +) / Double(nx * ny), 1, absolute: 0.04))
        for k in 1...2 {
            let target = exp(-0.5 * Double(k * k)), m = k * lag
            var pairs: [Double] = []
            var corners: [(String, Double)] = []
            for j in 0..<ny {
                for i in 0..<nx {
                    let c = j * nx + i
                    if i + m < nx { pairs.append(products[k][2 * c] / Double(draws)) }
                    if j + m < ny { pairs.append(products[k][2 * c + 1] / Double(draws)) }
                }
            }
            // From the two lower corners inwards, and into the two upper ones.
            corners.append(("(0, 0) along x", products[k][0] / Double(draws)))
            corners.append(("(0, 0) along y", products[k][1] / Double(draws)))
            corners.append(("(nx-1, 0) along y", products[k][2 * (nx - 1) + 1] / Double(draws)))
            corners.append(("(0, ny-1) along x", products[k][2 * (ny - 1) * nx] / Double(draws)))
            corners.append(("into (nx-1, ny-1) along x", products[k][2 * (ny * nx - 1 - m)] / Double(draws)))
            corners.append(("into (nx-1, ny-1) along y", products[k][2 * ((ny - 1 - m) * nx + nx - 1) + 1] / Double(draws)))
            for (name, covariance) in corners {
                #expect(isClose(covariance, target, absolute: 0.11), "corner \(name), lag \(k)L: \(covariance)")
            }
            let everyPair = closeness(pairs, [Double](repeating: target, count: pairs.count), absolute: 0.13)
            #expect(everyPair.passed, "lag \(k)L: \(everyPair)")
            #expect(isClose(pairs.reduce(0, +) / Double(pairs.count), target, absolute: 0.03), "mean at lag \(k)L")
        }
    }

    @Test func gridInitialiserTakesTheProjectedSpacings() {
        let grid = HorizontalGrid(projection: Projection(.obliqueStereographic(latitudeOfOrigin: 35, longitudeOfOrigin: 116,
                                                                               scaleFactor: 1)),
                                  nx: 105, ny: 86, dx: 64_000, dy: 64_000, xOrigin: -3_360_000, yOrigin: -2_752_000)
        let noise = CorrelatedNoise(grid: grid, length: 800_000)
        // σ_k = 565.7 km; 4 σ_k = 2262.7 km = 35.4 cells.
        #expect(noise.nx == 105 && noise.ny == 86 && noise.reachX == 36 && noise.reachY == 36)
    }
}

/// The exact covariance a synthesis prior uses: summing products of the
/// field's response to unit impulses of white noise at every cell of the
/// plane that reaches the two cells gives the same numbers.
@Test func correlationIsTheCovarianceOfTheFilteredField() {
    let noise = CorrelatedNoise(nx: 6, ny: 5, dx: 50_000, dy: 40_000, length: 90_000)
    let (rx, ry) = (noise.reachX, noise.reachY)
    // Response of every grid cell to an impulse at (p, q).
    func response(_ p: Int, _ q: Int) -> [Double] { noise.field { i, j in i == p && j == q ? 1 : 0 } }
    var covariance = [Double](repeating: 0, count: 30 * 30)
    for q in -ry..<(5 + ry) {
        for p in -rx..<(6 + rx) {
            let r = response(p, q)
            for a in 0..<30 { for b in 0..<30 { covariance[a * 30 + b] += r[a] * r[b] } }
        }
    }
    for a in 0..<30 {
        for b in 0..<30 {
            let exact = noise.correlation(di: a % 6 - b % 6, dj: a / 6 - b / 6)
            #expect(abs(covariance[a * 30 + b] - exact) < 1e-14, "cells \(a), \(b)")
        }
    }
    #expect(abs(noise.correlation(di: 0, dj: 0) - 1) < 1e-14)
    #expect(noise.correlation(di: 2 * rx + 1, dj: 0) == 0)
}
