#!/usr/bin/env bash
# The README's main job on a fresh machine: installs what is missing, builds
# RCAS in release mode and runs the embedded default.
#   bash JobScripts/main-job.sh
# For now (foundation stage) the main job summarises the china-64km domain and
# writes its CF grid file to output/china-64km-grid.nc; the twin experiment
# replaces it when the experiment driver lands.
set -euo pipefail
cd "$(dirname "$0")/.."
source JobScripts/lib/install-dependencies.sh
rcas_install_dependencies
swift build -c release --product rcas
mkdir -p output
.build/release/rcas domain info Domains/china-64km
.build/release/rcas domain grid Domains/china-64km --output output/china-64km-grid.nc
