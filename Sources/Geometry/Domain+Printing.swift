import ConfigFormat

extension Domain {
    /// The `domain.yaml` content of a domain with these parts, in the layout
    /// ``load(_:)`` reads (the printer beside the parser): every number reads
    /// back to the same Double, so loading the printed file gives the same
    /// projection, grid and layers. `masks` maps mask names to file names in
    /// the domain folder.
    public static func configNode(name: String, summary: String, grid: HorizontalGrid, layers: VerticalLayers,
                                  masks: [(name: String, file: String)] = []) -> ConfigNode {
        var entries: [(String, ConfigNode)] = [("name", .text(name))]
        if !summary.isEmpty { entries.append(("description", .text(summary))) }
        entries.append(("earth_radius_m", .number(grid.projection.earthRadius)))
        entries.append(("projection", projectionNode(grid.projection.kind)))
        entries.append(("grid", .mapping([
            ("nx", .integer(grid.nx)), ("ny", .integer(grid.ny)), ("dx_m", .number(grid.dx)), ("dy_m", .number(grid.dy)),
            ("x_origin_m", .number(grid.xOrigin)), ("y_origin_m", .number(grid.yOrigin)),
        ])))
        var layerEntries: [(String, ConfigNode)]
        if let sigma = layers.sigmaInterfaces, let top = layers.topPressure {
            layerEntries = [("sigma_interfaces", .list(sigma.map { .number($0) })), ("top_pressure_pa", .number(top))]
        } else {
            layerEntries = [("interface_heights_m", .list(layers.interfaceHeights.map { .number($0) }))]
            if let eta = layers.wrfEtaInterfaces { layerEntries.append(("wrf_eta_interfaces", .list(eta.map { .number($0) }))) }
        }
        entries.append(("layers", .mapping(layerEntries)))
        if !masks.isEmpty { entries.append(("masks", .mapping(masks.map { ($0.name, .text($0.file)) }))) }
        return .mapping(entries)
    }

    private static func projectionNode(_ kind: Projection.Kind) -> ConfigNode {
        switch kind {
        case let .obliqueStereographic(lat0, lon0, k0):
            .mapping([("type", .text("stereographic")), ("latitude_of_projection_origin", .number(lat0)),
                      ("longitude_of_projection_origin", .number(lon0)), ("scale_factor_at_projection_origin", .number(k0))])
        case let .northPolarStereographic(latTS, lon0):
            .mapping([("type", .text("polar_stereographic")), ("standard_parallel", .number(latTS)),
                      ("straight_vertical_longitude_from_pole", .number(lon0))])
        case let .lambertConformal(lat1, lat2, lat0, lon0):
            .mapping([("type", .text("lambert_conformal_conic")), ("standard_parallel_1", .number(lat1)),
                      ("standard_parallel_2", .number(lat2)), ("latitude_of_projection_origin", .number(lat0)),
                      ("longitude_of_central_meridian", .number(lon0))])
        case let .mercator(latTS, lon0):
            .mapping([("type", .text("mercator")), ("standard_parallel", .number(latTS)),
                      ("longitude_of_projection_origin", .number(lon0))])
        }
    }
}
