import Foundation
import Geometry
import ModelTime
import RandomStreams
import SyntheticWorld

/// The built-in meteorology (SCIENCE.md §4): analytic, deterministic from a
/// seed, and mass-consistent by construction.
///
/// **Winds.** In every layer the horizontal wind comes from a streamfunction
/// ψ (m² s⁻¹) evaluated at the cell CORNERS (corner (i, j) = lower-left
/// corner of cell (i, j), i = 0...nx, j = 0...ny) at the layer's mid-height:
///
///     u(x-face i, j) = −(ψ(i, j+1) − ψ(i, j)) / Lx(i, j)
///     v(y-face i, j) = +(ψ(i+1, j) − ψ(i, j)) / Ly(i, j)
///
/// with Lx, Ly the true face lengths of ``FaceGeometry`` (projected spacing
/// over the map-scale factor at the face midpoint). The face volume fluxes
/// u·Lx and v·Ly are then differences of ψ, and their sum around any cell
/// telescopes to zero: the discrete horizontal divergence is zero in every
/// layer to round-off (about 1e-15 of the face fluxes), provided transport
/// multiplies the face winds by the same ``FaceGeometry`` lengths.
///
/// ψ is defined on the sphere from latitude φ, longitude λ, height z, time t,
/// so u and v are automatically the components along the projection's axes:
/// - zonal flow ψ = −R ∫U(φ, z) dφ: westerlies increasing with height (3 m s⁻¹
///   at the ground to 10 m s⁻¹ at 11 km) plus a subtropical jet (26 ± 6
///   m s⁻¹, strongest in winter, near 31° N in January and 43° N in July)
///   and low-level trade easterlies near 12° N;
/// - three travelling Rossby-like waves ψ = A(z) exp(−((φ−φc)/12°)²)
///   cos(nλ − ωt + θ + 0.6 z/10 km) × (0.7 + 0.3 cos(2πt/P + θ')), zonal
///   wavenumber n = 4...7, eastward phase speed 4–12 m s⁻¹, meridional wind
///   amplitude 3.5–10 m s⁻¹ aloft, westward tilt with height, life cycles of
///   3–8 days. The seed draws n, speed, latitude, amplitude, phases and
///   periods (``KeyedRandom`` stream "synthetic-meteorology").
/// Wind speeds stay below 50 m s⁻¹.
///
/// **Air density and pressure.** The air molar density of layer k is the US
/// Standard Atmosphere 1976 value at the layer's mid-height, the same in every
/// column and at every hour. Hence the face MASS fluxes n·u·L are also
/// divergence-free, ∂n/∂t = 0, and no vertical motion is needed: `w` is nil
/// and the vertical mass flux from continuity is exactly zero. Under any
/// consistent flux-form scheme a uniform mixing ratio then stays uniform and
/// the air mass of each layer is constant. The price: pressure follows the
/// ideal-gas law at that density, p = n R* T, so it varies horizontally with
/// temperature (±5–10 %) instead of being exactly hydrostatic in each column;
/// the domain-mean profile is hydrostatic (standard atmosphere on the layer
/// heights of ``Domain/layers``). Surface pressure extends layer 1's pressure
/// hydrostatically to the ground.
///
/// **Temperature.** Annual-mean surface temperature 300 K south of 15° N,
/// falling 0.6 K per degree north of it; a seasonal cycle of amplitude
/// 0.45 K per degree north of 5° N (coldest on 20 January); a diurnal cycle of
/// ±5 K at the ground decaying with height (scale 600 m), warmest at 15 h
/// local solar time; lapse rate 6.5 K km⁻¹ down to a 210 K floor, warming
/// 1 K km⁻¹ above 16 km.
///
/// **Boundary layer.** Local solar time = UTC + longitude/15. With H the
/// cosine of the solar zenith angle 1.5 h earlier (clipped at 0; the lag puts
/// the deepest mixing in the afternoon), the PBL height over land is
/// 250 + 2000 H m (250 m at night, up to 2.2 km on summer afternoons), over
/// sea 600 + 200 H m; Kz on interface z is the O'Brien/Holtslag–Boville
/// profile κ w_s z (1 − z/h)² with w_s = 0.3 + 2 H m s⁻¹ over land and
/// 0.6 + 0.3 H over sea, floored at 0.5 m² s⁻¹ in the free troposphere and
/// 0.1 m² s⁻¹ above 12 km; Kz = 0 at the ground and the model top. Cells are
/// blended by their land fraction (all land unless one is given); the
/// diurnal temperature cycle is scaled by 0.1 + 0.9 × land fraction.
///
/// **Water vapour.** 75 % relative humidity at the ground (Bolton 1980
/// saturation pressure at the daily-mean surface temperature), capped at
/// 0.04 mol mol⁻¹, decreasing with height with a 2.2 km scale height, floored
/// at 4 ppm: moist near the ground and in the south, dry aloft and in winter.
public struct SyntheticMeteorology: MeteorologyProvider, Sendable {
    public let domain: Domain
    /// The seed the waves were drawn from.
    public let seed: UInt64
    /// The face lengths the winds are built with (use these in transport).
    public let faces: FaceGeometry
    /// Air molar density of each layer (mol m⁻³), the same in every column.
    public let layerAirMolarDensity: [Double]
    /// The travelling waves drawn from the seed.
    public let waves: [SynopticWave]
    /// Land fraction per cell (`j * nx + i`); 1 everywhere unless given.
    public let landFraction: [Double]

