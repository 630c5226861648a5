#!/usr/bin/env python3
"""Write a small set of input files in the real products' layouts for a
3-day run, and the domain they define, so that real-format.yaml can be
checked (`rcas inputs check`) and run (`rcas run`) before real downloads
are in place. Values are made up; layouts are the products' (see
Tests/Fixtures/realformat/README.md and Docs/inputs.md).

    python3 Domains/real-format-sample/make_samples.py [OUTDIR] [--rcas PATH]
        [--days 3] [--nx 24 --ny 20 --nz 8 --dx 75000] [--wrf-format NETCDF4]

--days and the grid options make a larger or shorter set (the copied
real-format.yaml then ends with the last day), e.g. a china-64km-sized WRF
grid for timing the inputs (Docs/performance.md, "Inputs per tile"):
--days 1 --nx 105 --ny 86 --nz 30 --dx 64000. --wrf-format NETCDF3_64BIT_OFFSET
writes the wrfout files uncompressed, as WRF's default io_form_history = 2
does (NETCDF4 files are deflated, one chunk per variable and record).

OUTDIR (default: this script's folder) receives
    data/wrf/wrfout_d01_2016-07-0{1,2,3}_00:00:00, ..._2016-07-04_00:00:00
                         WRF-ARW output, Lambert conformal 24 x 20 cells of 75 km
                         around 35 N 112 E, 8 eta layers, hourly, 24 hours a file
    domain/              written by `rcas domain from-wrf` from the first wrfout file
    data/oco2/           OCO-2 Lite files, v10 (1 July) and v11 (2, 3 July): one
                         400-sounding track a day across the domain at 05 UTC (made-up values, no OCO-2 orbit)
    data/obspack/        ObsPack GLOBALVIEWplus hourly site files of SDZ (inside the
                         domain), AMY and WLG (both outside: dropped by the selection)
    data/ct/fluxes/      CarbonTracker CT2019B 3-hourly 1x1 flux files, 1-3 July
    data/ct/molefractions/  CarbonTracker CT2019B glb3x2 mole fractions, 1-3 July
    real-format.yaml     the configuration (copied next to the data when OUTDIR is
                         not this folder)
Existing data/ and domain/ folders in OUTDIR are replaced.

Needs numpy, netCDF4 and pyproj (JobScripts/lib/install-dependencies.sh) and
the rcas binary (--rcas, default: rcas on PATH, else .build/debug/rcas).
"""
import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Fixtures", "realformat"))

import carbontracker  # noqa: E402
import lite  # noqa: E402
import obspack  # noqa: E402
import wrfout  # noqa: E402

START = dt.datetime(2016, 7, 1)
DAYS = 3
# WRF grid: lambert projection of wrfout.py (35 N, 112 E), 24 x 20 cells of 75 km, 8 layers.
NX, NY, NZ, DX = 24, 20, 8, 75000.0
# One satellite track a day: (product, start latitude, start longitude, seed);
# soundings step 0.01 degrees north-east, 400 of them cross about 8 cells.
TRACKS = [("oco2-v10", 31.0, 108.0, 1), ("oco2-v11", 32.0, 111.0, 2), ("oco2-v11", 30.5, 113.5, 3)]
SOUNDINGS = 400


def write_wrf(folder, days=DAYS, nx=NX, ny=NY, nz=NZ, dx=DX, wrf_format="NETCDF4"):
    """Hourly wrfout files, 24 hours a file, from START to one hour past the
    last day (the run reads the meteorology at the end of its last hour)."""
    args = argparse.Namespace(nx=nx, ny=ny, nz=nz, dx=dx, format=wrf_format, no_exch_h=False, mask="landmask")
    hours = 24 * days + 1
    times = [(float(n), START + dt.timedelta(hours=n)) for n in range(hours)]
    eta = wrfout.eta_levels(nz)
    _, _, _, points = wrfout.grid("lambert", nx, ny, dx)
    paths = []
    for first in range(0, hours, 24):
        chunk = times[first:first + 24]
        path = os.path.join(folder, "wrfout_d01_" + chunk[0][1].strftime("%Y-%m-%d_%H:%M:%S"))
        wrfout.write_file(path, args, chunk, "lambert", points, eta, START)
        paths.append(path)
    return paths


