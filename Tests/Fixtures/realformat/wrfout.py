#!/usr/bin/env python3
"""Writes small WRF-ARW output files (wrfout) in the real layout, for RCAS's tests
and for trying `rcas domain from-wrf` and `meteorology: {source: wrf}`.

The layout follows WRF v4's Registry (Registry/Registry.EM_COMMON: names,
dimensions, staggering, units, descriptions) and the ncdump listing of a wrfout
file in the WRF-ARW User's Guide: dimensions Time (unlimited), DateStrLen = 19,
west_east, south_north, bottom_top, bottom_top_stag, west_east_stag,
south_north_stag; float32 fields with the attributes FieldType, MemoryOrder,
description, units, stagger, coordinates; `Times` as char(Time, DateStrLen);
the global attributes of the grid (MAP_PROJ, TRUELAT1/2, STAND_LON, CEN_LAT/LON,
MOAD_CEN_LAT, DX, DY, ...); file names wrfout_d01_YYYY-MM-DD_hh:mm:ss.

The grid is computed with pyproj on WRF's 6370 km sphere as xWRF does
(xwrf/grid.py): the domain centre (CEN_LAT, CEN_LON) projected, mass points at
(i - (nx-1)/2) DX from it. The fields are physically consistent: a hill,
hydrostatic pressure on eta levels (p = eta (ps - ptop) + ptop), a lapse-rate
temperature, geopotential from the hypsometric equation, potential temperature
stored as T = theta - 300 with P + PB and PH + PHB split into base state and
perturbation, a sheared westerly with a wave, boundary-layer fields that vary
in space and with the hour, EXCH_H as a K-profile on the w levels.

Next to the files it writes truth.json: the values the fields were made from
(air temperature, heights of the full levels above ground, water-vapour mole
fraction, air per level p/(R*T) dz) for the tests to compare with.

    python3 wrfout.py OUTDIR [--projection lambert|polar|mercator] [--hours 3]
                      [--per-file 1] [--start 2016-07-01_00] [--nx 20 --ny 16 --nz 10]
                      [--no-exch-h] [--mask landmask|xland|lu_index|none]
                      [--format NETCDF4|NETCDF4_CLASSIC|NETCDF3_64BIT_OFFSET]
                      [--skip-hour N] [--minutes 60]
"""
import argparse
import datetime
import json
import math
import os
import sys

try:
    import numpy as np
    import netCDF4
    import pyproj
except ImportError as error:
    sys.exit(f"wrfout.py needs numpy, netCDF4 and pyproj ({error}); "
             "install them with JobScripts/lib/install-dependencies.sh")

R_EARTH = 6370000.0
RD, CP, P0, G, T0 = 287.0, 1004.5, 100000.0, 9.81, 300.0   # WRF module_model_constants
R_STAR = 8.314462618                                        # RCAS's universal gas constant
EPSILON = 0.018015 / 0.028965                               # M_w / M_d
P_TOP = 5000.0

PROJECTIONS = {
    # MAP_PROJ, name, attributes, PROJ definition (as xWRF builds it)
    "lambert": (1, "Lambert Conformal",
                dict(TRUELAT1=30.0, TRUELAT2=60.0, STAND_LON=110.0, CEN_LAT=35.0, CEN_LON=112.0, MOAD_CEN_LAT=35.0),
                "+proj=lcc +lat_1=30 +lat_2=60 +lat_0=35 +lon_0=110"),
    "polar": (2, "Polar Stereographic",
              dict(TRUELAT1=60.0, TRUELAT2=60.0, STAND_LON=100.0, CEN_LAT=55.0, CEN_LON=95.0, MOAD_CEN_LAT=55.0),
              "+proj=stere +lat_0=90 +lat_ts=60 +lon_0=100"),
    "mercator": (3, "Mercator",
                 dict(TRUELAT1=20.0, TRUELAT2=0.0, STAND_LON=115.0, CEN_LAT=22.0, CEN_LON=115.0, MOAD_CEN_LAT=22.0),
                 "+proj=merc +lat_ts=20 +lon_0=115"),
}


def eta_levels(nz):
    """Full-level eta, 1 at the ground to 0 at the top, finer near the ground."""
    s = np.linspace(0.0, 1.0, nz + 1)
    eta = 1.0 - (0.35 * s + 0.65 * s ** 2.2)
    eta[0], eta[-1] = 1.0, 0.0
    return eta


