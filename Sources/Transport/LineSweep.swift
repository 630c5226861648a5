/// One-dimensional flux-form advection of all members along one line of cells
/// (a row, a column of rows, or a vertical column), the inner operator of the
/// dimensionally split scheme.
///
/// Mass-consistent form (Easter 1993, Mon. Wea. Rev. 121, 297; the scheme
/// behind CMAQ's mass-conserving advection): the air mass m is advected with
/// the same face fluxes as the tracer mass m·χ and the new mixing ratio is
/// their ratio,
///   m'_c = m_c - (F_{c+1} - F_c),
///   χ'_c = (m_c χ_c - (F_{c+1} χ_{c+1/2} - F_c χ_{c-1/2})) / m'_c,
/// with F the air (mol) crossing face c (west of cell c) in the step. A
/// uniform χ therefore stays uniform whatever the divergence of one sweep.
///
/// Face values are van Leer's MUSCL reconstruction with the monotonised
/// central limiter (van Leer 1977, J. Comput. Phys. 23, 276):
///   χ_face = χ_u ± ½ (1 - C) s_u,  C = |F| / m_u,
///   s = minmod(2 (χ_u - χ_{u-1}), (χ_{u+1} - χ_{u-1}) / 2, 2 (χ_{u+1} - χ_u)),
/// u the upwind cell. With non-negative χ, |s| <= 2 χ_u, so the face value
/// lies in [C χ_u, (2 - C) χ_u] and a cell whose outgoing Courant numbers sum
/// to at most 1 cannot go negative. The linear options (``TransportOptions/Scheme``)
/// take the unlimited central slope s = (χ_{u+1} - χ_{u-1}) / 2 (Fromm 1968,
/// J. Comput. Phys. 3, 176) or no slope (first-order upwind). Every scheme
/// uses a zero slope in the first and last cell of a line (a clamped
/// neighbour), where the limiter gives zero anyway.
///
/// Buffers are allocated once per line length and member count and reused.
/// A sweep is prepared (per-face and per-cell coefficients, shared by all
/// members) and then advected face by face, in one call (``sweep``) or in
/// consecutive runs of faces (``advect``), so that a caller can finish the
/// cells of a few faces in every layer before going on along the line.
final class LineSweeper {
    let memberCount: Int
    let capacity: Int
    /// Air crossing face f in the step (mol), faces first...last.
    let faceAir: UnsafeMutablePointer<Double>
    /// Air in cell c before the sweep (mol), cells 0..<count.
    let airIn: UnsafeMutablePointer<Double>
    /// Air in cell c after the sweep, cells first..<last (output).
    let airOut: UnsafeMutablePointer<Double>
    private let inverseAirOut: UnsafeMutablePointer<Double>
    private let coefficient: UnsafeMutablePointer<Double>
    private let upwind: UnsafeMutablePointer<Int>
    private let lower: UnsafeMutablePointer<Int>
    private let upper: UnsafeMutablePointer<Int>
    /// Tracer crossing each face (air mol x ppm), (f - first) * memberCount + m.
    let tracerFlux: UnsafeMutablePointer<Double>
    /// One cell of members that takes the update of the cell west of the
    /// first face (there is none).
    private let scratch: UnsafeMutablePointer<Double>
    /// The first face of the prepared sweep.
    private var first = 0
    /// Two contiguous copies of one column (layer k's members at k * memberCount)
    /// for the vertical operators, when asked for.
    let column: UnsafeMutablePointer<Double>
    let spareColumn: UnsafeMutablePointer<Double>

    init(capacity: Int, memberCount: Int, columnBuffers: Bool) {
        self.capacity = capacity
        self.memberCount = memberCount
        faceAir = .allocate(capacity: capacity + 1)
        airIn = .allocate(capacity: capacity)
        airOut = .allocate(capacity: capacity)
        inverseAirOut = .allocate(capacity: capacity)
        coefficient = .allocate(capacity: capacity + 1)
        upwind = .allocate(capacity: capacity + 1)
        lower = .allocate(capacity: capacity + 1)
        upper = .allocate(capacity: capacity + 1)
        tracerFlux = .allocate(capacity: (capacity + 1) * memberCount)
        scratch = .allocate(capacity: memberCount)
        scratch.initialize(repeating: 0, count: memberCount)
        column = .allocate(capacity: columnBuffers ? capacity * memberCount : 0)
        spareColumn = .allocate(capacity: columnBuffers ? capacity * memberCount : 0)
    }