    /// One travelling Rossby-like wave of the streamfunction.
    public struct SynopticWave: Sendable, Equatable {
        /// Zonal wavenumber n (waves around a latitude circle).
        public let zonalWavenumber: Int
        /// Eastward phase speed at the centre latitude (m s⁻¹).
        public let phaseSpeed: Double
        /// Latitude of the wave's envelope centre (degrees).
        public let centreLatitude: Double
        /// Meridional wind amplitude at the jet level (m s⁻¹).
        public let meridionalWindAmplitude: Double
        /// Phase at t = 0 (2000-01-01T00Z), radians.
        public let phase: Double
        /// Period of the growth-decay life cycle (s).
        public let lifeCyclePeriod: Double
        /// Phase of the life cycle at t = 0, radians.
        public let lifeCyclePhase: Double
    }

    /// Corner latitudes and longitudes (radians), `jc * (nx + 1) + ic`.
    private let cornerLatitude: [Double]
    private let cornerLongitude: [Double]
    /// Each wave's latitude envelope exp(−((φ − φc)/12°)²) at every corner.
    private let waveEnvelope: [[Double]]
    /// Cell-centre latitudes and longitudes (degrees), `j * nx + i`.
    private let cellLatitude: [Double]
    private let cellLongitude: [Double]
    /// Each cell's place for the solar geometry (sine and cosine of its latitude made once).
    private let cellPlaces: [SyntheticClimate.Place]

    /// The default seed of the embedded meteorology.
    public static let defaultSeed: UInt64 = 1

    // Physical constants of the generator.
    static let gravity = 9.806_65
    static let dryAirGasConstant = 287.053
    static let waveEnvelopeWidth = 12.0 * Double.pi / 180
    static let jetWidth = 10.0 * Double.pi / 180
    static let tradeLatitude = 12.0 * Double.pi / 180
    static let tradeWidth = 8.0 * Double.pi / 180

