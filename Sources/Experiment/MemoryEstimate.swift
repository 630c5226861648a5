import Foundation
import Geometry
import Parallel
import Transport

/// The peak memory each rank of an assimilation run will need, from the
/// configuration and the rank layout alone (nothing is read or allocated),
/// so that a run too large for its machine is refused before it starts
/// instead of being killed by the system after minutes of allocating. Every
/// term is an array the engine holds (Docs/reliability.md, "Memory estimate",
/// lists them and compares the estimate with measured peaks). Observation
/// input is not included: it depends on the files, not the configuration.
public struct MemoryEstimate: Sendable, CustomStringConvertible {
    /// One named part of a rank's memory, bytes; transient parts (the
    /// analysis transpose, checkpoint gather and read) do not coexist, so the
    /// peak takes the largest of them.
    public struct Part: Sendable {
        public let name: String
        public let bytes: Int
        public let transient: Bool

        init(name: String, bytes: Int, transient: Bool = false) {
            self.name = name
            self.bytes = bytes
            self.transient = transient
        }
    }

    /// Per rank (world rank order): the parts of its peak.
    public let ranks: [[Part]]
    /// The layout the estimate assumes.
    public let layout: ParallelLayout

    /// Resident size of the process before any model array: the Swift
    /// runtime, Open MPI, NetCDF/HDF5 and the code (measured with a debug
    /// build: a 4-member test-small run peaks at 69.6 MiB, of which about
    /// 3.4 MiB are its arrays; Docs/reliability.md).
    public static let processBase = 68 << 20
    /// Allowance for what the allocator holds beyond the live arrays (freed
    /// blocks it keeps, MPI buffers). The estimate stays an upper bound: the
    /// measured peaks were 3 % to 56 % below it (Docs/reliability.md).
    public static let allocatorAllowance = 0.10
    /// 3-D (and 2-D) meteorological fields of one hour held on every rank:
    /// winds, temperature, pressure, air density, Kz, water vapour, vertical
    /// wind; PBL height and surface pressure. Two hours are held at once.
    static let meteorology3DFields = 8, meteorology2DFields = 2

