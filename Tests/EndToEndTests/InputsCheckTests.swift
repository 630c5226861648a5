import Foundation
import Testing
import TestSupport

/// `rcas inputs check`, the dry run: on the synthetic configurations, on the
/// real-format samples (every key, with values the sample writers make
/// analytically), and on damaged copies (each missing input named, exit 1).
@Suite struct InputsCheckTests {
    static let requiredKeys = ["satellite_files", "satellite_soundings", "in_situ_files", "in_situ_samples",
                               "meteorology_hours", "prior_flux", "background"]

    /// Runs the check with --json and decodes the object.
    static func check(_ config: String) throws -> (status: Int32, json: [String: Any], stderr: String) {
        let result = try TestEnvironment.rcas(["inputs", "check", config, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return (result.status, object ?? [:], result.stderr)
    }

    @Test(arguments: ["test-small/twin.yaml", "china-64km/twin.yaml"])
    func syntheticConfigurationsPass(example: String) throws {
        let config = TestEnvironment.packageRoot.appendingPathComponent("Domains/\(example)").path
        let (status, json, stderr) = try Self.check(config)
        #expect(status == 0, "\(stderr)")
        for key in Self.requiredKeys { #expect(json[key] != nil, "no \(key)") }
        #expect(json["satellite_files"] as? Int == 0 && json["in_situ_files"] as? Int == 0)
        // A generator gives the run's hours: its start to one hour past its end.
        let hours = json["meteorology_hours"] as? [String: Any], period = json["period"] as? [String: String]
        #expect(hours?["first"] as? String == period?["start"] && hours?["missing_in_run"] as? Int == 0)
        #expect((hours?["count"] as? Int ?? 0) >= 2)
        let prior = json["prior_flux"] as? [String: [String: Any]] ?? [:]
        #expect(Set(prior.keys) == ["biosphere", "ocean", "fossil", "fire"])
        #expect(prior.values.allSatisfy { ($0["domain_total_tgc_per_year"] as? Double)?.isFinite == true })
        let mean = (json["background"] as? [String: Any])?["initial_mean_layer1_ppm"] as? Double ?? 0
        #expect((380...430).contains(mean), "\(mean)")
        #expect((json["problems"] as? [String])?.isEmpty == true)

        let text = try TestEnvironment.rcas(["inputs", "check", config])
        #expect(text.status == 0 && text.stdout.contains("every input is present and readable"), "\(text.stdout)")
    }

    /// Every key on the real-format samples; the counts are those
    /// make_samples.py writes, the flux totals and the background mean follow
    /// from carbontracker.py's analytic fields.
    @Test func realFormatSamplesReportEveryInput() throws {
        let (status, json, stderr) = try Self.check(try RealFormatSamples.config())
        #expect(status == 0, "\(stderr)")
        for key in Self.requiredKeys { #expect(json[key] != nil, "no \(key)") }
        #expect(json["satellite_files"] as? Int == 3)
        #expect(json["satellite_soundings"] as? Int == 1200)
        // SDZ lies in the domain; AMY and WLG (72 hourly samples each) do not.
        #expect(json["in_situ_files"] as? Int == 3)
        #expect(json["in_situ_samples"] as? Int == 216)
        #expect(json["in_situ_selected"] as? Int == 72)
        let hours = json["meteorology_hours"] as? [String: Any]
        #expect(hours?["first"] as? String == "2016-07-01T00:00:00Z" && hours?["last"] as? String == "2016-07-04T00:00:00Z")
        #expect(hours?["count"] as? Int == 73 && (hours?["gaps"] as? [Any])?.isEmpty == true)

        let prior = json["prior_flux"] as? [String: [String: Any]] ?? [:]
        func total(_ component: String) -> Double { prior[component]?["domain_total_tgc_per_year"] as? Double ?? .nan }
        #expect(prior.values.allSatisfy { ($0["source"] as? String)?.hasPrefix("CarbonTracker:") == true })
        // Uniform fields at the first period: 2e-6, -1e-7 and 3e-7 mol m-2 s-1 (stored as float32).
        #expect(abs(total("ocean") / total("biosphere") + 0.05) < 1e-8)
        #expect(abs(total("fossil") / total("biosphere") - 0.15) < 1e-8)
        // Fire: 5e-6 mol m-2 s-1 in the one 1° cell 39-40° N, 116-117° E, whole inside the domain,
        // on the domain's 6370 km sphere, a year of 365.2425 days, 12.011 g C per mol.
        let radius = 6_370_000.0, degree = Double.pi / 180
        let area = radius * radius * degree * (sin(40 * degree) - sin(39 * degree))
        let fire = 5 * area * 365.2425 * 86_400 * 12.011e-6 / 1e12
        #expect(abs(total("fire") / fire - 1) < 1e-5, "\(total("fire")) vs \(fire)")
        // co2 = 400 + 0.05 lat + 0.01 lon - 0.0005 z at the first hour; the domain is centred on 35 N 112 E.
        let background = json["background"] as? [String: Any]
        let mean = background?["initial_mean_layer1_ppm"] as? Double ?? 0
        #expect((402.5...403.1).contains(mean), "\(mean)")
        #expect((background?["source"] as? String)?.contains("CarbonTracker mole fractions") == true)

        let text = try TestEnvironment.rcas(["inputs", "check", try RealFormatSamples.config()])
        for line in ["3 file(s), 1200 usable soundings", "one per column and hour (thinning)", "72 selected",
                     "inside the model (domain, below its top)", "source: wrfout, 4 file(s)", "gaps: none",
                     "every input is present and readable"] {
            #expect(text.stdout.contains(line), "no '\(line)' in:\n\(text.stdout)")
        }
    }

    /// A copy of the samples with a day of fluxes and of mole fractions, the
    /// last wrfout hour and a Lite file's contents gone: every input named,
    /// the other sections still reported, exit status 1.
    @Test func missingInputsAreEachNamed() throws {
        let samples = try RealFormatSamples.folder.get()
        let damaged = try TestEnvironment.temporaryDirectory("real-format-damaged")
        for item in ["data", "domain", "real-format.yaml"] {
            try FileManager.default.copyItem(at: samples.appendingPathComponent(item), to: damaged.appendingPathComponent(item))
        }
        let data = damaged.appendingPathComponent("data")
        for path in ["ct/fluxes/CT2019B.flux1x1.20160702.nc", "ct/molefractions/CT2019B.molefrac_glb3x2_2016-07-02.nc",
                     "wrf/wrfout_d01_2016-07-04_00:00:00"] {
            try FileManager.default.removeItem(at: data.appendingPathComponent(path))
        }
        let lite = data.appendingPathComponent("oco2/oco2_LtCO2_160702_B11100Ar_210101000000s.nc4")
        try Data("not a NetCDF file".utf8).write(to: lite)

        let config = damaged.appendingPathComponent("real-format.yaml").path
        let (status, json, stderr) = try Self.check(config)
        #expect(status != 0)
        let problems = json["problems"] as? [String] ?? []
        #expect(problems.count == 4, "\(problems)")
        func named(_ key: String, _ detail: String) -> Bool {
            problems.contains { $0.hasPrefix(key) && $0.contains(detail) } && stderr.contains(detail)
        }
        #expect(named("observations.satellite", lite.path), "\(problems)")
        #expect(named("meteorology", "2016-07-04T00:00:00Z"), "\(problems)")
        #expect(named("prior_flux", "CT2019B.flux1x1.20160701.nc"), "\(problems)")
        #expect(named("background", "CT2019B.molefrac_glb3x2_2016-07-01.nc"), "\(problems)")
        // What could be read is still reported.
        #expect(json["in_situ_selected"] as? Int == 72)
        #expect(((json["background"] as? [String: Any])?["initial_mean_layer1_ppm"] as? Double).map { $0 > 400 } == true)
    }
}
