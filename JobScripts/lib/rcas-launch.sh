#!/usr/bin/env bash
# rcas_launch LAUNCH_COMMAND...: runs an rcas launch (mpirun ... rcas ..., or
# srun ... rcas ...) in the background and passes stop signals on so that rcas
# stops cleanly. Sourced by JobScripts/rcas-mpirun.sh and run-experiment.sbatch.
#
# Why: Open MPI's mpirun treats SIGTERM and SIGINT as an abort: it sends
# SIGTERM to the ranks, kills them 1 s later and exits 1 whatever they did.
# It forwards SIGUSR1 without aborting and then exits with the ranks' code. So
# the first TERM, INT or USR1 this shell receives goes to the launcher as USR1
# (rcas then stops with a checkpoint at the end of the hour and exits 0, or at
# once with 128 + signal before its hourly cycle starts); a second one, at
# least 2 s later, goes as TERM (stop at once).
#
# Sets RCAS_EXIT (rcas's exit code, Docs/user-guide.md "Exit codes") and
# RCAS_STOP_SIGNAL (the name of the first signal received, empty if none).
# When the launcher itself was signalled (SLURM signals every process of a
# job step) and exits 1, the code rcas's rank 0 recorded in RCAS_STATUS_FILE
# is taken instead.
rcas_launch() {
    local status_file status recorded child first=0
    status_file=$(mktemp "${TMPDIR:-/tmp}/rcas-status.XXXXXX")
    export RCAS_STATUS_FILE=$status_file
    RCAS_STOP_SIGNAL=
    _rcas_stop() {
        if [[ -z $RCAS_STOP_SIGNAL ]]; then
            RCAS_STOP_SIGNAL=$1
            first=$SECONDS
            kill -USR1 "$child" 2>/dev/null || true
        elif ((SECONDS - first >= 2)); then
            kill -TERM "$child" 2>/dev/null || true
        fi
    }
    trap '_rcas_stop USR1' USR1
    trap '_rcas_stop TERM' TERM
    trap '_rcas_stop INT' INT
    if [[ $1 == mpirun ]]; then
        set -- mpirun -x RCAS_STATUS_FILE "${@:2}"
    fi
    "$@" &
    child=$!
    # `wait` returns early when a trapped signal arrives: wait again until rcas has exited.
    while true; do
        wait "$child" && status=0 || status=$?
        kill -0 "$child" 2>/dev/null || break
    done
    trap - USR1 TERM INT
    recorded=$(awk 'NR == 1 { print $1 }' "$status_file" 2>/dev/null || true)
    rm -f "$status_file"
    if [[ $status == 1 && $recorded =~ ^[0-9]+$ ]]; then
        status=$((10#$recorded))
    fi
    # rcas stopped at once by the USR1 sent for another signal: report that signal.
    if [[ $status == 138 && -n $RCAS_STOP_SIGNAL && $RCAS_STOP_SIGNAL != USR1 ]]; then
        status=$((128 + $(kill -l "$RCAS_STOP_SIGNAL")))
    fi
    RCAS_EXIT=$status
}
