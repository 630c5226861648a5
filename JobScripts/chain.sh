#!/usr/bin/env bash
# A long run split into SLURM jobs that follow each other: segment k runs
# `rcas run ... --until END_k` (stopping with a checkpoint), and segment k+1,
# submitted with --dependency=afterok on it, resumes from that checkpoint.
#
# Submit:   bash JobScripts/chain.sh CONFIG OUTPUT_DIR END_1 [END_2 ...] [-- SBATCH_OPTIONS...]
#           e.g. bash JobScripts/chain.sh jdas-2016.yaml runs/jdas 2016-03-31T23 2016-07-31T23 -- --ntasks=8 --time=12:00:00
#           The last segment runs to the end of the configured period; the
#           END_k are hours inside the period, increasing.
# Watch:    squeue -u $USER (later segments wait with reason "Dependency")
# Cancel:   scancel the running segment; the waiting ones are cancelled by
#           SLURM (--kill-on-invalid-dep=yes) or with scancel too.
# A segment that fails (rcas exit status other than 0, Docs/user-guide.md
# "Exit codes") cancels the segments after it: they would resume from a
# checkpoint the failed segment did not bring to its end.
# Prints the job ids, one per line.
set -euo pipefail
config=${1:?usage: chain.sh CONFIG OUTPUT_DIR END_1 [END_2 ...] [-- SBATCH_OPTIONS...]}
output=${2:?usage: chain.sh CONFIG OUTPUT_DIR END_1 [...]}
shift 2
ends=()
while (($#)) && [[ $1 != -- ]]; do ends+=("$1"); shift; done
[[ ${1:-} == -- ]] && shift
sbatch_options=("$@")
((${#ends[@]})) || { echo "chain.sh: give at least one segment end" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

previous=
for ((k = 0; k <= ${#ends[@]}; k++)); do
    dependency=()
    [[ -n $previous ]] && dependency=(--dependency=afterok:$previous)
    until=()
    ((k < ${#ends[@]})) && until=(--until "${ends[$k]}")
    previous=$(sbatch --parsable --kill-on-invalid-dep=yes --job-name="rcas-chain-$((k + 1))" "${dependency[@]}" "${sbatch_options[@]}" \
        "$here/run-experiment.sbatch" "$config" "$output" "${until[@]}")
    echo "$previous"
done
