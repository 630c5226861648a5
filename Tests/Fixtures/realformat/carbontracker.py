#!/usr/bin/env python3
"""Write small CarbonTracker files in the layout of the real products: the
3-hourly 1x1 degree flux files and the 3-hourly global 3x2 degree CO2 mole
fraction files, with analytic values for reader tests and optional damage.

    python3 carbontracker.py fluxes OUTDIR [--release CT2019B] [--start 2016-01-01]
        [--days 2] [--old-layout] [--damage NAME ...]
    python3 carbontracker.py molefractions OUTDIR [--release CT2019B]
        [--start 2016-01-01] [--days 2] [--grid glb3x2|nam1x1] [--damage NAME ...]

The layout (file names, dimensions, variables, units, time stamps at the
middle of each 3-hour period) is the one Docs/inputs.md describes and cites.
One file per UTC day with 8 time steps, stamped 01:30, 04:30, ..., 22:30.

Flux files  RELEASE.flux1x1.YYYYMMDD.nc, float32, zlib, global 1x1 degree grid
(latitude -89.5 ... 89.5, longitude -179.5 ... 179.5), mol m-2 s-1, with k the
3-hour period counted from --start 00 UTC:
    bio_flux_opt     2e-6 (1 + 0.1 k)       everywhere
    ocn_flux_opt    -1e-7                    everywhere
    fossil_flux_imp  3e-7 (1 + 0.05 k)      everywhere
    fire_flux_imp    5e-6 in the one cell centred 39.5 N 116.5 E, 0 elsewhere
--old-layout writes the pre-2016 names: dimensions date, lat, lon, variables
date, date_components, lat, lon and fossil_imp.

Mole-fraction files  RELEASE.molefrac_glb3x2_YYYY-MM-DD.nc, float32, zlib,
global 3x2 grid (latitude -89 ... 89 step 2, longitude -178.5 ... 178.5 step 3;
--grid nam1x1 writes a North-American 1x1 box instead), 25 levels, 26 level
boundaries at heights H (m above the ground, below) over the orography
    orography(lat, lon) = 1000 + 500 sin(lat/45 pi) cos(lon/60 pi)   m
    gph = orography + H                                          m, boundaries
    pressure = 101325 exp(-gph / 8000)                           Pa, boundaries
    co2 = 400 + 0.05 lat + 0.01 lon - 0.0005 z + 0.01 t         micromol mol-1
with z the layer's mid-height above the ground, (H_k + H_k+1) / 2, and t the
hours since --start 00 UTC: linear in every coordinate, so each layer's value
is also its layer mean. Temperature, specific humidity, air mass and winds of
the real files are left out (the readers do not use them).

Damage (any number; flux damage hits fossil_flux_imp of the first file, time
step 2, at 35.5 N 116.5 E; mole-fraction damage hits co2 of the first file,
time step 3, level 1, at 35 N 115.5 E):
  nan            the value is NaN
  default-fill   the value is the NetCDF default fill 9.969209968386869e36
  missing        the value is the variable's missing_value -1e34
  inf            the value is +infinity
  huge           fluxes: 1 mol m-2 s-1; mole fractions: 100 ppm
  drop           leave the variable (fossil_flux_imp / gph) out
  transposed     store bio_flux_opt (co2) with latitude and longitude swapped
  gap            leave the second day's file out (with --days 3)
"""
import argparse
import datetime as dt
import os
import sys

try:
    import netCDF4
    import numpy as np
except ImportError as error:
    sys.stderr.write(f"carbontracker.py needs the Python modules netCDF4 and numpy ({error}); "
                     "install them with JobScripts/lib/install-dependencies.sh\n")
    sys.exit(3)

EPOCH = dt.datetime(2000, 1, 1)
# Level-boundary heights above the ground (m), 26 boundaries for 25 layers,
# spaced like TM5's 25 levels: thin near the ground, the top near 60 km.
BOUNDARY_HEIGHTS = np.array([0, 40, 120, 250, 450, 700, 1000, 1400, 1900, 2500, 3200, 4000, 5000, 6200,
                             7600, 9200, 11000, 13000, 15500, 18500, 22000, 26000, 31000, 37000, 45000, 60000], float)
MISSING = -1e34
DEFAULT_FILL = 9.969209968386869e36


def stamps(day):
    """The 8 time stamps of a day: the middle of each 3-hour period."""
    return [day + dt.timedelta(hours=1.5 + 3 * k) for k in range(8)]


def days_since_2000(times):
    return np.array([(t - EPOCH).total_seconds() / 86400 for t in times])