    /// The synthetic meteorology of `domain`. With `landFraction` (one value
    /// per cell, e.g. ``LandSeaMask/landFraction``) the boundary layer and the
    /// near-surface diurnal cycle are those of land and sea blended by it;
    /// without, every cell is land.
    public init(domain: Domain, seed: UInt64 = SyntheticMeteorology.defaultSeed, landFraction: [Double]? = nil) {
        precondition(landFraction.map { $0.count == domain.grid.cellCount } ?? true, "one land fraction per cell")
        self.domain = domain
        self.seed = seed
        self.landFraction = landFraction ?? [Double](repeating: 1, count: domain.grid.cellCount)
        let grid = domain.grid
        faces = FaceGeometry(grid: grid)
        layerAirMolarDensity = (0..<domain.layers.count).map { k in
            let (t, p) = Self.standardAtmosphere(height: domain.layers.midHeight(k))
            return p / (universalGasConstant * t)
        }

        let random = KeyedRandom(seed: seed, stream: "synthetic-meteorology")
        let baseAmplitudes = [8.0, 5.5, 3.5]
        waves = baseAmplitudes.enumerated().map { w, amplitude in
            let u = (0..<7).map { random.uniform(member: 0, hour: 0, cell: w, draw: $0) }
            return SynopticWave(zonalWavenumber: 4 + min(3, Int(u[0] * 4)),
                                phaseSpeed: 4 + 8 * u[1],
                                centreLatitude: 33 + 12 * u[2],
                                meridionalWindAmplitude: amplitude * (0.8 + 0.4 * u[3]),
                                phase: 2 * .pi * u[4],
                                lifeCyclePeriod: (3 + 5 * u[5]) * 86_400,
                                lifeCyclePhase: 2 * .pi * u[6])
        }

        var cLat: [Double] = [], cLon: [Double] = []
        for jc in 0...grid.ny {
            for ic in 0...grid.nx {
                let p = grid.projection.inverse(x: grid.xOrigin + Double(ic) * grid.dx,
                                                y: grid.yOrigin + Double(jc) * grid.dy)
                cLat.append(p.latitude * .pi / 180)
                cLon.append(p.longitude * .pi / 180)
            }
        }
        cornerLatitude = cLat
        cornerLongitude = cLon
        waveEnvelope = waves.map { wave in
            cLat.map { exp(-pow(($0 - wave.centreLatitude * .pi / 180) / Self.waveEnvelopeWidth, 2)) }
        }
        let centres = grid.centers()
        cellLatitude = centres.map(\.latitude)
        cellPlaces = centres.map { SyntheticClimate.Place(latitude: $0.latitude, longitude: $0.longitude) }
        cellLongitude = centres.map(\.longitude)
    }

    /// Temperature (K) and pressure (Pa) of the US Standard Atmosphere 1976 at
    /// geometric height `z` (m; geopotential difference ignored): 6.5 K km⁻¹ to
    /// 11 km, isothermal 216.65 K to 20 km, +1 K km⁻¹ above.
    static func standardAtmosphere(height z: Double) -> (temperature: Double, pressure: Double) {
        let g = gravity, rd = dryAirGasConstant
        if z <= 11_000 {
            let t = 288.15 - 0.0065 * z
            return (t, 101_325 * pow(t / 288.15, g / (rd * 0.0065)))
        }
        let p11 = 101_325 * pow(216.65 / 288.15, g / (rd * 0.0065))
        if z <= 20_000 { return (216.65, p11 * exp(-g * (z - 11_000) / (rd * 216.65))) }
        let p20 = p11 * exp(-g * 9_000 / (rd * 216.65))
        let t = 216.65 + 0.001 * (z - 20_000)
        return (t, p20 * pow(t / 216.65, -g / (rd * 0.001)))
    }

    /// Vertical shape of the westerlies: 0 at the ground, 1 at 11 km, decaying
    /// in the stratosphere.
    static func jetProfile(_ z: Double) -> Double {
        z <= 11_000 ? z / 11_000 : exp(-pow((z - 11_000) / 5_000, 2))
    }

    /// Bolton (1980) saturation vapour pressure over water (Pa).
    static func saturationVapourPressure(_ t: Double) -> Double {
        611.2 * exp(17.67 * (t - 273.15) / (t - 29.65))
    }

    /// Seconds since 2000-01-01T00Z, the origin of all phases.
    static func seconds(_ time: ModelHour) -> Double {
        Double(time.value - ModelHour(year: 2000, month: 1, day: 1).value) * 3600
    }

