/// Choices of the transport numerics (the `transport:` section of a
/// configuration reads them, ``TransportSettings``).
public struct TransportOptions: Sendable, Equatable {
    /// The face values of horizontal and vertical advection (Docs/transport.md).
    public enum Scheme: String, Sendable, Equatable, CaseIterable {
        /// van Leer MUSCL with the monotonised central limiter: the model.
        /// Positive and monotone, but the limiter makes it non-linear in the
        /// tracer.
        case vanLeer = "van-leer"
        /// The same reconstruction with the unlimited central slope (Fromm
        /// 1968): second order and linear in the tracer for fixed
        /// meteorology, but not positive (over- and undershoots near sharp
        /// features). For Jacobians and tagged tracers.
        case fromm
        /// First-order upwind: linear and positive, strongly diffusive.
        case upwind

        /// Whether one hour of transport is an affine map of (initial field,
        /// surface flux, boundary values) for fixed meteorology, so that
        /// tagged tracers superpose exactly up to round-off.
        public var isLinear: Bool { self != .vanLeer }
    }
    public var scheme: Scheme
    /// Largest Courant number allowed per direction and step (outgoing air
    /// through the two faces of one direction over the cell's air); at most
    /// 1, which positivity of the sweeps needs.
    public var courantLimit: Double

    public init(scheme: Scheme = .vanLeer, courantLimit: Double = 1) {
        self.scheme = scheme
        self.courantLimit = courantLimit
    }
}