    deinit {
        for p in [faceAir, airIn, airOut, inverseAirOut, coefficient, tracerFlux, scratch, column, spareColumn] { p.deallocate() }
        for p in [upwind, lower, upper] { p.deallocate() }
    }

    /// Advects the line whose cell c (0..<count) starts at `source + base + c * stride`
    /// (members contiguous from there), updating cells first..<last into
    /// `destination + c * destinationStride` (by default the same place in
    /// another buffer) from the fluxes through faces first...last. Reads cells
    /// first-2...last+1, clamped to 0..<count; a clamped neighbour gives a zero
    /// slope, i.e. first-order upwind next to the ends of a vertical column.
    /// `faceAir` and `airIn` must be filled before the call.
    @inline(__always)
    func sweep(source: UnsafePointer<Double>, destination: UnsafeMutablePointer<Double>, base: Int, stride: Int,
               destinationStride: Int? = nil, count: Int, first: Int, last: Int, scheme: TransportOptions.Scheme) {
        prepare(count: count, first: first, last: last)
        advect(source: source, destination: destination, base: base, stride: stride,
               destinationStride: destinationStride, faces: first...last, scheme: scheme)
    }

    /// The per-face coefficients (upwind cell, its neighbours, the slope
    /// factor ±½(1 - C)) of faces first...last and the air after the sweep
    /// of cells first..<last (``airOut``), from ``faceAir`` and ``airIn``.
    @inline(__always)
    func prepare(count: Int, first: Int, last: Int) {
        self.first = first
        for f in first...last {
            let F = faceAir[f]
            let u = min(max(F >= 0 ? f - 1 : f, 0), count - 1)
            upwind[f] = u
            lower[f] = max(u - 1, 0)
            upper[f] = min(u + 1, count - 1)
            let courant = abs(F) / airIn[u]
            coefficient[f] = u > 0 && u < count - 1 ? (F >= 0 ? 0.5 : -0.5) * (1 - courant) : 0
        }
        for c in first..<last {
            let out = airIn[c] - (faceAir[c + 1] - faceAir[c])
            airOut[c] = out
            inverseAirOut[c] = 1 / out
        }
    }

    /// The tracer fluxes of `faces` of the prepared sweep and the update of
    /// the cell west of each (see ``sweep``); runs of faces must follow each
    /// other along the line from its first face.
    @inline(__always)
    func advect(source: UnsafePointer<Double>, destination: UnsafeMutablePointer<Double>, base: Int, stride: Int,
                destinationStride: Int? = nil, faces: ClosedRange<Int>, scheme: TransportOptions.Scheme) {
        let target = destinationStride.map { (destination, $0) } ?? (destination + base, stride)
        let M = memberCount, first = first
        // Face f's tracer flux Φ_f = F_f χ_face for every member and, in the
        // same loop, the update of cell f - 1 from Φ_{f-1} and Φ_f; the first
        // face has no cell on its west: a scratch cell with no air takes it.
        for f in faces {
            let F = faceAir[f], a = coefficient[f]
            let pc = source + base + upwind[f] * stride
            let pl = source + base + lower[f] * stride
            let pu = source + base + upper[f] * stride
            let out = tracerFlux + (f - first) * M
            let updates = f > first
            let m0 = updates ? airIn[f - 1] : 0, inverse = updates ? inverseAirOut[f - 1] : 0
            let ps = updates ? source + base + (f - 1) * stride : UnsafePointer(scratch)
            let pd = updates ? target.0 + (f - 1) * target.1 : scratch
            let west = updates ? UnsafePointer(out - M) : UnsafePointer(scratch)
            switch scheme {
            case .vanLeer:
                for m in 0..<M {
                    let c = pc[m]
                    let dl = c - pl[m], dr = pu[m] - c
                    let sum = dl + dr
                    let magnitude = min(2 * min(abs(dl), abs(dr)), 0.5 * abs(sum))
                    // When dl dr > 0, sum has their sign and is not zero.
                    let s = dl * dr > 0 ? Double(signOf: sum, magnitudeOf: magnitude) : 0
                    let flux = F * (c + a * s)
                    out[m] = flux
                    pd[m] = (m0 * ps[m] - (flux - west[m])) * inverse
                }
            case .fromm:
                for m in 0..<M {
                    let flux = F * (pc[m] + a * (0.5 * (pu[m] - pl[m])))
                    out[m] = flux
                    pd[m] = (m0 * ps[m] - (flux - west[m])) * inverse
                }
            case .upwind:
                for m in 0..<M {
                    let flux = F * pc[m]
                    out[m] = flux
                    pd[m] = (m0 * ps[m] - (flux - west[m])) * inverse
                }
            }
        }
    }
}
