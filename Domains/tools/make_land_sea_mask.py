#!/usr/bin/env python3
"""Write land_sea_mask.nc (land fraction per grid cell) into a domain folder.

Usage: python3 Domains/tools/make_land_sea_mask.py Domains/china-64km [--samples 10]

The land fraction of a cell is the fraction of samples x samples points, on a
regular sub-grid of the cell's square in projected coordinates, that fall on
land in the PyPI package global-land-mask (Todd Karin), which rasterises the
NOAA NGDC GLOBE 30-arc-second (~1 km) digital elevation model's land/sea
classification. The sub-grid samples the projected square uniformly, so each
sample stands for an equal area up to the variation of the map-scale factor
across one cell (< 0.1 % for 64 km cells).

The output is CF-1.8: dimensions (y, x); x, y (projection metres, cell centres),
lat, lon, land_fraction(y, x) in [0, 1], and a crs grid-mapping variable.
Installs global-land-mask (pip) if it is missing. Needs numpy, netCDF4, pyproj,
PyYAML.
"""
import argparse
import importlib
import os
import subprocess
import sys

import numpy as np
import yaml


def land_mask_module():
    try:
        return importlib.import_module("global_land_mask.globe")
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "global-land-mask==1.0.0"])
        return importlib.import_module("global_land_mask.globe")


def proj_string(projection, radius):
    kind = projection["type"]
    if kind == "stereographic":
        return (f"+proj=stere +lat_0={projection['latitude_of_projection_origin']} "
                f"+lon_0={projection['longitude_of_projection_origin']} "
                f"+k_0={projection.get('scale_factor_at_projection_origin', 1.0)} +x_0=0 +y_0=0 +R={radius} +units=m")
    if kind == "polar_stereographic":
        return (f"+proj=stere +lat_0=90 +lat_ts={projection['standard_parallel']} "
                f"+lon_0={projection['straight_vertical_longitude_from_pole']} +x_0=0 +y_0=0 +R={radius} +units=m")
    if kind == "lambert_conformal_conic":
        first = projection["standard_parallel_1"]
        second = projection.get("standard_parallel_2", first)
        return (f"+proj=lcc +lat_1={first} +lat_2={second} +lat_0={projection['latitude_of_projection_origin']} "
                f"+lon_0={projection['longitude_of_central_meridian']} +x_0=0 +y_0=0 +R={radius} +units=m")
    raise SystemExit(f"unsupported projection type {kind}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("domain", help="domain folder holding domain.yaml")
    parser.add_argument("--samples", type=int, default=10, help="samples per cell side (default 10)")
    parser.add_argument("--output", default="land_sea_mask.nc", help="file name inside the domain folder")
    args = parser.parse_args()

    import netCDF4
    import pyproj
    globe = land_mask_module()

    with open(os.path.join(args.domain, "domain.yaml")) as f:
        domain = yaml.safe_load(f)
    grid = domain["grid"]
    nx, ny = int(grid["nx"]), int(grid["ny"])
    dx = float(grid["dx_m"])
    dy = float(grid.get("dy_m", dx))
    x0 = float(grid.get("x_origin_m", -nx * dx / 2))
    y0 = float(grid.get("y_origin_m", -ny * dy / 2))
    radius = float(domain.get("earth_radius_m", 6370000.0))
    proj = proj_string(domain["projection"], radius)
    to_geo = pyproj.Transformer.from_crs(pyproj.CRS.from_proj4(proj),
                                         pyproj.CRS.from_proj4(f"+proj=longlat +R={radius}"), always_xy=True)

    n = args.samples
    offsets = (np.arange(n) + 0.5) / n                     # sample positions within a cell, 0..1
    sx = x0 + (np.arange(nx)[:, None] + offsets[None, :]).ravel() * dx   # (nx*n,)
    sy = y0 + (np.arange(ny)[:, None] + offsets[None, :]).ravel() * dy   # (ny*n,)
    X, Y = np.meshgrid(sx, sy)                            # (ny*n, nx*n)
    lon, lat = to_geo.transform(X, Y)
    lon = (np.asarray(lon) + 180.0) % 360.0 - 180.0
    land = globe.is_land(np.clip(lat, -90, 90), lon).astype(np.float64)
    fraction = land.reshape(ny, n, nx, n).mean(axis=(1, 3))

    xc = x0 + (np.arange(nx) + 0.5) * dx
    yc = y0 + (np.arange(ny) + 0.5) * dy
    XC, YC = np.meshgrid(xc, yc)
    clon, clat = to_geo.transform(XC, YC)

    path = os.path.join(args.domain, args.output)
    tmp = path + ".tmp"
    with netCDF4.Dataset(tmp, "w", format="NETCDF4") as nc:
        nc.Conventions = "CF-1.8"
        nc.title = f"Land fraction on the grid of domain {domain['name']}"
        nc.domain = domain["name"]
        nc.source = ("global-land-mask 1.0.0 (PyPI, https://github.com/toddkarin/global-land-mask), "
                     "land/sea classification of the NOAA NGDC GLOBE 30-arc-second digital elevation model")
        nc.method = (f"fraction of {n}x{n} points on a regular sub-grid of each cell (projected coordinates) "
                     "that global_land_mask.globe.is_land classifies as land")
        nc.history = "written by Domains/tools/make_land_sea_mask.py"
        nc.createDimension("y", ny)
        nc.createDimension("x", nx)
        crs = nc.createVariable("crs", "i4")
        crs.proj4_params = proj
        crs.earth_radius = radius
        vx = nc.createVariable("x", "f8", ("x",))
        vx.standard_name, vx.units, vx.axis = "projection_x_coordinate", "m", "X"
        vx[:] = xc
        vy = nc.createVariable("y", "f8", ("y",))
        vy.standard_name, vy.units, vy.axis = "projection_y_coordinate", "m", "Y"
        vy[:] = yc
        vlat = nc.createVariable("lat", "f8", ("y", "x"))
        vlat.standard_name, vlat.units = "latitude", "degrees_north"
        vlat[:] = clat
        vlon = nc.createVariable("lon", "f8", ("y", "x"))
        vlon.standard_name, vlon.units = "longitude", "degrees_east"
        vlon[:] = clon
        vf = nc.createVariable("land_fraction", "f8", ("y", "x"), zlib=True, complevel=4)
        vf.standard_name = "land_area_fraction"
        vf.long_name = "fraction of the cell that is land"
        vf.units = "1"
        vf.valid_range = np.array([0.0, 1.0])
        vf.grid_mapping = "crs"
        vf.coordinates = "lat lon"
        vf[:] = fraction
    os.replace(tmp, path)
    print(f"wrote {path}: {nx} x {ny} cells, land fraction mean {fraction.mean():.3f}, "
          f"{(fraction > 0.5).sum()} cells more than half land")


if __name__ == "__main__":
    main()