def write_lite(folder, days=DAYS):
    for day, (product, lat, lon, seed) in enumerate(TRACKS[:days]):
        date = (START + dt.timedelta(days=day)).date().isoformat()
        lite.write(argparse.Namespace(outdir=folder, product=product, date=date, soundings=SOUNDINGS, seed=seed,
                                      lat=lat, lon=lon, damage=[], name=None))


def write_obspack(folder, days=DAYS):
    for seed, site in enumerate(["SDZ", "AMY", "WLG"], start=1):
        obspack.write(argparse.Namespace(outdir=folder, site=site, records=24 * days, start=START.strftime("%Y-%m-%dT%H"),
                                         seed=seed, multi_site=False, damage=[], name=None))


def write_carbontracker(fluxes, molefractions, days=DAYS):
    os.makedirs(fluxes)
    os.makedirs(molefractions)
    for day in range(days):
        date = START + dt.timedelta(days=day)
        carbontracker.write_fluxes(os.path.join(fluxes, f"CT2019B.flux1x1.{date:%Y%m%d}.nc"), date, 8 * day, "CT2019B",
                                   False, [])
        carbontracker.write_molefractions(os.path.join(molefractions, f"CT2019B.molefrac_glb3x2_{date:%Y-%m-%d}.nc"), date,
                                          START, "CT2019B", "glb3x2", [])


def find_rcas(given):
    if given:
        return given
    found = shutil.which("rcas")
    if found:
        return found
    built = os.path.join(ROOT, ".build", "debug", "rcas")
    if os.path.exists(built):
        return built
    sys.exit("make_samples.py: no rcas binary; build it (swift build) or pass --rcas PATH")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir", nargs="?", default=HERE)
    parser.add_argument("--rcas", help="the rcas binary (default: rcas on PATH, else .build/debug/rcas)")
    parser.add_argument("--days", type=int, default=DAYS, choices=range(1, len(TRACKS) + 1), metavar="1-3",
                        help=f"days of data from {START:%Y-%m-%d} (default {DAYS})")
    parser.add_argument("--nx", type=int, default=NX, help=f"WRF mass points west-east (default {NX})")
    parser.add_argument("--ny", type=int, default=NY, help=f"WRF mass points south-north (default {NY})")
    parser.add_argument("--nz", type=int, default=NZ, help=f"WRF mass levels (default {NZ})")
    parser.add_argument("--dx", type=float, default=DX, help=f"WRF grid spacing, m (default {DX:.0f})")
    parser.add_argument("--wrf-format", default="NETCDF4", choices=["NETCDF4", "NETCDF4_CLASSIC", "NETCDF3_64BIT_OFFSET"],
                        help="file format of the wrfout files (default NETCDF4, deflated)")
    args = parser.parse_args()
    out = os.path.abspath(args.outdir)
    if out == HERE and args.days != DAYS:
        sys.exit(f"make_samples.py: --days {args.days} needs an OUTDIR (real-format.yaml here covers {DAYS} days)")
    rcas = find_rcas(args.rcas)
    os.makedirs(out, exist_ok=True)
    data, domain = os.path.join(out, "data"), os.path.join(out, "domain")
    for folder in (data, domain):
        if os.path.isdir(folder):
            shutil.rmtree(folder)
    wrf = os.path.join(data, "wrf")
    os.makedirs(wrf)
    first = write_wrf(wrf, args.days, args.nx, args.ny, args.nz, args.dx, args.wrf_format)[0]
    write_lite(os.path.join(data, "oco2"), args.days)
    write_obspack(os.path.join(data, "obspack"), args.days)
    write_carbontracker(os.path.join(data, "ct", "fluxes"), os.path.join(data, "ct", "molefractions"), args.days)
    result = subprocess.run([rcas, "domain", "from-wrf", first, "--output", domain, "--name", "wrf-sample"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"make_samples.py: rcas domain from-wrf failed:\n{result.stdout}{result.stderr}")
    if out != HERE:
        with open(os.path.join(HERE, "real-format.yaml")) as source:
            text = source.read()
        last = START + dt.timedelta(days=args.days - 1)
        text = text.replace(f"end: {START + dt.timedelta(days=DAYS - 1):%Y-%m-%d}T23", f"end: {last:%Y-%m-%d}T23")
        with open(os.path.join(out, "real-format.yaml"), "w") as target:
            target.write(text)
    print(f"wrote {data} and {domain}; configuration {os.path.join(out, 'real-format.yaml')}")


if __name__ == "__main__":
    main()
