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
import os

import numpy as np

from domain_grid import DomainGrid, land_mask_module


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("domain", help="domain folder holding domain.yaml")
    parser.add_argument("--samples", type=int, default=10, help="samples per cell side (default 10)")
    parser.add_argument("--output", default="land_sea_mask.nc", help="file name inside the domain folder")
    args = parser.parse_args()

    import netCDF4
    globe = land_mask_module()
    grid = DomainGrid(args.domain)
    n = args.samples
    lon, lat = grid.samples(n)
    land = globe.is_land(lat, lon).astype(float)
    fraction = land.reshape(grid.ny, n, grid.nx, n).mean(axis=(1, 3))

    path = os.path.join(args.domain, args.output)
    tmp = path + ".tmp"
    with netCDF4.Dataset(tmp, "w", format="NETCDF4") as nc:
        nc.Conventions = "CF-1.8"
        nc.title = f"Land fraction on the grid of domain {grid.name}"
        nc.domain = grid.name
        nc.source = ("global-land-mask 1.0.0 (PyPI, https://github.com/toddkarin/global-land-mask), "
                     "land/sea classification of the NOAA NGDC GLOBE 30-arc-second digital elevation model")
        nc.method = (f"fraction of {n}x{n} points on a regular sub-grid of each cell (projected coordinates) "
                     "that global_land_mask.globe.is_land classifies as land")
        nc.history = "written by Domains/tools/make_land_sea_mask.py"
        grid.write_grid_variables(nc)
        vf = nc.createVariable("land_fraction", "f8", ("y", "x"), zlib=True, complevel=4)
        vf.standard_name = "land_area_fraction"
        vf.long_name = "fraction of the cell that is land"
        vf.units = "1"
        vf.valid_range = np.array([0.0, 1.0])
        vf.grid_mapping = "crs"
        vf.coordinates = "lat lon"
        vf[:] = fraction
    os.replace(tmp, path)
    print(f"wrote {path}: {grid.nx} x {grid.ny} cells, land fraction mean {fraction.mean():.3f}, "
          f"{(fraction > 0.5).sum()} cells more than half land")


if __name__ == "__main__":
    main()