def grid(kind, nx, ny, dx):
    code, name, attrs, definition = PROJECTIONS[kind]
    proj = pyproj.Proj(definition + f" +R={R_EARTH} +units=m +no_defs")
    e, n = proj(attrs["CEN_LON"], attrs["CEN_LAT"])
    x0 = e - (nx - 1) / 2.0 * dx
    y0 = n - (ny - 1) / 2.0 * dx
    xm, ym = np.meshgrid(x0 + dx * np.arange(nx), y0 + dx * np.arange(ny))
    xu, yu = np.meshgrid(x0 + dx * (np.arange(nx + 1) - 0.5), y0 + dx * np.arange(ny))
    xv, yv = np.meshgrid(x0 + dx * np.arange(nx), y0 + dx * (np.arange(ny + 1) - 0.5))
    points = {}
    for label, (x, y) in dict(M=(xm, ym), U=(xu, yu), V=(xv, yv)).items():
        lon, lat = proj(x, y, inverse=True)
        factor = proj.get_factors(lon, lat).parallel_scale
        points[label] = (lat, lon, factor)
    return code, name, attrs, points


def fields(points, eta, nx, ny, hour_index):
    """Physically consistent fields of one time (numpy float64)."""
    nz = len(eta) - 1
    znu = 0.5 * (eta[:-1] + eta[1:])
    i, j = np.meshgrid(np.arange(nx), np.arange(ny))
    hill = 900.0 * np.exp(-(((i - 0.6 * nx) / 4.0) ** 2 + ((j - 0.5 * ny) / 3.5) ** 2))
    lat = points["M"][0]
    ps = 101325.0 * np.exp(-hill / 8200.0) * (1 + 0.002 * math.sin(hour_index / 3.0))
    pw = eta[:, None, None] * (ps - P_TOP)[None] + P_TOP          # full levels
    pm = znu[:, None, None] * (ps - P_TOP)[None] + P_TOP          # mass levels
    ts = 300.0 - 0.4 * (lat - 30.0) + 2.0 * math.sin(hour_index / 4.0)
    temperature = np.maximum(ts[None] * (pm / ps[None]) ** (RD * 0.0065 / G), 205.0)
    phi = np.empty((nz + 1, ny, nx))
    phi[0] = G * hill
    for k in range(nz):
        phi[k + 1] = phi[k] + RD * temperature[k] * np.log(pw[k] / pw[k + 1])
    height = (phi - phi[0]) / G                                   # full levels above ground
    zmass = 0.5 * (height[:-1] + height[1:])
    theta = temperature * (P0 / pm) ** (RD / CP)
    q = 0.014 * np.exp(-zmass / 2500.0) * (1 + 0.2 * np.cos(2 * np.pi * i / nx))[None]
    # Base state: the same column for a 290 K isothermal atmosphere and the base surface pressure.
    psb = 100000.0 * np.exp(-hill / 8000.0)
    pb = znu[:, None, None] * (psb - P_TOP)[None] + P_TOP
    pwb = eta[:, None, None] * (psb - P_TOP)[None] + P_TOP
    phib = np.empty_like(phi)
    phib[0] = G * hill
    for k in range(nz):
        phib[k + 1] = phib[k] + RD * 290.0 * np.log(pwb[k] / pwb[k + 1])
    # Winds: westerly growing with height plus a wave, on the C-grid faces.
    zu = np.concatenate([zmass[:, :, :1], 0.5 * (zmass[:, :, 1:] + zmass[:, :, :-1]), zmass[:, :, -1:]], axis=2)
    iu = np.arange(nx + 1)[None, None, :] - 0.5
    u = 6.0 + 0.002 * zu + 2.0 * np.sin(2 * np.pi * iu / nx + hour_index / 2.0)
    zv = np.concatenate([zmass[:, :1, :], 0.5 * (zmass[:, 1:, :] + zmass[:, :-1, :]), zmass[:, -1:, :]], axis=1)
    jv = np.arange(ny + 1)[None, :, None] - 0.5
    v = 3.0 * np.cos(2 * np.pi * jv / ny) * np.exp(-zv / 6000.0) - 1.0
    w = 0.02 * np.sin(np.pi * np.arange(nz + 1) / nz)[:, None, None] * np.cos(2 * np.pi * i / nx)[None]
    # Boundary layer: deep in the afternoon of the east, shallow in the west; stable (HFX < 0) in the north-west.
    heating = np.clip(np.sin(2 * np.pi * (hour_index + 6 + i / 3.0) / 24.0), 0, None)
    pblh = 250.0 + 1600.0 * heating
    hfx = -40.0 + 320.0 * heating
    ust = 0.15 + 0.35 * (j + 1) / ny
    exch = 0.01 + 0.4 * ust[None] * height * np.clip(1 - height / pblh[None], 0, None) ** 2
    exch[0] = 0.0
    exch[-1] = 0.0
    land = ((i + 2 * j) % 7 < 4).astype(float)
    mole_fraction = q / (q + EPSILON)
    air = pm / (R_STAR * temperature) * np.diff(height, axis=0)
    return dict(hill=hill, ps=ps, pm=pm, pb=pb, temperature=temperature, theta=theta, phi=phi, phib=phib,
                height=height, q=q, u=u, v=v, w=w, pblh=pblh, hfx=hfx, ust=ust, exch=exch, land=land,
                mole_fraction=mole_fraction, air=air, psb=psb)


