import CSystem

/// Has the C allocator keep the memory the process frees for its next
/// allocations rather than hand it back to the kernel at once. Every
/// simulated hour builds and drops arrays of a few megabytes (the flux
/// ensemble, statistics, checkpoint pieces); by default glibc serves many of
/// them from freshly mapped pages (its adaptive mapping threshold) and trims
/// the heap top when they are freed, so each hour faults in and zeroes the
/// same pages again (2–3 ms per simulated hour of the whole cycle at N = 50,
/// Docs/performance.md). The mapping threshold is set to glibc's largest
/// (32 MiB): arrays above it, such as the ensemble itself, are still mapped
/// on their own and returned when freed. Called once at start-up; elsewhere
/// than Linux it does nothing.
func keepFreedMemoryForReuse() {
    #if os(Linux)
    _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
    _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
    #endif
}