    /// The estimate for `config` on `worldSize` ranks (`resuming`: a resumed
    /// run, whose ranks each read the checkpoint's whole-ensemble fields).
    public init(config: ExperimentConfig, worldSize: Int, resuming: Bool = false) throws {
        let grid = config.domain.grid, nz = config.domain.layers.count
        let n = grid.cellCount, N = config.members
        let layout: ParallelLayout
        do {
            layout = try config.memberGroups.map { try ParallelLayout(worldSize: worldSize, memberGroups: $0) }
                ?? ParallelLayout.automatic(worldSize: worldSize, memberCount: N, columnCount: n)
        } catch {
            throw ExperimentError.invalidInput("key 'parallel.member_groups': \(error)")
        }
        let tiles = try TileDecomposition(nx: grid.nx, ny: grid.ny, count: layout.tilesPerGroup, halo: TracerEnsemble.margin)
        let assimilation = config.assimilation
        let components = assimilation.stateVector.components.count
        // Concentrations plus the window's flux variables of one column (ColumnStateLayout).
        let V = nz + assimilation.windowHours * components
        let double = MemoryLayout<Double>.size
        let fluxVariables = FluxOutputStream.variables(state: assimilation.stateVector, truth: false,
                                                       averagingKernel: config.ensembleAveragingKernel).count
        // The checkpoint's per-slot statistics fields (AssimilationRun.slotFieldCount) on the whole grid.
        let statistics = assimilation.windowHours * (4 * components + assimilation.stateVector.prescribed.count) * n
        // The generator's remembered past means (AssimilationRun.memorySlots) on the whole grid.
        let past = (assimilation.memory.hours(windowHours: assimilation.windowHours) + 1) * 2 * components * n
        // Per member and column: the window's forecast flux members kept for
        // the averaging kernel (checkpointed beside the block's variables).
        let kept = config.ensembleAveragingKernel ? assimilation.windowHours * components : 0
        var ranks: [[Part]] = []
        for rank in 0..<worldSize {
            let M = layout.members(ofGroup: layout.group(ofRank: rank), memberCount: N).count
            let tile = tiles.tiles[layout.tile(ofRank: rank)]
            let m = TracerEnsemble.margin
            let local = (tile.iRange.count + 2 * m) * (tile.jRange.count + 2 * m), owned = tile.cellCount
            // Columns the analysis gives this rank (all members of each); they
            // are balanced by observation count, so this is the mean share. A
            // rank holding all members of its columns (one rank, or tiles only)
            // updates its block in place, without transposes.
            let analysed = (n + worldSize - 1) / worldSize
            var parts = [
                Part(name: "process (runtime, MPI, NetCDF)", bytes: Self.processBase),
                Part(name: "meteorology (2 hours, whole grid)",
                     bytes: 2 * (Self.meteorology3DFields * n * (nz + 1) + Self.meteorology2DFields * n) * double),
                // State and the sweeps' second buffer on the tile with its margin;
                // each member's surface flux on the whole grid; air-mass fluxes.
                Part(name: "transport (\(M) members on \(owned) columns)",
                     bytes: (2 * local * nz * M + M * n + 4 * n * (nz + 1)) * double),
                Part(name: "ensemble block (\(V) variables x \(M) members x \(owned) columns)", bytes: owned * V * M * double),
            ]
            if kept > 0 {
                // Every window hour's forecast flux members, kept until the hour is final.
                parts.append(Part(name: "forecast flux members (ensemble averaging kernel)", bytes: owned * kept * M * double))
            }
            if layout.memberGroups > 1 {
                // The transposes to the analysis layout and back (at most every
                // column reached): the messages out of and into the block, the
                // analysed columns (all members) and their outgoing copy.
                parts.append(Part(name: "analysis (\(N) members x \(analysed) columns)",
                                  bytes: (2 * owned * V * M + 2 * analysed * V * N) * double, transient: true))
            }
            // The checkpoint copies the rank's concentrations (the rest goes
            // a few columns at a time) and gathers the window's statistics and
            // the memory's past means: on every rank the fields and their
            // flattened copy, on rank 0 also the whole-grid fields. It is
            // counted as a whole copy of the rank's ensemble fields, which it
            // held until 3 Dec 2026: with only the arrays it builds now the
            // estimate fell up to 4 % below measured peaks (test-small, 512
            // members), because of working arrays it does not itemise.
            let tileShare = n > 0 ? Double(owned) / Double(n) : 1
            let gathered = Double(statistics + past)
            parts.append(Part(name: rank == 0 ? "checkpoint (ensemble fields, window statistics, past means)" : "checkpoint copy",
                              bytes: (owned * (V + kept) * M + Int((2 * tileShare + (rank == 0 ? 1 : 0)) * gathered)) * double,
                              transient: true))
            if rank == 0 {
                // The outputs hold one hour of each flux variable.
                parts.append(Part(name: "outputs", bytes: fluxVariables * n * (double + 4) * 2))
                if kept > 0 {
                    // X_f and X_a of one hour on the whole grid, and the N x N
                    // Grams, eigenvectors and products of EnsembleAveragingKernel.
                    parts.append(Part(name: "ensemble averaging kernel (\(N) members, whole grid)",
                                      bytes: (4 * N * n + 4 * N * N) * double, transient: true))
                }
            }
            if resuming {
                // Every rank reads the checkpoint's whole-ensemble fields.
                parts.append(Part(name: "checkpoint read (resume)", bytes: (N * n * (V + kept) + statistics) * double,
                                  transient: true))
            }
            ranks.append(parts)
        }
        self.ranks = ranks
        self.layout = layout
    }

    /// Bytes per rank at its peak: the process base, then every other
    /// resident part plus the largest transient one, with the allocator allowance.
    public var peakPerRank: [Int] {
        ranks.map { parts in
            let arrays = parts.dropFirst().filter { !$0.transient }.reduce(0) { $0 + $1.bytes }
                + (parts.filter(\.transient).map(\.bytes).max() ?? 0)
            return parts[0].bytes + Int((Double(arrays) * (1 + Self.allocatorAllowance)).rounded(.up))
        }
    }

    public var description: String {
        let peaks = peakPerRank
        var lines = ["memory estimate (\(layout), \(ranks.count) rank(s)): peak \(Self.format(peaks.max() ?? 0)) per rank"
                     + (peaks.count > 1 ? " (rank 0: \(Self.format(peaks[0])))" : "") + ", \(Self.format(peaks.reduce(0, +))) in all"]
        if peaks.count > 1 {
            lines.append("  peak of each rank: " + peaks.prefix(16).map(Self.format).joined(separator: ", ")
                         + (peaks.count > 16 ? ", ..." : ""))
        }
        for part in ranks[0] { lines.append("  rank 0 \(part.name): \(Self.format(part.bytes))") }
        lines.append("  (peak = base + \(Int(Self.allocatorAllowance * 100)) % allocator allowance on the resident parts "
                     + "and the largest transient one; observation input not included)")
        return lines.joined(separator: "\n")
    }

    /// Bytes in binary units ("1.2 GiB"), as SLURM's --mem and `free` count them.
    public static func format(_ bytes: Int) -> String {
        let value = Double(bytes)
        for (unit, size) in [("TiB", 1099511627776.0), ("GiB", 1073741824.0), ("MiB", 1048576.0)] where value >= size {
            return String(format: "%.1f %@", value / size, unit)
        }
        return String(format: "%.0f KiB", value / 1024)
    }
}
