#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything and
# runs the whole test suite (unit tests and the mpirun end-to-end tests).
#   bash Tests/run-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source JobScripts/lib/install-dependencies.sh
rcas_install_dependencies
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
swift build
swift test