def components(times):
    return np.array([[t.year, t.month, t.day, t.hour, t.minute, t.second] for t in times], "i4")


def damaged_value(kind, huge):
    return {"nan": np.nan, "default-fill": DEFAULT_FILL, "missing": MISSING, "inf": np.inf, "huge": huge}[kind]


def write_fluxes(path, day, first_period, release, old, damage):
    lats = -89.5 + np.arange(180.0)
    lons = -179.5 + np.arange(360.0)
    times = stamps(day)
    k = first_period + np.arange(8)
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        tname, latname, lonname = ("date", "lat", "lon") if old else ("time", "latitude", "longitude")
        nc.createDimension(tname, None)
        nc.createDimension(latname, 180)
        nc.createDimension(lonname, 360)
        nc.createDimension("calendar_components", 6)
        nc.Notes = "This file contains CarbonTracker surface CO2 fluxes (test sample written by carbontracker.py)."
        nc.version = release
        time = nc.createVariable(tname, "f8", (tname,))
        time.units = "days since 2000-01-01 00:00:00 UTC" if old else "days since 2000-01-01 00:00:00"
        time.long_name = "time at middle of averaging interval"
        time.calendar = "standard"
        time[:] = days_since_2000(times)
        parts = nc.createVariable(f"{tname}_components", "i4", (tname, "calendar_components"))
        parts.long_name = "integer components of UTC date"
        parts.order = "year, month, day, hour, minute, second"
        parts[:] = components(times)
        lat = nc.createVariable(latname, "f8", (latname,))
        lat.units = "degrees_north"
        lat[:] = lats
        lon = nc.createVariable(lonname, "f8", (lonname,))
        lon.units = "degrees_east"
        lon[:] = lons
        fields = {
            "bio_flux_opt": 2e-6 * (1 + 0.1 * k)[:, None, None] * np.ones((8, 180, 360)),
            "ocn_flux_opt": -1e-7 * np.ones((8, 180, 360)),
            ("fossil_imp" if old else "fossil_flux_imp"): 3e-7 * (1 + 0.05 * k)[:, None, None] * np.ones((8, 180, 360)),
            "fire_flux_imp": np.zeros((8, 180, 360)),
        }
        fields["fire_flux_imp"][:, 129, 296] = 5e-6   # 39.5 N, 116.5 E
        fossil = "fossil_imp" if old else "fossil_flux_imp"
        for kind in damage:
            if kind in ("nan", "default-fill", "missing", "inf", "huge"):
                fields[fossil][2, 125, 296] = damaged_value(kind, 1.0)   # 35.5 N, 116.5 E
        for name, values in fields.items():
            if name == fossil and "drop" in damage:
                continue
            dims = (tname, latname, lonname)
            if name == "bio_flux_opt" and "transposed" in damage:
                dims, values = (tname, lonname, latname), values.transpose(0, 2, 1)
            var = nc.createVariable(name, "f4", dims, zlib=True, complevel=4)
            var.units = "mol m-2 s-1"
            var.missing_value = np.float32(MISSING)
            var.long_name = {"bio_flux_opt": "terrestrial biosphere CO2 flux, optimized", "ocn_flux_opt": "ocean CO2 flux, optimized",
                             fossil: "fossil fuel CO2 emissions, imposed", "fire_flux_imp": "fire CO2 emissions, imposed"}[name]
            var.set_auto_maskandscale(False)
            var[:] = values.astype("f4")


