import Foundation
import Observations

extension TwinExperiment {
    /// The truth run and the synthetic observations sampled from it (the
    /// configured satellite and the Kou2023 Table 4 sites), written to
    /// `output/observations` and read back as the run's observation types,
    /// selected as a run with real files would be (collective).
    public func syntheticObservations() throws -> [any ObservationType] {
        let observationFolder = output.appendingPathComponent("observations")
        if world.rank == 0 {
            try FileManager.default.createDirectory(at: observationFolder, withIntermediateDirectories: true)
        }
        world.barrier()

        progress?("truth run and synthetic \(config.instrument) observations")
        let truthRun = try ForwardRun(config: config, label: "truth", natural: truthSource, world: world,
                                      observations: [], folder: nil)
        truthRun.imposedBoundaryBias = config.imposedBoundaryBias
        var soundings: [XCO2Sounding] = []
        let sites = SurfaceSite.seed000Table4
        var siteRecords = [[InSituRecord]](repeating: [], count: sites.count)
        let grid = config.domain.grid, layers = config.domain.layers
        let generatorSeed = config.seed &+ 7_919
        let instrument = config.satellite.instrument
        truthRun.afterStep = { run, met in
            guard let field = run.gatherField() else { return }
            let label = run.now.advanced(by: -1)
            let sampler = GriddedEnsembleSampler(grid: grid, layers: layers, hour: label, co2: [field],
                                                 pressure: met.pressure, waterVapour: met.waterVapour)
            let generator = SyntheticObservationGenerator(truth: sampler, seed: generatorSeed)
            soundings += try generator.satellite(instrument, start: label, hours: 1).soundings
            for (index, records) in try generator.sites(sites, start: label, hours: 1).enumerated() {
                siteRecords[index] += records ?? []
            }
        }
        try truthRun.run()
        if world.rank == 0 {
            let path = observationFolder.appendingPathComponent("synthetic_\(config.instrument).nc").path
            try LiteWriter.write(soundings, instrument: instrument, to: path,
                                 comment: "RCAS twin experiment: sampled from the truth run")
            let siteFolder = observationFolder.appendingPathComponent("insitu")
            try FileManager.default.createDirectory(at: siteFolder, withIntermediateDirectories: true)
            for (site, records) in zip(sites, siteRecords) where !records.isEmpty {
                try ObsPackWriter.write(records, site: site, error: SyntheticObservationGenerator.siteError,
                                        to: siteFolder.appendingPathComponent(ObsPackWriter.fileName(site)).path,
                                        comment: "RCAS twin experiment: sampled from the truth run")
            }
        }
        world.barrier()
        return try Self.observations(in: output, config: config)
    }

    /// The observation types of the twin run in `folder` (its
    /// `observations/` written by ``syntheticObservations()``).
    public static func observations(in folder: URL, config: ExperimentConfig) throws -> [any ObservationType] {
        let observationFolder = folder.appendingPathComponent("observations")
        guard FileManager.default.fileExists(atPath: observationFolder.path) else {
            throw ExperimentError.invalidInput("\(observationFolder.path) does not exist: not the folder of a twin run")
        }
        let siteFolder = observationFolder.appendingPathComponent("insitu")
        let siteFiles = (try? FileManager.default.contentsOfDirectory(atPath: siteFolder.path)) ?? []
        return try ObservationInput.load(config: config, satellite: [observationFolder.path],
                                         inSitu: siteFiles.isEmpty ? [] : [siteFolder.path])
    }
}