    /// The streamfunction ψ (m² s⁻¹) at every corner of every layer at `t`
    /// seconds after 2000-01-01, index `k * (nx + 1) * (ny + 1) + corner`:
    ///
    ///     ψ = −R [ (3 + 7 s) φ + U_jet s σ_j (√π/2) erf((φ − φ_j)/σ_j)
    ///              − 7 (1 − s) σ_t (√π/2) erf((φ − φ_t)/σ_t) ]            (ψ = −R ∫ U dφ)
    ///       + Σ_waves A (0.35 + 0.65 s) life(t) E(φ) cos(nλ − ωt + θ + 0.6 z / 10 km)
    ///
    /// with s = ``jetProfile(_:)`` at the layer's mid-height. The latitude
    /// terms are computed once per corner and the wave cosines by the angle-sum
    /// rule, so the cost per layer is a few multiply-adds per corner. Only
    /// the corners of `region`'s cells are computed (NaN elsewhere).
    func cornerStreamfunction(t: Double, annualPhase: Double, region: CellRegion) -> [Double] {
        let r = domain.grid.projection.earthRadius
        let layers = domain.layers
        let corners = cornerLatitude.count, cornerRow = domain.grid.nx + 1
        // Corners have the faces' numbering: x-face i runs from corner i, y-face j from corner row j.
        let needed = region.yFaces.flatMap { jc in
            region.xFaces.map { jc * cornerRow + $0 }
        }
        let winter = cos(annualPhase)                        // 1 on 20 January, −1 in July
        let jetLatitude = (37 - 6 * winter) * Double.pi / 180
        let jetSpeed = 26 + 6 * winter
        let halfRootPi = Double.pi.squareRoot() / 2
        var jet = [Double](repeating: 0, count: corners), trades = jet
        for c in needed {
            let φ = cornerLatitude[c]
            jet[c] = jetSpeed * Self.jetWidth * halfRootPi * erf((φ - jetLatitude) / Self.jetWidth)
            trades[c] = 7 * Self.tradeWidth * halfRootPi * erf((φ - Self.tradeLatitude) / Self.tradeWidth)
        }
        // Per wave and corner: amplitude × life × envelope × (cos, sin) of the phase at z = 0.
        var waveCos: [[Double]] = [], waveSin: [[Double]] = []
        for (w, wave) in waves.enumerated() {
            let φc = wave.centreLatitude * .pi / 180
            let n = Double(wave.zonalWavenumber)
            // A from the wanted meridional wind v = A n / (R cos φc).
            let amplitude = wave.meridionalWindAmplitude * r * cos(φc) / n
            let ω = n * wave.phaseSpeed / (r * cos(φc))
            let life = 0.7 + 0.3 * cos(2 * .pi * t / wave.lifeCyclePeriod + wave.lifeCyclePhase)
            var cosines = [Double](repeating: 0, count: corners), sines = cosines
            for c in needed {
                let phase = n * cornerLongitude[c] - ω * t + wave.phase
                let scale = amplitude * life * waveEnvelope[w][c]
                cosines[c] = scale * cos(phase)
                sines[c] = scale * sin(phase)
            }
            waveCos.append(cosines)
            waveSin.append(sines)
        }
        var psi = [Double](repeating: .nan, count: layers.count * corners)
        for k in 0..<layers.count {
            let z = layers.midHeight(k)
            let s = Self.jetProfile(z)
            let tilt = 0.6 * z / 10_000, vertical = 0.35 + 0.65 * s
            let cosTilt = vertical * cos(tilt), sinTilt = vertical * sin(tilt)
            for c in needed {
                var value = -r * ((3 + 7 * s) * cornerLatitude[c] + s * jet[c] - (1 - s) * trades[c])
                for w in waveCos.indices {
                    // cos(a + b) = cos a cos b − sin a sin b.
                    value += waveCos[w][c] * cosTilt - waveSin[w][c] * sinTilt
                }
                psi[k * corners + c] = value
            }
        }
        return psi
    }

    public func fields(at time: ModelHour) -> MetFields {
        fields(at: time, region: CellRegion(i: 0..<domain.grid.nx, j: 0..<domain.grid.ny))
    }