def write_molefractions(path, day, start, release, grid, damage):
    if grid == "glb3x2":
        lats, lons = -89.0 + 2 * np.arange(90.0), -178.5 + 3 * np.arange(120.0)
    else:
        lats, lons = 10.5 + np.arange(70.0), -169.5 + np.arange(120.0)
    times = stamps(day)
    hours = np.array([(t - start).total_seconds() / 3600 for t in times])
    lat2, lon2 = np.meshgrid(lats, lons, indexing="ij")
    orography = 1000 + 500 * np.sin(lat2 / 45 * np.pi) * np.cos(lon2 / 60 * np.pi)
    mid = (BOUNDARY_HEIGHTS[:-1] + BOUNDARY_HEIGHTS[1:]) / 2
    gph = orography[None, None] + BOUNDARY_HEIGHTS[None, :, None, None] + np.zeros((8, 26, 1, 1))
    co2 = (400 + 0.05 * lat2[None, None] + 0.01 * lon2[None, None] - 0.0005 * mid[None, :, None, None]
           + 0.01 * hours[:, None, None, None])
    for kind in damage:
        if kind in ("nan", "default-fill", "missing", "inf", "huge"):
            row, column = int(np.argmin(abs(lats - 35))), int(np.argmin(abs(lons - 115.5)))
            co2[3, 0, row, column] = damaged_value(kind, 100.0)
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        nc.createDimension("time", None)
        nc.createDimension("level", 25)
        nc.createDimension("boundary", 26)
        nc.createDimension("latitude", len(lats))
        nc.createDimension("longitude", len(lons))
        nc.createDimension("calendar_components", 6)
        nc.version = release
        nc.Notes = "CarbonTracker CO2 mole fractions (test sample written by carbontracker.py)."
        time = nc.createVariable("time", "f8", ("time",))
        time.units = "days since 2000-01-01 00:00:00"
        time.long_name = "time at middle of averaging interval"
        time.calendar = "standard"
        time[:] = days_since_2000(times)
        parts = nc.createVariable("time_components", "i4", ("time", "calendar_components"))
        parts.order = "year, month, day, hour, minute, second"
        parts[:] = components(times)
        decimal = nc.createVariable("decimal_date", "f8", ("time",))
        decimal.units = "years"
        decimal[:] = [t.year + ((t - dt.datetime(t.year, 1, 1)).total_seconds()
                                / (dt.datetime(t.year + 1, 1, 1) - dt.datetime(t.year, 1, 1)).total_seconds()) for t in times]
        level = nc.createVariable("level", "i4", ("level",))
        level[:] = np.arange(1, 26)
        boundary = nc.createVariable("boundary", "i4", ("boundary",))
        boundary[:] = np.arange(1, 27)
        lat = nc.createVariable("latitude", "f8", ("latitude",))
        lat.units = "degrees_north"
        lat[:] = lats
        lon = nc.createVariable("longitude", "f8", ("longitude",))
        lon.units = "degrees_east"
        lon[:] = lons
        dims = ("time", "level", "latitude", "longitude")
        if "transposed" in damage:
            dims, co2 = ("time", "level", "longitude", "latitude"), co2.transpose(0, 1, 3, 2)
        var = nc.createVariable("co2", "f4", dims, zlib=True, complevel=4)
        var.units = "micromol mol-1"
        var.long_name = "mole_fraction_of_carbon_dioxide_in_air"
        var.missing_value = np.float32(MISSING)
        var.set_auto_maskandscale(False)
        var[:] = co2.astype("f4")
        if "drop" not in damage:
            var = nc.createVariable("gph", "f4", ("time", "boundary", "latitude", "longitude"), zlib=True, complevel=4)
            var.units = "m"
            var.long_name = "geopotential height at level boundaries"
            var[:] = gph.astype("f4")
        var = nc.createVariable("pressure", "f4", ("time", "boundary", "latitude", "longitude"), zlib=True, complevel=4)
        var.units = "Pa"
        var.long_name = "pressure at level boundaries"
        var[:] = (101325 * np.exp(-gph / 8000)).astype("f4")
        var = nc.createVariable("orography", "f4", ("latitude", "longitude"), zlib=True)
        var.units = "m"
        var.long_name = "surface geopotential height"
        var[:] = orography.astype("f4")
        var = nc.createVariable("blh", "f4", ("time", "latitude", "longitude"), zlib=True)
        var.units = "m"
        var.long_name = "boundary layer height"
        var[:] = np.full((8, len(lats), len(lons)), 1000, "f4")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("product", choices=["fluxes", "molefractions"])
    parser.add_argument("outdir")
    parser.add_argument("--release", default="CT2019B")
    parser.add_argument("--start", default="2016-01-01")
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--old-layout", action="store_true")
    parser.add_argument("--grid", choices=["glb3x2", "nam1x1"], default="glb3x2")
    parser.add_argument("--damage", action="append", default=[],
                        choices=["nan", "default-fill", "missing", "inf", "huge", "drop", "transposed", "gap"])
    args = parser.parse_args()
    start = dt.datetime.strptime(args.start, "%Y-%m-%d")
    os.makedirs(args.outdir, exist_ok=True)
    for d in range(args.days):
        if "gap" in args.damage and d == 1:
            continue
        day = start + dt.timedelta(days=d)
        damage = args.damage if d == 0 else []
        if args.product == "fluxes":
            path = os.path.join(args.outdir, f"{args.release}.flux1x1.{day:%Y%m%d}.nc")
            write_fluxes(path, day, 8 * d, args.release, args.old_layout, damage)
        else:
            path = os.path.join(args.outdir, f"{args.release}.molefrac_{args.grid}_{day:%Y-%m-%d}.nc")
            write_molefractions(path, day, start, args.release, args.grid, damage)
        print(path)


if __name__ == "__main__":
    main()
