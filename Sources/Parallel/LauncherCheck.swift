/// Checks that the MPI world matches what the batch system allocated.
///
/// Under SLURM, Open MPI started by `srun` without PMI support starts N
/// independent single-rank copies instead of one N-rank job; each copy would
/// then run the whole experiment alone and overwrite the others' outputs. The
/// engine therefore compares its world size with `SLURM_NTASKS` (or, inside a
/// job step, `SLURM_STEP_NUM_TASKS`) and stops when they differ.
public enum LauncherCheck {
    /// Environment variable that disables the check (for deliberate use of a
    /// subset of an allocation).
    public static let overrideVariable = "RCAS_ALLOW_TASK_MISMATCH"

    /// A message explaining the mismatch, or nil when the world is consistent
    /// with the allocation (or no SLURM allocation is present).
    public static func mismatch(worldSize: Int, environment: [String: String]) -> String? {
        guard environment[overrideVariable] == nil, environment["SLURM_JOB_ID"] != nil else { return nil }
        let inStep = environment["SLURM_STEP_NUM_TASKS"] != nil && environment["OMPI_COMM_WORLD_SIZE"] == nil
        let variable = inStep ? "SLURM_STEP_NUM_TASKS" : "SLURM_NTASKS"
        guard let text = environment[variable], let tasks = Int(text), tasks != worldSize else { return nil }
        return """
            SLURM allocated \(tasks) tasks (\(variable)) but the MPI world has \(worldSize) rank(s). \
            Under srun, Open MPI needs PMI: use 'srun --mpi=pmix rcas ...', or launch with \
            'mpirun rcas ...' (no -np) inside the allocation. Set \(overrideVariable)=1 to run on \
            fewer ranks on purpose.
            """
    }
}
