import ArgumentParser
import Foundation
import Geometry
import Meteorology
import ModelTime
import NetCDFIO
import Parallel
import RandomStreams
import Transport

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure the speed of RCAS components (Docs/performance.md).",
        subcommands: [TransportBench.self, SuperpositionBench.self, BenchAnalysis.self, BenchSynthesis.self, BenchCycle.self,
                      BenchInputs.self])
}

/// Runs the transport model on a domain with the synthetic meteorology, an
/// ensemble of members with keyed-random surface fluxes and a uniform-ish
/// boundary, and reports its speed. Under mpirun the ranks form member groups
/// x spatial tiles.
struct TransportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Benchmark the transport model (run under mpirun for several ranks).")

    @Option(help: "A domain folder (holding domain.yaml) or a domain.yaml file.")
    var domain: String

    @Option(help: "Ensemble members.")
    var members: Int = 50

    @Option(help: "Simulated hours.")
    var hours: Int = 6

    @Option(help: "First hour (UTC), e.g. 2016-07-01 or 2016-07-01T06.")
    var start: String = "2016-07-01"

    @Option(help: "Seed of the synthetic meteorology and of the fluxes.")
    var seed: UInt64 = SyntheticMeteorology.defaultSeed

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Option(help: "Advection scheme: van-leer (the model), fromm or upwind.")
    var advection: String = TransportOptions.Scheme.vanLeer.rawValue

    @Flag(help: "Also time the upwind + diffusion reference kernel (one rank) and report the fraction of its rate.")
    var reference = false

    @Option(help: "Write the hourly ensemble-mean concentration file (CF NetCDF) here.")
    var concentrations: String?

    @Option(help: "Write the hourly CO2 mass budget of every member (CF NetCDF) here.")
    var budget: String?

    @Option(name: .customLong("layout-groups"), help: ArgumentHelp("Member groups (default: automatic).", visibility: .hidden))
    var layoutGroups: Int?

    @Option(help: ArgumentHelp("Write every member's final 3-D field (double) to this NetCDF file.", visibility: .hidden))
    var dump: String?

    func validate() throws {
        guard ModelHour(iso: start) != nil else { throw ValidationError("--start '\(start)' is not a UTC hour like 2016-07-01T06") }
        guard members > 0 else { throw ValidationError("--members must be positive") }
        guard hours > 0 else { throw ValidationError("--hours must be positive") }
        guard TransportOptions.Scheme(rawValue: advection) != nil else {
            throw ValidationError("--advection '\(advection)' is not one of: "
                                  + TransportOptions.Scheme.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    func run() throws {
        let world: any Communicator = MPIRuntime.launchedByMPI ? MPIRuntime.start() : SerialCommunicator()
        defer { MPIRuntime.finish() }
        let d = world.abortOnError { try loadDomain(domain) }
        let layout = world.abortOnError {
            try layoutGroups.map { try ParallelLayout(worldSize: world.size, memberGroups: $0) }
                ?? ParallelLayout.automatic(worldSize: world.size, memberCount: members, columnCount: d.grid.cellCount)
        }
        let communicators = LayoutCommunicators(world: world, layout: layout)
        let decomposition = world.abortOnError {
            try TileDecomposition(nx: d.grid.nx, ny: d.grid.ny, count: layout.tilesPerGroup, halo: TracerEnsemble.margin)
        }
        if reference && world.size > 1 { world.abort("rcas bench transport: --reference runs on one rank") }
        let scheme = TransportOptions.Scheme(rawValue: advection) ?? .vanLeer
        let model = TransportModel(grid: d.grid, layers: d.layers, decomposition: decomposition,
                                   tileIndex: communicators.tileIndex, options: TransportOptions(scheme: scheme))
        let myMembers = layout.members(ofGroup: communicators.memberGroupIndex, memberCount: members)
        let random = KeyedRandom(seed: seed, stream: "transport-bench")
        let nx = d.grid.nx, ny = d.grid.ny
        // Initial state: 400 ppm plus a keyed-random member perturbation.
        var ensemble = model.makeEnsemble(members: myMembers) { member, i, j, k in
            400 + random.normal(member: member, hour: 0, cell: (k * ny + j) * nx + i)
        }
        let boundary = LateralBoundary(nx: nx, ny: ny, nz: d.layers.count, members: myMembers) { member, _, _, k in
            400 + 0.5 * Double(member % 5) - 0.2 * Double(k)
        }
        let met = SyntheticMeteorology(domain: d, seed: seed)
        let first = ModelHour(iso: start)!
        let concentrationFile = try world.rank == 0 ? concentrations.map { path in
            try ConcentrationFile(path: path, grid: d.grid, layers: d.layers,
                                  description: "ensemble mean of \(members) members (rcas bench transport)")
        } : nil

        // Each rank computes the meteorology its tile reads, as the cycle
        // does; rank 0 writing the concentration file needs the whole grid.
        let metRegion = concentrationFile == nil ? model.meteorologyRegion : CellRegion(i: 0..<nx, j: 0..<ny)
        var modelTimes = KernelTimes(), referenceTimes = KernelTimes(), steps = 0
        // The reference kernel advances its own copy of the initial state;
        // it and the model take turns going first, hour by hour, so that a
        // slow moment of the machine hits both.
        let referenceKernel = reference ? UpwindReferenceKernel(model: model) : nil
        var referenceEnsemble = ensemble
        var budgets: [[MassBudget]] = []
        for h in 0..<hours {
            let time = first.advanced(by: h)
            let fields = met.fields(at: time, region: metRegion)
            // Fluxes: keyed-random per member, hour and cell (µmol m-2 s-1).
            let flux = try SurfaceFlux(nx: nx, ny: ny, members: myMembers, fields: myMembers.map { member in
                (0..<(nx * ny)).map { c in 1.5 * random.normal(member: member, hour: time.value, cell: c, draw: 1) }
            })
            world.barrier()
            if let referenceKernel, h % 2 == 1 {
                referenceTimes.measure { _ = world.abortOnError { try referenceKernel.advance(&referenceEnsemble, met: fields) } }
            }
            let clock = KernelTimes.now()
            if budget != nil {
                let hourBudgets = world.abortOnError {
                    try model.advanceWithBudget(&ensemble, met: fields, flux: flux, boundary: boundary,
                                                communicator: communicators.group)
                }
                budgets.append(hourBudgets)
                steps += hourBudgets.first?.substeps ?? 0
            } else {
                steps += world.abortOnError {
                    try model.advance(&ensemble, met: fields, flux: flux, boundary: boundary,
                                      communicator: communicators.group).substeps
                }
            }
            modelTimes.record(since: clock)
            if let referenceKernel, h % 2 == 0 {
                referenceTimes.measure { _ = world.abortOnError { try referenceKernel.advance(&referenceEnsemble, met: fields) } }
            }
            if concentrations != nil {
                let all = EnsembleGather.gather(ensemble, decomposition: decomposition, communicators: communicators,
                                                memberCount: members)
                if let all, let concentrationFile {
                    let mean = (0..<all[0].count).map { c in all.reduce(0) { $0 + $1[c] } / Double(members) }
                    world.abortOnError { try concentrationFile.append(co2: mean, met: fields) }
                }
            }
        }
        world.abortOnError { try concentrationFile?.commit() }
        if let budget { try writeBudgets(budgets, to: budget, communicators: communicators, first: first) }
        if let dump {
            let all = EnsembleGather.gather(ensemble, decomposition: decomposition, communicators: communicators,
                                            memberCount: members)
            if let all { world.abortOnError { try writeDump(all, grid: d.grid, nz: d.layers.count, to: dump) } }
        }
        report(world: world, layout: layout, domain: d, model: modelTimes, reference: reference ? referenceTimes : nil,
               steps: steps)
    }

    /// Prints the speed: cell-member-steps (every cell of the grid, every
    /// member, every horizontal step) per second, seconds per simulated hour
    /// (slowest rank), the same per CPU second, and peak resident memory
    /// summed over ranks; with the reference kernel, its rate and the
    /// model's as a fraction of it (from the total times, and the median of
    /// the hourly fractions, which a slow moment of the machine moves less).
    private func report(world: any Communicator, layout: ParallelLayout, domain d: Domain, model: KernelTimes,
                        reference: KernelTimes?, steps: Int) {
        let slowest = world.allreduce(model.wall, .max)
        let cpu = world.allreduce(model.cpu, .max)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let memory = world.allreduce(Int(usage.ru_maxrss) * 1024, .sum)
        guard world.rank == 0 else { return }
        let cellMemberSteps = Double(d.grid.cellCount * d.layers.count * members * steps)
        let rate = cellMemberSteps / slowest
        let perHour = slowest / Double(hours)
        var fields: [(String, String)] = [
            ("ranks", "\(world.size)"), ("member_groups", "\(layout.memberGroups)"),
            ("tiles_per_group", "\(layout.tilesPerGroup)"), ("members", "\(members)"), ("hours", "\(hours)"),
            ("advection", "\"\(advection)\""),
            ("steps", "\(steps)"), ("cell_member_steps_per_second", "\(rate)"),
            ("cell_member_steps_per_second_per_rank", "\(rate / Double(world.size))"),
            ("seconds_per_simulated_hour", "\(perHour)"), ("peak_memory_bytes", "\(memory)"),
            ("cpu_seconds_per_simulated_hour", "\(cpu / Double(hours))"),
            ("cell_member_steps_per_cpu_second_per_rank", "\(cellMemberSteps / cpu / Double(world.size))"),
        ]
        if let reference {
            fields += [
                ("reference_cell_member_steps_per_second", "\(cellMemberSteps / reference.wall)"),
                ("reference_cell_member_steps_per_cpu_second", "\(cellMemberSteps / reference.cpu)"),
                ("fraction_of_reference", "\(reference.wall / model.wall)"),
                ("fraction_of_reference_cpu", "\(reference.cpu / model.cpu)"),
                ("fraction_of_reference_median_hour", "\(model.medianFraction(of: reference))"),
            ]
        }
        if json {
            print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
            return
        }
        print("transport benchmark on \(d.name) (\(d.grid.nx) x \(d.grid.ny) x \(d.layers.count)), \(members) members, "
              + "\(hours) h, \(advection), \(world.size) rank(s): \(layout)")
        print(String(format: "  steps             %d (%.2f per hour)", steps, Double(steps) / Double(hours)))
        print(String(format: "  cell-member-steps %.3e per second in total, %.3e per rank", rate, rate / Double(world.size)))
        print(String(format: "  wall              %.3f s per simulated hour (slowest rank, transport only)", perHour))
        print(String(format: "  cpu               %.3f s per simulated hour (slowest rank), %.3e cell-member-steps per CPU second per rank",
                     cpu / Double(hours), cellMemberSteps / cpu / Double(world.size)))
        print(String(format: "  peak memory       %.1f MiB (sum of ranks' max RSS)", Double(memory) / 1_048_576))
        if let reference {
            print(String(format: "  reference         %.3e cell-member-steps per second (%.3e per CPU second): upwind + diffusion",
                         cellMemberSteps / reference.wall, cellMemberSteps / reference.cpu))
            print(String(format: "  fraction          %.3f of the reference's rate (wall), %.3f (CPU), median hour %.3f",
                         reference.wall / model.wall, reference.cpu / model.cpu, model.medianFraction(of: reference)))
        }
    }

    /// Collects the budgets (each group's tile-0 rank holds its members') on
    /// world rank 0 and writes them.
    private func writeBudgets(_ budgets: [[MassBudget]], to path: String, communicators: LayoutCommunicators,
                              first: ModelHour) throws {
        let world = communicators.world
        let fieldsPerBudget = 7
        let local: [Double] = communicators.tileIndex == 0 ? budgets.flatMap { hour in
            hour.flatMap { b in
                [Double(b.member), b.massStart, b.massEnd, b.injected, b.lateralInflow, b.topInflow, Double(b.substeps)]
            }
        } : []
        guard let parts = world.gather(local, root: 0) else { return }
        var table = [[MassBudget?]](repeating: [MassBudget?](repeating: nil, count: members), count: hours)
        for part in parts where !part.isEmpty {
            let perHour = part.count / hours
            for h in 0..<hours {
                for o in stride(from: h * perHour, to: (h + 1) * perHour, by: fieldsPerBudget) {
                    let v = Array(part[o..<(o + fieldsPerBudget)])
                    table[h][Int(v[0])] = MassBudget(time: first.advanced(by: h), member: Int(v[0]), massStart: v[1],
                                                     massEnd: v[2], injected: v[3], lateralInflow: v[4],
                                                     topInflow: v[5], substeps: Int(v[6]))
                }
            }
        }
        world.abortOnError {
            try MassBudgetFile.write(table.map { $0.compactMap { $0 } }, members: 0..<members, path: path)
        }
    }

    /// Every member's final field, `co2(member, z, y, x)` in double precision,
    /// for bit-for-bit comparison of runs on different layouts.
    private func writeDump(_ fields: [[Double]], grid: HorizontalGrid, nz: Int, to path: String) throws {
        let file = try NetCDFFile.create(path)
        let root = file.root
        try root.addDimension("member", length: fields.count)
        try root.addDimension("z", length: nz)
        try root.addDimension("y", length: grid.ny)
        try root.addDimension("x", length: grid.nx)
        let co2 = try root.addVariable("co2", type: .double, dimensions: ["member", "z", "y", "x"])
        try co2.setAttribute("units", .text("1e-6"))
        try co2.write(fields.flatMap { $0 })
        try file.commit()
    }
}

/// Wall and CPU seconds of a kernel, hour by hour. CPU time (user + system of
/// this process) matters on a shared machine: the wall time also counts
/// other programs' share of the cores, the CPU time does not.
struct KernelTimes {
    private(set) var hours: [(wall: Double, cpu: Double)] = []
    var wall: Double { hours.reduce(0) { $0 + $1.wall } }
    var cpu: Double { hours.reduce(0) { $0 + $1.cpu } }

    static func now() -> (wall: Date, cpu: Double) {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return (Date(), Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9)
    }

    mutating func record(since start: (wall: Date, cpu: Double)) {
        let end = Self.now()
        hours.append((end.wall.timeIntervalSince(start.wall), end.cpu - start.cpu))
    }

    mutating func measure(_ body: () -> Void) {
        let start = Self.now()
        body()
        record(since: start)
    }

    /// The median over hours of `reference`'s wall time over this one's.
    func medianFraction(of reference: KernelTimes) -> Double {
        let fractions = zip(hours, reference.hours).map { $1.wall / $0.wall }.sorted()
        guard !fractions.isEmpty else { return .nan }
        let n = fractions.count
        return n % 2 == 1 ? fractions[n / 2] : 0.5 * (fractions[n / 2 - 1] + fractions[n / 2])
    }
}