def add(nc, name, data, dims, description, units, stagger="", order=None, coordinates=None, fmt="f4"):
    var = nc.createVariable(name, fmt, dims, **({"zlib": True, "complevel": 1} if nc.data_model == "NETCDF4" else {}))
    var.FieldType = np.int32(104)
    var.MemoryOrder = order or {4: "XYZ", 3: "XY ", 2: "Z  ", 1: "0  "}[len(dims)]
    var.description = description
    var.units = units
    var.stagger = stagger
    if coordinates:
        var.coordinates = coordinates
    var[:] = data
    return var


def write_file(path, args, times, kind, points, eta, start):
    code, name, attrs, _ = PROJECTIONS[kind]
    nx, ny, nz = args.nx, args.ny, args.nz
    nc = netCDF4.Dataset(path, "w", format=args.format)
    for dim, length in [("Time", None), ("DateStrLen", 19), ("west_east", nx), ("south_north", ny),
                        ("bottom_top", nz), ("bottom_top_stag", nz + 1), ("soil_layers_stag", 4),
                        ("west_east_stag", nx + 1), ("south_north_stag", ny + 1)]:
        nc.createDimension(dim, length)
    first = times[0][1]
    nc.setncatts({
        "TITLE": " OUTPUT FROM WRF V4.2.1 MODEL", "START_DATE": start.strftime("%Y-%m-%d_%H:%M:%S"),
        "SIMULATION_START_DATE": start.strftime("%Y-%m-%d_%H:%M:%S"),
        "WEST-EAST_GRID_DIMENSION": np.int32(nx + 1), "SOUTH-NORTH_GRID_DIMENSION": np.int32(ny + 1),
        "BOTTOM-TOP_GRID_DIMENSION": np.int32(nz + 1), "DX": np.float32(args.dx), "DY": np.float32(args.dx),
        "GRIDTYPE": "C", "DIFF_OPT": np.int32(1), "KM_OPT": np.int32(4), "BL_PBL_PHYSICS": np.int32(1),
        "SF_SFCLAY_PHYSICS": np.int32(1), "HYBRID_OPT": np.int32(0), "ETAC": np.float32(0.0),
        "CEN_LAT": np.float32(attrs["CEN_LAT"]), "CEN_LON": np.float32(attrs["CEN_LON"]),
        "TRUELAT1": np.float32(attrs["TRUELAT1"]), "TRUELAT2": np.float32(attrs["TRUELAT2"]),
        "MOAD_CEN_LAT": np.float32(attrs["MOAD_CEN_LAT"]), "STAND_LON": np.float32(attrs["STAND_LON"]),
        "POLE_LAT": np.float32(90.0), "POLE_LON": np.float32(0.0), "GMT": np.float32(first.hour),
        "JULYR": np.int32(first.year), "JULDAY": np.int32(first.timetuple().tm_yday),
        "MAP_PROJ": np.int32(code), "MAP_PROJ_CHAR": name, "MMINLU": "MODIFIED_IGBP_MODIS_NOAH",
        "NUM_LAND_CAT": np.int32(21), "ISWATER": np.int32(17), "ISLAKE": np.int32(21), "ISICE": np.int32(15),
        "ISURBAN": np.int32(13), "ISOILWATER": np.int32(14), "GRID_ID": np.int32(1), "PARENT_ID": np.int32(0),
        "I_PARENT_START": np.int32(1), "J_PARENT_START": np.int32(1), "PARENT_GRID_RATIO": np.int32(1),
        "DT": np.float32(180.0),
    })
    chars = nc.createVariable("Times", "S1", ("Time", "DateStrLen"))
    chars[:] = netCDF4.stringtochar(np.array([t.strftime("%Y-%m-%d_%H:%M:%S") for _, t in times], dtype="S19"))
    m, u, v = points["M"], points["U"], points["V"]
    nt = len(times)
    both = lambda a: np.repeat(a[None], nt, axis=0)
    T, SN, WE, BT = "Time", "south_north", "west_east", "bottom_top"
    mass3, full3 = (T, BT, SN, WE), (T, "bottom_top_stag", SN, WE)
    add(nc, "XTIME", np.array([(t - start).total_seconds() / 60 for _, t in times]), (T,),
        "minutes since " + start.strftime("%Y-%m-%d %H:%M:%S"), "minutes since " + start.strftime("%Y-%m-%d %H:%M:%S"))
    coords = "XLONG XLAT XTIME"
    add(nc, "XLAT", both(m[0]), (T, SN, WE), "LATITUDE, SOUTH IS NEGATIVE", "degree_north", coordinates="XLONG XLAT")
    add(nc, "XLONG", both(m[1]), (T, SN, WE), "LONGITUDE, WEST IS NEGATIVE", "degree_east", coordinates="XLONG XLAT")
    add(nc, "XLAT_U", both(u[0]), (T, SN, "west_east_stag"), "LATITUDE, SOUTH IS NEGATIVE", "degree_north", "X",
        coordinates="XLONG_U XLAT_U")
    add(nc, "XLONG_U", both(u[1]), (T, SN, "west_east_stag"), "LONGITUDE, WEST IS NEGATIVE", "degree_east", "X",
        coordinates="XLONG_U XLAT_U")
    add(nc, "XLAT_V", both(v[0]), (T, "south_north_stag", WE), "LATITUDE, SOUTH IS NEGATIVE", "degree_north", "Y",
        coordinates="XLONG_V XLAT_V")
    add(nc, "XLONG_V", both(v[1]), (T, "south_north_stag", WE), "LONGITUDE, WEST IS NEGATIVE", "degree_east", "Y",
        coordinates="XLONG_V XLAT_V")
    for suffix, (label, dims, stagger) in {"M": ("M", (T, SN, WE), ""), "U": ("U", (T, SN, "west_east_stag"), "X"),
                                           "V": ("V", (T, "south_north_stag", WE), "Y")}.items():
        factor = both(points[label][2])
        add(nc, "MAPFAC_" + suffix, factor, dims, f"Map scale factor on {label.lower()}-grid", "", stagger, coordinates=coords)
        for direction in "XY":
            add(nc, f"MAPFAC_{suffix}{direction}", factor, dims,
                f"Map scale factor on {label.lower()}-grid, {direction.lower()} direction", "", stagger, coordinates=coords)
    eta2 = np.repeat(eta[None], nt, axis=0)
    znu = 0.5 * (eta[:-1] + eta[1:])
    add(nc, "ZNW", eta2, (T, "bottom_top_stag"), "eta values on full (w) levels", "", "Z")
    add(nc, "ZNU", np.repeat(znu[None], nt, axis=0), (T, BT), "eta values on half (mass) levels", "")
    add(nc, "DNW", np.repeat(np.diff(eta)[None], nt, axis=0), (T, BT), "d(eta) values between full (w) levels", "")
    add(nc, "P_TOP", np.full(nt, P_TOP), (T,), "PRESSURE TOP OF THE MODEL", "Pa")
    f = [fields(points, eta, nx, ny, index) for index, _ in times]
    stack = lambda key: np.stack([x[key] for x in f])
    add(nc, "U", stack("u"), (T, BT, SN, "west_east_stag"), "x-wind component", "m s-1", "X",
        coordinates="XLONG_U XLAT_U XTIME")
    add(nc, "V", stack("v"), (T, BT, "south_north_stag", WE), "y-wind component", "m s-1", "Y",
        coordinates="XLONG_V XLAT_V XTIME")
    add(nc, "W", stack("w"), full3, "z-wind component", "m s-1", "Z", coordinates=coords)
    add(nc, "PH", stack("phi") - stack("phib"), full3, "perturbation geopotential", "m2 s-2", "Z", coordinates=coords)
    add(nc, "PHB", stack("phib"), full3, "base-state geopotential", "m2 s-2", "Z", coordinates=coords)
    add(nc, "T", stack("theta") - T0, mass3, "perturbation potential temperature theta-t0", "K", coordinates=coords)
    add(nc, "MU", stack("ps") - stack("psb"), (T, SN, WE), "perturbation dry air mass in column", "Pa", coordinates=coords)
    add(nc, "MUB", stack("psb") - P_TOP, (T, SN, WE), "base state dry air mass in column", "Pa", coordinates=coords)
    add(nc, "P", stack("pm") - stack("pb"), mass3, "perturbation pressure", "Pa", coordinates=coords)
    add(nc, "PB", stack("pb"), mass3, "BASE STATE PRESSURE", "Pa", coordinates=coords)
    add(nc, "QVAPOR", stack("q"), mass3, "Water vapor mixing ratio", "kg kg-1", coordinates=coords)
    add(nc, "HGT", stack("hill"), (T, SN, WE), "Terrain Height", "m", coordinates=coords)
    add(nc, "PSFC", stack("ps"), (T, SN, WE), "SFC PRESSURE", "Pa", coordinates=coords)
    add(nc, "UST", stack("ust"), (T, SN, WE), "U* IN SIMILARITY THEORY", "m s-1", coordinates=coords)
    add(nc, "PBLH", stack("pblh"), (T, SN, WE), "PBL HEIGHT", "m", coordinates=coords)
    add(nc, "HFX", stack("hfx"), (T, SN, WE), "UPWARD HEAT FLUX AT THE SURFACE", "W m-2", coordinates=coords)
    if not args.no_exch_h:
        add(nc, "EXCH_H", stack("exch"), full3, "SCALAR EXCHANGE COEFFICIENTS", "m2 s-1", "Z", coordinates=coords)
    land = stack("land")
    if args.mask == "landmask":
        add(nc, "LANDMASK", land, (T, SN, WE), "LAND MASK (1 FOR LAND, 0 FOR WATER)", "", coordinates=coords)
    if args.mask == "xland":
        add(nc, "XLAND", 2 - land, (T, SN, WE), "LAND MASK (1 FOR LAND, 2 FOR WATER)", "", coordinates=coords)
    if args.mask == "lu_index":
        add(nc, "LU_INDEX", np.where(land > 0.5, 10.0, 17.0), (T, SN, WE), "LAND USE CATEGORY", "", coordinates=coords)
    nc.close()
    return f


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--projection", choices=sorted(PROJECTIONS), default="lambert")
    parser.add_argument("--hours", type=int, default=3, help="hours of output")
    parser.add_argument("--minutes", type=int, default=60, help="output interval in minutes")
    parser.add_argument("--per-file", type=int, default=1, help="times per file")
    parser.add_argument("--start", default="2016-07-01_00")
    parser.add_argument("--nx", type=int, default=20)
    parser.add_argument("--ny", type=int, default=16)
    parser.add_argument("--nz", type=int, default=10)
    parser.add_argument("--dx", type=float, default=30000.0)
    parser.add_argument("--no-exch-h", action="store_true", help="leave EXCH_H out (Kz is then diagnosed)")
    parser.add_argument("--mask", choices=["landmask", "xland", "lu_index", "none"], default="landmask")
    parser.add_argument("--format", default="NETCDF4", choices=["NETCDF4", "NETCDF4_CLASSIC", "NETCDF3_64BIT_OFFSET"])
    parser.add_argument("--skip-hour", type=int, action="append", default=[], help="leave this output hour out")
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    start = datetime.datetime.strptime(args.start, "%Y-%m-%d_%H")
    steps = args.hours * 60 // args.minutes
    times = [(n * args.minutes / 60.0, start + datetime.timedelta(minutes=n * args.minutes)) for n in range(steps)]
    times = [t for t in times if t[0] not in args.skip_hour]
    eta = eta_levels(args.nz)
    code, name, attrs, points = grid(args.projection, args.nx, args.ny, args.dx)
    truth = {"eta": eta.tolist(), "times": []}
    written = []
    for first in range(0, len(times), args.per_file):
        chunk = times[first:first + args.per_file]
        path = os.path.join(args.outdir, "wrfout_d01_" + chunk[0][1].strftime("%Y-%m-%d_%H:%M:%S"))
        for (hour, when), f in zip(chunk, write_file(path, args, chunk, args.projection, points, eta, start)):
            truth["times"].append({
                "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "temperature": f["temperature"].ravel().tolist(),
                "height": f["height"].ravel().tolist(),
                "water_vapour": f["mole_fraction"].ravel().tolist(),
                "air": f["air"].ravel().tolist(),
            })
        written.append(path)
    with open(os.path.join(args.outdir, "truth.json"), "w") as handle:
        json.dump(truth, handle)
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
