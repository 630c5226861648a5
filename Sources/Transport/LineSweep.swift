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
    /// Two contiguous copies of one column (layer k's members at k * memberCount)
    /// for the vertical operators.
    let column: UnsafeMutablePointer<Double>
    let spareColumn: UnsafeMutablePointer<Double>

    init(capacity: Int, memberCount: Int) {
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
        column = .allocate(capacity: capacity * memberCount)
        spareColumn = .allocate(capacity: capacity * memberCount)
    }

    deinit {
        for p in [faceAir, airIn, airOut, inverseAirOut, coefficient, tracerFlux, column, spareColumn] { p.deallocate() }
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
        let target = destinationStride.map { (destination, $0) } ?? (destination + base, stride)
        let M = memberCount
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
        // Face f's tracer flux, then (while it is in L1) the update of cell
        // f - 1 from its two faces.
        for f in first...last {
            let F = faceAir[f], a = coefficient[f]
            let pc = source + base + upwind[f] * stride
            let pl = source + base + lower[f] * stride
            let pu = source + base + upper[f] * stride
            let out = tracerFlux + (f - first) * M
            switch scheme {
            case .vanLeer:
                for m in 0..<M {
                    let c = pc[m]
                    let dl = c - pl[m], dr = pu[m] - c
                    let sum = dl + dr
                    let magnitude = min(2 * min(abs(dl), abs(dr)), 0.5 * abs(sum))
                    let s = dl * dr > 0 ? (sum > 0 ? magnitude : -magnitude) : 0
                    out[m] = F * (c + a * s)
                }
            case .fromm:
                for m in 0..<M { out[m] = F * (pc[m] + a * (0.5 * (pu[m] - pl[m]))) }
            case .upwind:
                for m in 0..<M { out[m] = F * pc[m] }
            }
            guard f > first else { continue }
            let cell = f - 1
            let m0 = airIn[cell], inverse = inverseAirOut[cell]
            let ps = source + base + cell * stride
            let pd = target.0 + cell * target.1
            let west = out - M
            for m in 0..<M {
                pd[m] = (m0 * ps[m] - (out[m] - west[m])) * inverse
            }
        }
    }
}
