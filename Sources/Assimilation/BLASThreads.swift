import CBLAS

/// Restricts OpenBLAS to one thread per process. MPI supplies the parallelism
/// (one rank per core), and BLAS threads on top of it would oversubscribe the
/// cores; the `rcas` executable calls this once at start-up.
public func useOneBLASThreadPerRank() {
    openblas_set_num_threads(1)
}
