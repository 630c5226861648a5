#!/usr/bin/env bash
# mpirun for rcas, with stop signals and exit codes handled (Docs/reliability.md):
#   bash JobScripts/rcas-mpirun.sh [MPIRUN_OPTIONS...] RCAS COMMAND [OPTIONS...]
#   e.g. bash JobScripts/rcas-mpirun.sh -np 4 .build/release/rcas run jdas.yaml --output runs/jdas
# SIGTERM or SIGINT (Ctrl-C, `timeout`, `kill`) to this script stops rcas
# cleanly: a checkpoint at the end of the current hour and exit status 0
# (plain mpirun would kill the ranks and exit 1); a second signal 2 s or
# more later stops at once. The exit status is rcas's (Docs/user-guide.md,
# "Exit codes").
set -uo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/rcas-launch.sh"
(($#)) || { echo "usage: rcas-mpirun.sh [MPIRUN_OPTIONS...] RCAS COMMAND [OPTIONS...]" >&2; exit 64; }
rcas_launch mpirun "$@"
exit "$RCAS_EXIT"
