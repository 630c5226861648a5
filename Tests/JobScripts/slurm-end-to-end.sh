#!/usr/bin/env bash
# End-to-end test of the job scripts on a real single-node SLURM started here
# (JobScripts/lib/local-slurm.sh; installs slurm-wlm and munge when missing).
#   bash Tests/JobScripts/slurm-end-to-end.sh        (RCAS_BIN: the rcas to test)
# 1. an array of 3 sweep configurations (make-sweep.py, array.sbatch, %2
#    throttle): each task's output equals the same configuration run with mpirun;
# 2. a run chained in 3 segments (chain.sh, --dependency=afterok, --until,
#    --resume) equals the unsplit run;
# 3. a job sent the time-limit signal (USR1 to the batch script) checkpoints,
#    requeues itself and its resume completes with the unsplit run's outputs;
# 4. rcas refuses a world that does not match SLURM_NTASKS.
# The daemons it started are stopped by their pids on exit, pass or fail.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
rcas=${RCAS_BIN:-$root/.build/debug/rcas}
work=$(mktemp -d /tmp/rcas-slurm-XXXXXX)
state=$work/slurm
passed=0
failed=0
check() {  # name, then a command that must succeed
    local name=$1
    shift
    if "$@"; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        failed=$((failed + 1))
    fi
}
finish() {
    bash "$root/JobScripts/lib/local-slurm.sh" stop "$state" || true
    echo "slurm job-script tests: $passed passed, $failed failed (work folder $work)"
}
trap finish EXIT

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 RCAS_BIN=$rcas RCAS_REQUEUE=1
bash JobScripts/lib/local-slurm.sh start "$state" || { failed=$((failed + 1)); exit 1; }
export SLURM_CONF=$state/slurm.conf

mpi() { mpirun -np "$1" --oversubscribe --bind-to none "${@:2}"; }

# Observations for the runs: a small twin experiment on test-small.
cat > "$work/twin.yaml" <<YAML
name: slurm-twin
domain: $root/Domains/test-small
period: {start: 2016-07-01T00, end: 2016-07-01T17}
assimilation: {members: 4, localization: {cutoff_km: 2000}}
ensemble: {seed: 3, ic_bc_perturbation: 0.005}
observations:
  satellite: {source: synthetic, instrument: oco2}
YAML
mpi 2 "$rcas" osse "$work/twin.yaml" --output "$work/twin" > "$work/twin.log" 2>&1 ||
    { cat "$work/twin.log"; failed=$((failed + 1)); exit 1; }
cat > "$work/base.yaml" <<YAML
name: slurm-base
domain: $root/Domains/test-small
period: {start: 2016-07-01T00, end: 2016-07-01T17}
assimilation:
  members: 4
  localization: {cutoff_km: 2000}
  flux_ensemble: {generator: jdas, beta: 80}
ensemble: {seed: 3, ic_bc_perturbation: 0.005}
observations:
  satellite: {source: files, instrument: oco2, files: [$work/twin/observations]}
  in_situ: {files: [$work/twin/observations/insitu]}
checkpoint: {interval_hours: 3}
YAML

# 1. Array over a sweep of beta.
python3 JobScripts/make-sweep.py "$work/base.yaml" "$work/sweep" --beta 40 80 120 > "$work/sweep.log"
array=$(sbatch --parsable --array=1-3%2 --ntasks=2 --wait -o "$work/array-%A_%a.out" \
    JobScripts/array.sbatch "$work/sweep/list.txt") || true
while read -r config output; do
    [[ $config == \#* ]] && continue
    label=$(basename "$config" .yaml)
    mpi 2 "$rcas" run "$config" --output "$work/direct-$label" < /dev/null > "$work/direct-$label.log" 2>&1
    check "array task $label equals the direct mpirun run" python3 Tests/JobScripts/compare_runs.py "$output" "$work/direct-$label"
done < "$work/sweep/list.txt"

# 2. Chain of 3 segments against the unsplit run.
mpi 2 "$rcas" run "$work/base.yaml" --output "$work/unsplit" > "$work/unsplit.log" 2>&1
jobs=$(bash JobScripts/chain.sh "$work/base.yaml" "$work/chained" 2016-07-01T05 2016-07-01T11 -- --ntasks=2 \
    -o "$work/chain-%j.out")
last=$(echo "$jobs" | tail -n 1)
for _ in $(seq 600); do squeue -h -j "$(echo $jobs | tr ' ' ',')" 2>/dev/null | grep -q . || break; sleep 0.5; done
check "chain of 3 jobs ran 3 segments" test "$(echo "$jobs" | wc -l)" -eq 3
check "second and third segments resumed" test "$(cat "$work"/chain-*.out | grep -c 'resuming')" -eq 2
check "chained run equals the unsplit run" python3 Tests/JobScripts/compare_runs.py "$work/chained" "$work/unsplit"

# 3. Time-limit signal: USR1 to the batch script (what --signal=B:USR1@T sends).
sed 's/end: 2016-07-01T17}/end: 2016-07-02T23}/' "$work/base.yaml" > "$work/long.yaml"
mpi 2 "$rcas" run "$work/long.yaml" --output "$work/long-unsplit" > "$work/long-unsplit.log" 2>&1
job=$(sbatch --parsable --ntasks=2 --open-mode=append -o "$work/signal-%j.out" \
    JobScripts/run-experiment.sbatch "$work/long.yaml" "$work/signalled")
for _ in $(seq 600); do [[ -f $work/signalled/checkpoint.nc ]] && break; sleep 0.2; done
scancel --signal=USR1 --batch "$job"
for _ in $(seq 1200); do squeue -h -j "$job" 2>/dev/null | grep -q . || break; sleep 0.5; done
check "signalled job wrote a checkpoint and stopped" grep -q "stopped before the time limit with a checkpoint" "$work/signal-$job.out"
check "requeued job resumed from the checkpoint" grep -q "resuming" "$work/signal-$job.out"
check "resumed job equals the unsplit run" python3 Tests/JobScripts/compare_runs.py "$work/signalled" "$work/long-unsplit"

# 4. A world that does not match the allocation (srun without PMI starts singletons).
SLURM_JOB_ID=1 SLURM_NTASKS=3 "$rcas" run "$work/base.yaml" --output "$work/mismatch" > "$work/mismatch.log" 2>&1
status=$?
check "rank-count mismatch is refused" test "$status" -ne 0
check "mismatch message names SLURM_NTASKS" grep -q "SLURM allocated 3 tasks (SLURM_NTASKS)" "$work/mismatch.log"

[[ $failed -eq 0 ]]