    /// The fields of `region` only (NaN elsewhere): each value is computed
    /// from its own cell, face or corner, so it does not depend on the region.
    public func fields(at time: ModelHour, region: CellRegion) -> MetFields {
        let grid = domain.grid, layers = domain.layers
        let nx = grid.nx, ny = grid.ny, nz = layers.count
        let t = Self.seconds(time)
        let annualPhase = SyntheticClimate.annualPhase(SyntheticClimate.hours(time))
        let cornersPerLayer = (nx + 1) * (ny + 1)

        var u = [Double](repeating: .nan, count: nz * ny * (nx + 1))
        var v = [Double](repeating: .nan, count: nz * (ny + 1) * nx)
        let psi = cornerStreamfunction(t: t, annualPhase: annualPhase, region: region)
        for k in 0..<nz {
            let layer = k * cornersPerLayer
            for j in region.j {
                for i in region.xFaces {
                    let dψ = psi[layer + (j + 1) * (nx + 1) + i] - psi[layer + j * (nx + 1) + i]
                    u[(k * ny + j) * (nx + 1) + i] = -dψ / faces.xFaceLength[j * (nx + 1) + i]
                }
            }
            for j in region.yFaces {
                for i in region.i {
                    let dψ = psi[layer + j * (nx + 1) + i + 1] - psi[layer + j * (nx + 1) + i]
                    v[(k * (ny + 1) + j) * nx + i] = dψ / faces.yFaceLength[j * nx + i]
                }
            }
        }

        let cells = nx * ny
        var temperature = [Double](repeating: .nan, count: nz * cells)
        var pressure = temperature, density = temperature, water = temperature
        var kz = [Double](repeating: .nan, count: (nz + 1) * cells)
        var pbl = [Double](repeating: .nan, count: cells), surfacePressure = pbl
        let hours = SyntheticClimate.hours(time), moment = SyntheticClimate.Moment(hours)
        // The height factors, the same in every column: once per layer.
        let midHeights = (0..<nz).map { layers.midHeight($0) }
        let diurnalAmplitudes = midHeights.map { SyntheticClimate.diurnalAmplitude(height: $0) }
        let vapourDecay = midHeights.map { exp(-$0 / 2_200) }
        for j in region.j {
            for c in (j * nx + region.i.lowerBound)..<(j * nx + region.i.upperBound) {
                let latitude = cellLatitude[c], longitude = cellLongitude[c]
                let heating = max(0, SyntheticClimate.cosSolarZenith(at: cellPlaces[c], moment, lagHours: 1.5))
                // Land: deep convective mixing by day, shallow at night. Sea: a
                // weakly varying 600-800 m mixed layer (Stull 1988 ch. 1).
                let land = landFraction[c]
                let h = land * (250 + 2000 * heating) + (1 - land) * (600 + 200 * heating)
                let velocityScale = land * (0.3 + 2 * heating) + (1 - land) * (0.6 + 0.3 * heating)
                let diurnalScale = 0.1 + 0.9 * land
                pbl[c] = h
                kz[c] = 0
                kz[nz * cells + c] = 0
                for k in 1..<nz {
                    let z = layers.interfaceHeights[k]
                    let floor = z < 12_000 ? 0.5 : 0.1
                    let inside = z < h ? kProfile(height: z, pblHeight: h, velocityScale: velocityScale) : 0
                    kz[k * cells + c] = max(inside, floor)
                }

                let meanSurface = SyntheticClimate.dailyMeanSurfaceTemperature(latitude: latitude, moment)
                let surfaceVapour = min(0.04, 0.75 * Self.saturationVapourPressure(meanSurface) / 101_325)
                let diurnalPhase = SyntheticClimate.diurnalPhase(longitude: longitude, hours)
                for k in 0..<nz {
                    let z = midHeights[k]
                    let tk = max(meanSurface - 0.0065 * z, 210) + 0.001 * max(0, z - 16_000)
                        + diurnalScale * (diurnalAmplitudes[k] * diurnalPhase)
                    let index = k * cells + c
                    temperature[index] = tk
                    density[index] = layerAirMolarDensity[k]
                    pressure[index] = layerAirMolarDensity[k] * universalGasConstant * tk
                    water[index] = max(4e-6, surfaceVapour * vapourDecay[k])
                }
                surfacePressure[c] = pressure[c] * exp(Self.gravity * midHeights[0] / (Self.dryAirGasConstant * temperature[c]))
            }
        }
        return MetFields(time: time, nx: nx, ny: ny, nz: nz, u: u, v: v, w: nil, temperature: temperature,
                         pressure: pressure, airMolarDensity: density, kz: kz, pblHeight: pbl,
                         waterVapour: water, surfacePressure: surfacePressure, region: region)
    }
}
