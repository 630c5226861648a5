import ArgumentParser
import Foundation
import Geometry
import Inputs
import Meteorology
import ModelTime
import Parallel
import Transport

/// Measures how far each advection scheme is from superposition for a
/// realistic increment (Docs/transport.md, "Linearity"): a flux pulse of one
/// cell-hour on top of the synthetic world's background and prior fluxes,
/// compared with the same pulse carried alone as a tagged tracer from zero.
/// For a linear scheme the two responses agree to round-off; the van Leer
/// limiter makes them differ.
struct SuperpositionBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "superposition",
        abstract: "Measure the departure from superposition of each advection scheme (one rank).")

    @Option(help: "A domain folder (holding domain.yaml) or a domain.yaml file.")
    var domain: String

    @Option(help: "Hours of the pulse's response (after the spin-up).")
    var hours: Int = 24

    @Option(name: .customLong("spin-up"), help: "Hours of background before the pulse, so that it meets realistic gradients.")
    var spinUp: Int = 24

    @Option(help: "First hour (UTC), e.g. 2016-07-01 or 2016-07-01T06.")
    var start: String = "2016-07-01"

    @Option(help: "Seed of the synthetic meteorology.")
    var seed: UInt64 = SyntheticMeteorology.defaultSeed

    @Option(help: "Surface flux of the pulse (µmol m-2 s-1) during its one hour.")
    var pulse: Double = 1

    @Option(name: .customLong("cell"), help: "Grid cell I,J of a pulse (repeatable; default: four cells spread over the domain).")
    var cells: [String] = []

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard ModelHour(iso: start) != nil else { throw ValidationError("--start '\(start)' is not a UTC hour like 2016-07-01T06") }
        guard hours > 0 else { throw ValidationError("--hours must be positive") }
        guard spinUp >= 0 else { throw ValidationError("--spin-up must not be negative") }
        guard pulse != 0, pulse.isFinite else { throw ValidationError("--pulse must be a non-zero number") }
        for cell in cells where parseCell(cell) == nil {
            throw ValidationError("--cell '\(cell)' is not two non-negative integers I,J")
        }
    }

    private func parseCell(_ text: String) -> (i: Int, j: Int)? {
        let parts = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, parts[0] >= 0, parts[1] >= 0 else { return nil }
        return (parts[0], parts[1])
    }

    /// How far an estimate e of one pulse's response is from a reference r,
    /// for one scheme and pulse cell: (run with pulse - run without) against
    /// the tagged tracer, or a tagged tracer against van Leer's response.
    struct Departure {
        let scheme: TransportOptions.Scheme
        let cell: (i: Int, j: Int)
        /// ‖e - r‖₂ / ‖r‖₂ over the 3-D grid.
        let relativeL2: Double
        /// The same over the footprint: cells where |r| >= 1 % of its maximum.
        let footprintRelativeL2: Double
        /// max |e - r| / max |r|.
        let relativeMax: Double
        /// max |r| (ppm) and the footprint's cell count.
        let peak: Double
        let footprintCells: Int
    }

    func run() throws {
        let world: any Communicator = MPIRuntime.launchedByMPI ? MPIRuntime.start() : SerialCommunicator()
        defer { MPIRuntime.finish() }
        if world.size > 1 { world.abort("rcas bench superposition runs on one rank") }
        let d = try loadDomain(domain)
        let nx = d.grid.nx, ny = d.grid.ny, nz = d.layers.count
        let pulses = cells.isEmpty
            ? [(nx / 2, ny / 2), (nx / 4, ny / 4), (3 * nx / 4, ny / 4), (nx / 4, 3 * ny / 4)].map { (i: $0.0, j: $0.1) }
            : cells.compactMap(parseCell)
        for p in pulses where p.i >= nx || p.j >= ny {
            throw CommandFailure("--cell \(p.i),\(p.j) is outside the \(nx) x \(ny) grid of \(d.name)")
        }
        let prior = try PriorFluxSettings.synthetic.makeProvider(domain: d)
        let background = try BackgroundSettings.synthetic.makeProvider(domain: d)
        let met = SyntheticMeteorology(domain: d, seed: seed)
        let first = ModelHour(iso: start)!
        // Member 0: the background run; per pulse p, member 1 + 2p is the
        // background plus the pulse and member 2 + 2p the pulse alone.
        let members = 0..<(1 + 2 * pulses.count)
        func isTagged(_ member: Int) -> Bool { member > 0 && member % 2 == 0 }
        let initial = try background.initialField(at: first)
        let models = TransportOptions.Scheme.allCases.map {
            TransportModel(grid: d.grid, layers: d.layers, options: TransportOptions(scheme: $0))
        }
        var ensembles = models.map { model in
            model.makeEnsemble(members: members) { member, i, j, k in isTagged(member) ? 0 : initial[(k * ny + j) * nx + i] }
        }
        for h in 0..<(spinUp + hours) {
            let time = first.advanced(by: h)
            let fields = met.fields(at: time)
            let total = try prior.fluxes(at: time).total
            let ring = try background.boundary(at: time)
            let flux = try SurfaceFlux(nx: nx, ny: ny, members: members, fields: members.map { member in
                var field = isTagged(member) ? [Double](repeating: 0, count: nx * ny) : total
                if member > 0 && h == spinUp {
                    let p = pulses[(member - 1) / 2]
                    field[p.j * nx + p.i] += pulse
                }
                return field
            })
            let boundary = LateralBoundary(nx: nx, ny: ny, nz: nz, members: members) { member, i, j, k in
                isTagged(member) ? 0 : ring.value(i, j, k)
            }
            for (model, index) in zip(models, ensembles.indices) {
                _ = try model.advance(&ensembles[index], met: fields, flux: flux, boundary: boundary,
                                      communicator: SerialCommunicator())
            }
        }
        var results: [Departure] = []
        // How well each scheme's tagged tracer stands for the model's (van
        // Leer's) actual response to the pulse: the Jacobian question.
        var modelResponse: [[Double]] = []
        if let vanLeer = models.firstIndex(where: { $0.options.scheme == .vanLeer }) {
            let base = ensembles[vanLeer].ownedField(member: 0)
            modelResponse = pulses.indices.map { p in
                zip(ensembles[vanLeer].ownedField(member: 1 + 2 * p), base).map { $0 - $1 }
            }
        }
        var stand: [Departure] = []
        for (model, ensemble) in zip(models, ensembles) {
            let base = ensemble.ownedField(member: 0)
            for (p, cell) in pulses.enumerated() {
                let perturbed = ensemble.ownedField(member: 1 + 2 * p), tagged = ensemble.ownedField(member: 2 + 2 * p)
                let response = zip(perturbed, base).map { $0 - $1 }
                results.append(Self.compare(response, with: tagged, scheme: model.options.scheme, cell: cell))
                if !modelResponse.isEmpty {
                    stand.append(Self.compare(tagged, with: modelResponse[p], scheme: model.options.scheme, cell: cell))
                }
            }
        }
        report(results, stand, domain: d)
    }

    /// `estimate` (e) against `truth` (r), see ``Departure``.
    static func compare(_ estimate: [Double], with truth: [Double], scheme: TransportOptions.Scheme,
                        cell: (i: Int, j: Int)) -> Departure {
        let peak = truth.map(abs).max() ?? 0
        var all = (error: 0.0, norm: 0.0), footprint = (error: 0.0, norm: 0.0, cells: 0), largest = 0.0
        for c in truth.indices {
            let e = estimate[c] - truth[c]
            all.error += e * e; all.norm += truth[c] * truth[c]
            largest = max(largest, abs(e))
            if abs(truth[c]) >= 0.01 * peak {
                footprint.error += e * e; footprint.norm += truth[c] * truth[c]; footprint.cells += 1
            }
        }
        return Departure(scheme: scheme, cell: cell, relativeL2: (all.error / all.norm).squareRoot(),
                         footprintRelativeL2: (footprint.error / footprint.norm).squareRoot(),
                         relativeMax: largest / peak, peak: peak, footprintCells: footprint.cells)
    }

    private func report(_ results: [Departure], _ stand: [Departure], domain d: Domain) {
        func items(_ list: [Departure]) -> String {
            "[" + list.map { r in
                "{\"advection\": \"\(r.scheme.rawValue)\", \"i\": \(r.cell.i), \"j\": \(r.cell.j), "
                    + "\"relative_l2\": \(r.relativeL2), \"footprint_relative_l2\": \(r.footprintRelativeL2), "
                    + "\"relative_max\": \(r.relativeMax), \"peak_ppm\": \(r.peak), \"footprint_cells\": \(r.footprintCells)}"
            }.joined(separator: ", ") + "]"
        }
        if json {
            print("{\"domain\": \"\(d.name)\", \"start\": \"\(start)\", \"spin_up_hours\": \(spinUp), \"hours\": \(hours), "
                  + "\"pulse\": \(pulse), \"departures\": \(items(results)), \"against_van_leer_response\": \(items(stand))}")
            return
        }
        print("superposition on \(d.name): a \(pulse) µmol m-2 s-1 pulse of one cell-hour after \(spinUp) h of the synthetic "
              + "background and prior fluxes, response after \(hours) h")
        print("departure = (run with pulse - run without) - pulse alone from zero (tagged tracer), relative to the tagged tracer:")
        table(results)
        guard !stand.isEmpty else { return }
        print("each scheme's tagged tracer against van Leer's response (run with pulse - run without), relative to the response:")
        table(stand)
    }

    private func table(_ results: [Departure]) {
        print("  advection  cell      peak ppm   footprint cells  rel. L2      footprint rel. L2  rel. max")
        for r in results {
            let name = r.scheme.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
            print("  \(name)" + String(format: "  %3d,%-3d  %10.3e  %15d  %10.3e  %17.3e  %10.3e", r.cell.i, r.cell.j, r.peak,
                                             r.footprintCells, r.relativeL2, r.footprintRelativeL2, r.relativeMax))
        }
    }
}
