import Foundation
import TestSupport
import Testing

/// `rcas plot` and the CF harness on the small twin run of test-small, as a user runs them.
@Suite(.serialized) struct PlotTests {
    static let domain = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path

    /// The 18-hour twin experiment of the experiment tests (test-small, 2 ranks).
    static var run: Result<URL, any Error> { ExperimentRunTests.twin }

    /// Every figure of a twin run with its pixel size (Tools/report/rcasreport/figure.py).
    static let figures: [(name: String, width: Int, height: Int)] = {
        var list: [(String, Int, Int)] = []
        for tag in ["period", "2016-07"] {
            for map in ["prior", "posterior", "posterior_minus_prior", "truth_minus_posterior", "uncertainty_reduction"] {
                list.append(("map_\(map)_\(tag).png", 900, 700))
            }
        }
        list += [("budget_daily_regions.png", 1500, 900), ("budget_monthly_regions.png", 1500, 900),
                 ("budget_daily_provinces.png", 1800, 1500), ("budget_monthly_provinces.png", 1800, 1500),
                 ("provinces_annual.png", 1500, 800), ("omf_histograms.png", 1500, 550), ("omf_maps.png", 1500, 1000)]
        return list
    }()

    /// Width and height from a PNG's signature and IHDR chunk, or nil when it is not a PNG.
    static func pngSize(_ url: URL) -> (width: Int, height: Int)? {
        guard let data = try? Data(contentsOf: url), data.count > 24,
              Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
              Array(data[12..<16]) == Array("IHDR".utf8) else { return nil }
        func int(_ at: Int) -> Int { data[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (int(16), int(20))
    }

    @Test func plotWritesEveryFigureAndThePage() throws {
        let run = try Self.run.get()
        let report = run.deletingLastPathComponent().appendingPathComponent("report")
        let result = try TestEnvironment.rcas(["plot", run.path, "--output", report.path, "--domain", Self.domain])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let page = try String(contentsOf: report.appendingPathComponent("index.html"), encoding: .utf8)
        for figure in Self.figures {
            let size = Self.pngSize(report.appendingPathComponent(figure.name))
            #expect(size?.width == figure.width && size?.height == figure.height,
                    "\(figure.name): \(String(describing: size)), expected \(figure.width) x \(figure.height)")
            #expect(page.contains("src='\(figure.name)'"), "index.html does not show \(figure.name)")
        }
        // The filter diagnostics: a figure when the run has diagnostics.nc, else a note on the page.
        if FileManager.default.fileExists(atPath: run.appendingPathComponent("diagnostics.nc").path) {
            let size = Self.pngSize(report.appendingPathComponent("filter_diagnostics.png"))
            #expect(size?.width == 1300 && size?.height == 1000, "filter_diagnostics.png: \(String(describing: size))")
        } else {
            #expect(page.contains("Not shown: filter diagnostics") && page.contains("no diagnostics.nc"))
        }
        for table in ["Regional budgets", "Provincial budgets", "Validation", "heilongjiang", "north_china"] {
            #expect(page.contains(table), "index.html lacks \(table)")
        }
        // Relative links only: nothing the page loads comes from a server.
        #expect(!page.contains("http://") && !page.contains("https://") && !page.contains("src='/"))
    }

    @Test func plotFailsClearlyOnBadInput() throws {
        let folder = try TestEnvironment.temporaryDirectory("plot-bad")
        let missing = folder.appendingPathComponent("no-run").path
        let result = try TestEnvironment.rcas(["plot", missing, "--output", folder.appendingPathComponent("out").path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(missing)/observations.nc") && result.stderr.contains("does not exist"), "\(result.stderr)")
        let month = try TestEnvironment.rcas(["plot", try Self.run.get().path, "--output", folder.path, "--month", "2016-13"])
        #expect(month.status != 0 && month.stderr.contains("--month must be YYYY-MM"), "\(month.stderr)")
        let absent = try TestEnvironment.rcas(["plot", try Self.run.get().path, "--output", folder.path, "--month", "2015-01",
                                               "--domain", Self.domain])
        #expect(absent.status == 1 && absent.stderr.contains("fluxes.nc has no record in that month"), "\(absent.stderr)")
    }

    /// Every file RCAS writes passes cfchecker (CF-1.8) with 0 errors and 0 warnings and the IOOS
    /// compliance checker's cf:1.8 suite (Tools/cf/check_cf.py lists what fails).
    @Test func runFilesPassTheCFCheckers() throws {
        let run = try Self.run.get()
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tools/cf/check_cf.py").path
        let result = try TestEnvironment.run("/usr/bin/env", ["python3", script, run.path])
        #expect(result.stdout.contains("fluxes.nc:") && result.stdout.contains("observations.nc:"), "\(result.stdout)\n\(result.stderr)")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains(" 0 errors, 0 warnings, 0 failed compliance checks"), "\(result.stdout)")
    }
}

