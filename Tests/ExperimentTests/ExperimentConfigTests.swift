import ConfigFormat
import Foundation
import Testing
import TestSupport
@testable import Experiment
import Assimilation

@Suite struct ExperimentConfigTests {
    let domain = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path

    func write(_ text: String) throws -> String {
        let folder = try TestEnvironment.temporaryDirectory("config")
        let path = folder.appendingPathComponent("experiment.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    var minimal: String {
        """
        name: t
        domain: \(domain)
        period: {start: 2016-07-01T00, end: 2016-07-02T23, spin_up_days: 1}
        assimilation: {members: 6}
        observations:
          satellite: {source: synthetic, instrument: gosat}
        """
    }

    @Test func defaultsAreTheSweptOnes() throws {
        let config = try ExperimentConfig.load(try write(minimal))
        #expect(config.members == 6 && config.assimilation.windowHours == 24)
        #expect(config.satellite.ombGate == 5)
        #expect(config.initialBoundaryPerturbation == 0.0005)
        #expect(config.satellite.errorInflation == 1 && config.satellite.errorFloor == 0)
        #expect(config.hourCount == 48 && config.firstAssessedHour.iso == "2016-07-02T00:00:00Z")
        #expect(config.text.contains("name: t"))
    }

    @Test(arguments: [
        ("unknown key", "assimilation: {members: 6}", "assimilation: {members: 6, membres: 3}", "assimilation.membres"),
        ("negative members", "assimilation: {members: 6}", "assimilation: {members: -4}", "assimilation.members"),
        ("state vector", "assimilation: {members: 6}", "assimilation: {members: 6, flux_components: [net, biosphere]}", "assimilation.flux_components"),
        ("scheme and state disagree", "assimilation: {members: 6}",
         "assimilation: {members: 6, flux_components: [biosphere, ocean], flux_ensemble: {generator: gcasv2, gcasv2_scheme: net-flux}}",
         "assimilation.flux_components"),
        ("end before start", "end: 2016-07-02T23", "end: 2016-06-02T23", "period.end"),
        ("missing file", "source: synthetic, instrument: gosat", "source: files, instrument: gosat, files: [/no/such.nc4]", "observations.satellite.files"),
        ("bad domain", "domain: ", "domain: /no/such/domain #", "domain"),
    ])
    func badConfigurationsNameTheKey(_ case: (String, String, String, String)) throws {
        let (_, original, replacement, key) = `case`
        let text = minimal.replacingOccurrences(of: original, with: replacement)
        #expect(text != minimal)
        let error = #expect(throws: ConfigError.self) { try ExperimentConfig.load(try write(text)) }
        #expect(error?.key?.hasPrefix(key) == true, "\(String(describing: error))")
    }

    /// The resolved text is itself a valid configuration that resolves to the same text.
    @Test(arguments: ["china-64km/twin.yaml", "china-64km/jdas-2016.yaml", "test-small/twin.yaml",
                      "test-small/twin-boundary-bias.yaml", "test-small/twin-boundary-bias-off.yaml"])
    func resolvedConfigurationRoundTrips(example: String) throws {
        var path = TestEnvironment.packageRoot.appendingPathComponent("Domains/\(example)").path
        if example.hasPrefix("china-64km/jdas") {
            // Its observation and met folders are where real data would go:
            // point them at existing folders for this check (the prior-flux
            // and background folders are listed only when a run starts).
            let text = try String(contentsOfFile: path, encoding: .utf8)
                .replacingOccurrences(of: "[data/gosat]", with: "[\(domain)]")
                .replacingOccurrences(of: "[data/obspack]", with: "[\(domain)]")
                .replacingOccurrences(of: "directory: data/met", with: "directory: \(domain)")
                .replacingOccurrences(of: "domain: .", with: "domain: \(TestEnvironment.packageRoot.path)/Domains/china-64km")
            path = try write(text)
        }
        let first = try ExperimentConfig.load(path)
        let second = try ExperimentConfig.load(try write(first.resolvedText))
        #expect(second.resolvedText == first.resolvedText)
        #expect(first.resolvedText.contains("members: \(first.members)"))
    }

    @Test func correlatedNoiseHasUnitVarianceAndTheStatedCorrelation() throws {
        let config = try ExperimentConfig.load(try write(minimal))
        let grid = config.domain.grid
        let noise = CorrelatedNoise(grid: grid, length: 600_000)
        #expect(abs(noise.weightsX.map { $0 * $0 }.reduce(0, +) - 1) < 1e-12)
        let random = KeyedRandomForTests.make()
        let fields = (0..<400).map { m in noise.field { random.normal(member: m, hour: 0, cell: $0) } }
        // Sample variance near 1 everywhere, and neighbours strongly correlated.
        let cell = grid.index(10, 8), neighbour = grid.index(11, 8)
        let variance = fields.map { $0[cell] * $0[cell] }.reduce(0, +) / 400
        let covariance = fields.map { $0[cell] * $0[neighbour] }.reduce(0, +) / 400
        #expect(abs(variance - 1) < 0.2)
        #expect(covariance > 0.6)
        let white = CorrelatedNoise(grid: grid, length: 0)
        #expect(white.weightsX == [1] && white.weightsY == [1])
    }

    @Test func meanAndSpreadAreTheUnbiasedSampleMoments() {
        let (mean, spread) = meanAndSpread([1.0, 2, 3, 4])
        #expect(mean == 2.5)
        #expect(abs(spread - (5.0 / 3).squareRoot()) < 1e-15)
        #expect(meanAndSpread([7.0]).spread == 0)
    }
}

import RandomStreams
enum KeyedRandomForTests {
    static func make() -> RandomStreams.KeyedRandom { RandomStreams.KeyedRandom(seed: 5, stream: "test") }
}
