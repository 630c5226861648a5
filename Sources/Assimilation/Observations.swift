/// The observations of one analysis: values, error variances and (optional)
/// heights, in the order the serial filter assimilates them. The order is the
/// index order of the batch; the caller fixes it deterministically (RCAS sorts
/// by time, then by sounding id) so that every rank and every run agrees.
public struct ObservationBatch: Sendable, Equatable {
    /// Observed values y.
    public var values: [Double]
    /// Error variances R (uncorrelated errors).
    public var errorVariances: [Double]
    /// Height (m) for point observations, nil for column observations (never
    /// localized vertically).
    public var heights: [Double?]

    public init(values: [Double], errorVariances: [Double], heights: [Double?]? = nil) {
        precondition(values.count == errorVariances.count)
        precondition(errorVariances.allSatisfy { $0 > 0 && $0.isFinite }, "observation error variances must be positive")
        self.values = values
        self.errorVariances = errorVariances
        self.heights = heights ?? Array(repeating: nil, count: values.count)
        precondition(self.heights.count == values.count)
    }

    public var count: Int { values.count }
}

/// What the observation-space sweep of the serial EnSRF produced: for each
/// observation, in assimilation order, the quantities every state column needs
/// (innovation, HPH^T + R, the square-root factor and the simulated-observation
/// perturbations at the moment it was assimilated), plus diagnostics.
public struct ObservationSpaceUpdate: Sendable {
    public let memberCount: Int
    /// y - H x̄ at the moment of assimilation.
    public let innovations: [Double]
    /// H P H^T + R at the moment of assimilation.
    public let innovationVariances: [Double]
    /// (1 + sqrt(R / (H P H^T + R)))^-1, the factor from K to K~ (Whitaker and Hamill 2002).
    public let squareRootFactors: [Double]
    /// H x'^b of each observation at the moment of assimilation, [obs][member].
    public let perturbations: [Double]
    /// H x̄^b before the analysis (first guess).
    public let priorMeans: [Double]
    /// Ensemble spread of H x^b before the analysis (after any prior inflation).
    public let priorSpreads: [Double]
    /// H x̄^a after all observations (each simulated observation updated as part of the augmented state).
    public let posteriorMeans: [Double]
    /// Ensemble spread of H x^a after all observations.
    public let posteriorSpreads: [Double]
}
