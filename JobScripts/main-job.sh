#!/usr/bin/env bash
# The README's main job on a fresh machine: installs what is missing, builds
# RCAS in release mode and runs the twin experiment on china-64km with the
# synthetic world on 2 MPI ranks (Domains/china-64km/twin.yaml):
#   bash JobScripts/main-job.sh [OUTPUT_DIR]          (default output/twin-china-64km)
# It prints the scores table; the run folder holds fluxes.nc, observations.nc,
# ctrl/, fc/, observations/ and summary.json, and report/ with the figures and
# report/index.html (rcas plot, Docs/report.md) for the assessed days after the
# 1-day spin-up. RCAS_RANKS=N changes the rank count.
set -euo pipefail
cd "$(dirname "$0")/.."
source JobScripts/lib/install-dependencies.sh
rcas_install_dependencies
swift build -c release --product rcas
output=${1:-output/twin-china-64km}
if [[ -e $output ]]; then
    echo "main-job: $output exists; remove it or give another folder" >&2
    exit 1
fi
mkdir -p "$(dirname "$output")"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun -np "${RCAS_RANKS:-2}" --oversubscribe --bind-to none \
    .build/release/rcas osse Domains/china-64km/twin.yaml --output "$output"
.build/release/rcas plot "$output" --output "$output/report" --domain Domains/china-64km --from 2016-07-02
echo "main-job: report in $output/report/index.html"
