"""The grid of a domain folder, for the mask scripts in this folder.

Reads domain.yaml (the keys Sources/Geometry/Domain.swift reads), gives the
PROJ string of its projection, the cell centres, a regular n x n sub-grid of
sample points in every cell (projected coordinates, so each sample stands for
an equal share of the cell up to the map-scale variation across one cell,
< 0.1 % for 64 km cells), and writes the CF grid variables of a mask file.
Needs numpy, pyproj, PyYAML.
"""
import importlib
import os
import subprocess
import sys

import numpy as np
import yaml


def land_mask_module():
    """global_land_mask.globe (the GLOBE land/sea classification), pip-installed if missing."""
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


class DomainGrid:
    """The horizontal grid of `folder`/domain.yaml."""

    def __init__(self, folder):
        import pyproj
        path = os.path.join(folder, "domain.yaml")
        with open(path) as f:
            self.domain = yaml.safe_load(f)
        self.name = self.domain["name"]
        grid = self.domain["grid"]
        self.nx, self.ny = int(grid["nx"]), int(grid["ny"])
        self.dx = float(grid["dx_m"])
        self.dy = float(grid.get("dy_m", self.dx))
        self.x0 = float(grid.get("x_origin_m", -self.nx * self.dx / 2))
        self.y0 = float(grid.get("y_origin_m", -self.ny * self.dy / 2))
        self.radius = float(self.domain.get("earth_radius_m", 6370000.0))
        self.proj = proj_string(self.domain["projection"], self.radius)
        self.crs = pyproj.CRS.from_proj4(self.proj)
        self.geographic = pyproj.CRS.from_proj4(f"+proj=longlat +R={self.radius}")
        self.to_geo = pyproj.Transformer.from_crs(self.crs, self.geographic, always_xy=True)
        self.from_geo = pyproj.Transformer.from_crs(self.geographic, self.crs, always_xy=True)

    @property
    def x_centres(self):
        return self.x0 + (np.arange(self.nx) + 0.5) * self.dx

    @property
    def y_centres(self):
        return self.y0 + (np.arange(self.ny) + 0.5) * self.dy

    def centres(self):
        """(lon, lat) of the cell centres, shape (ny, nx)."""
        X, Y = np.meshgrid(self.x_centres, self.y_centres)
        lon, lat = self.to_geo.transform(X, Y)
        return np.asarray(lon), np.asarray(lat)

    def samples(self, n):
        """(lon, lat) of n x n sample points per cell, shape (ny*n, nx*n);
        reshape(ny, n, nx, n) groups them by cell. Longitudes in [-180, 180)."""
        offsets = (np.arange(n) + 0.5) / n
        sx = self.x0 + (np.arange(self.nx)[:, None] + offsets[None, :]).ravel() * self.dx
        sy = self.y0 + (np.arange(self.ny)[:, None] + offsets[None, :]).ravel() * self.dy
        X, Y = np.meshgrid(sx, sy)
        lon, lat = self.to_geo.transform(X, Y)
        lon = (np.asarray(lon) + 180.0) % 360.0 - 180.0
        return lon, np.clip(np.asarray(lat), -90, 90)

    def write_grid_variables(self, nc):
        """Dimensions y, x and the variables crs, x, y, lat, lon of a CF-1.8 mask file."""
        nc.createDimension("y", self.ny)
        nc.createDimension("x", self.nx)
        crs = nc.createVariable("crs", "i4")
        crs.proj4_params = self.proj
        crs.earth_radius = self.radius
        vx = nc.createVariable("x", "f8", ("x",))
        vx.standard_name, vx.units, vx.axis = "projection_x_coordinate", "m", "X"
        vx[:] = self.x_centres
        vy = nc.createVariable("y", "f8", ("y",))
        vy.standard_name, vy.units, vy.axis = "projection_y_coordinate", "m", "Y"
        vy[:] = self.y_centres
        clon, clat = self.centres()
        vlat = nc.createVariable("lat", "f8", ("y", "x"))
        vlat.standard_name, vlat.units = "latitude", "degrees_north"
        vlat[:] = clat
        vlon = nc.createVariable("lon", "f8", ("y", "x"))
        vlon.standard_name, vlon.units = "longitude", "degrees_east"
        vlon[:] = clon
