import ConfigFormat
import Foundation
import Inputs
import Testing

@Suite struct InputSettingsTests {
    let base = URL(fileURLWithPath: "/data/runs")

    func prior(_ text: String) throws -> PriorFluxSettings {
        try PriorFluxSettings(ConfigMapping.parse(text, file: "exp.yaml"), baseDirectory: base)
    }

    func background(_ text: String) throws -> BackgroundSettings {
        try BackgroundSettings(ConfigMapping.parse(text, file: "exp.yaml"), baseDirectory: base)
    }

    @Test func anEmptySectionIsTheSyntheticWorld() throws {
        #expect(try prior("{}") == .synthetic)
        #expect(try background("{}") == .synthetic)
    }

    @Test func carbonTrackerSectionsResolvePathsFromTheConfigurationFolder() throws {
        #expect(try prior("source: carbontracker\ndirectory: ct/fluxes\npattern: \"CT2019B.flux1x1.2016*.nc\"\n")
            == PriorFluxSettings(source: .carbonTracker(.directory("/data/runs/ct/fluxes", pattern: "CT2019B.flux1x1.2016*.nc"))))
        #expect(try prior("source: carbontracker\nfiles: [a.nc, /abs/b.nc, ../c.nc]\n")
            == PriorFluxSettings(source: .carbonTracker(.list(["/data/runs/a.nc", "/abs/b.nc", "/data/c.nc"]))))
        #expect(try background("source: carbontracker\ndirectory: ct/mf\n")
            == BackgroundSettings(source: .carbonTracker(.directory("/data/runs/ct/mf", pattern: "*.nc"))))
    }

    @Test func aFilesSectionReadsEachComponent() throws {
        let text = """
            source: files
            components:
              biosphere: {directory: sib4, pattern: "*.nc", variable: nee, time_resolution: 3-hourly}
              ocean: {files: [ocean.nc], variable: fgco2, units: "mol m-2 s-1", time_resolution: monthly, positive: down, missing_as_zero: true}
              fire: zero
            """
        let settings = try prior(text)
        guard case .files(let components) = settings.source else { Issue.record("not a files source"); return }
        #expect(components.count == 2 && components[.fossil] == nil && components[.fire] == nil)
        #expect(components[.biosphere] == FluxFileSettings(files: .directory("/data/runs/sib4", pattern: "*.nc"), variable: "nee",
                                                           timeResolution: .threeHourly))
        #expect(components[.ocean] == FluxFileSettings(files: .list(["/data/runs/ocean.nc"]), variable: "fgco2", units: "mol m-2 s-1",
                                                       timeResolution: .monthly, positiveUp: false, missingAsZero: true))
    }

    /// The printed section reads back to the same settings, with every
    /// default written out and the zero components said so.
    @Test func printedSectionsReadBackToTheSameSettings() throws {
        let priors: [PriorFluxSettings] = [
            .synthetic,
            PriorFluxSettings(source: .carbonTracker(.directory("/data/ct", pattern: "CT2019B.flux1x1.*.nc"))),
            PriorFluxSettings(source: .carbonTracker(.list(["/data/ct/a.nc", "/data/ct/b.nc"]))),
            PriorFluxSettings(source: .files([
                .biosphere: FluxFileSettings(files: .directory("/d/sib", pattern: "*.nc"), variable: "nee", timeResolution: .hourly),
                .fossil: FluxFileSettings(files: .list(["/d/odiac.nc"]), variable: "land", units: "g C m-2 d-1",
                                          timeResolution: .monthly, positiveUp: false, missingAsZero: true),
            ])),
        ]
        for settings in priors {
            let yaml = settings.configNode.yaml
            #expect(try PriorFluxSettings(ConfigMapping.parse(yaml, file: "printed"), baseDirectory: base) == settings, "\(yaml)")
        }
        let printed = priors[3].configNode.yaml
        #expect(printed.contains("ocean: zero") && printed.contains("fire: zero") && printed.contains("missing_as_zero: false"))
        for settings in [BackgroundSettings.synthetic, BackgroundSettings(source: .carbonTracker(.list(["/data/mf/x.nc"])))] {
            let yaml = settings.configNode.yaml
            #expect(try BackgroundSettings(ConfigMapping.parse(yaml, file: "printed"), baseDirectory: base) == settings, "\(yaml)")
        }
    }

    @Test func badSectionsNameTheKey() {
        let cases: [(String, String)] = [
            ("source: carbontracker\nfiles: [a.nc]\ndirectory: ct\n", "files"),
            ("source: carbontracker\n", "files"),
            ("source: carbontracker\nfiles: []\n", "files"),
            ("source: carbontracker\nfiles: [a.nc]\npattern: '*.nc'\n", "pattern"),
            ("source: ctracker\n", "source"),
            ("source: files\ncomponents: {fire: maybe}\n", "components.fire"),
            ("source: files\ncomponents: {fire: zero}\n", "components"),
            ("source: files\ncomponents: {algae: {files: [a.nc], variable: x, time_resolution: daily}}\n", "components.algae"),
            ("source: files\ncomponents: {ocean: {files: [a.nc], variabel: x, time_resolution: daily}}\n", "components.ocean"),
            ("source: files\ncomponents: {ocean: {files: [a.nc], variable: x, time_resolution: weekly}}\n", "components.ocean.time_resolution"),
            ("source: files\ncomponents: {ocean: {files: [a.nc], variable: x, units: kg m-2 s-1, time_resolution: daily}}\n",
             "components.ocean.units"),
        ]
        for (text, key) in cases {
            do {
                _ = try prior(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect("\(error)".contains("exp.yaml") && "\(error)".contains("'\(key)"), "\(text): \(error)")
            }
        }
    }
}
