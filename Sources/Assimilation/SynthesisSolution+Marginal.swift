extension SynthesisSolution {
    /// The posterior of the first `k` coefficients alone (their increment and
    /// the leading k x k block of A): a Gaussian's marginal, exact. The
    /// synthesis with extra state elements after the flux coefficients (the
    /// lateral-boundary biases) hands its flux part to code that knows only fluxes.
    public func leading(_ k: Int) -> SynthesisSolution {
        let n = increment.count
        precondition((0...n).contains(k), "cannot take \(k) of \(n) coefficients")
        var covariance: [Double] = []
        covariance.reserveCapacity(k * k)
        for i in 0..<k { covariance += posteriorCovariance[(i * n)..<(i * n + k)] }
        return SynthesisSolution(form: form, increment: Array(increment[0..<k]), posteriorCovariance: covariance,
                                 averagingKernelDiagonal: Array(averagingKernelDiagonal[0..<k]))
    }
}
