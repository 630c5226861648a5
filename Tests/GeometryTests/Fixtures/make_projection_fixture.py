#!/usr/bin/env python3
"""Writes projection_reference.csv: projected coordinates computed by PROJ
(through pyproj, an implementation independent of RCAS) for the four map
projections RCAS supports, on the CMAQ sphere (R = 6 370 000 m).

Run from this folder:  python3 make_projection_fixture.py
(installs pyproj from PyPI when it is missing).
"""
import csv
import subprocess
import sys

try:
    import pyproj
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "pyproj"])
    import pyproj

R = 6370000.0
# name, RCAS parameters (as in domain.yaml), PROJ string, latitudes, longitudes
CASES = [
    ("stereographic", "35 116 1", f"+proj=stere +lat_0=35 +lon_0=116 +k_0=1 +R={R} +units=m",
     range(5, 60, 5), range(65, 170, 10)),
    ("polar_stereographic", "60 -105", f"+proj=stere +lat_0=90 +lat_ts=60 +lon_0=-105 +R={R} +units=m",
     range(20, 90, 10), range(-180, 180, 30)),
    ("lambert_conformal_conic", "25 47 35 105", f"+proj=lcc +lat_1=25 +lat_2=47 +lat_0=35 +lon_0=105 +R={R} +units=m",
     range(10, 60, 5), range(75, 140, 10)),
    ("lambert_conformal_conic_tangent", "30 30 30 -100", f"+proj=lcc +lat_1=30 +lat_2=30 +lat_0=30 +lon_0=-100 +R={R} +units=m",
     range(15, 55, 10), range(-130, -70, 15)),
    ("mercator", "20 110", f"+proj=merc +lat_ts=20 +lon_0=110 +R={R} +units=m",
     range(-30, 60, 10), range(60, 170, 15)),
]

with open("projection_reference.csv", "w", newline="") as handle:
    out = csv.writer(handle)
    out.writerow(["projection", "parameters", "latitude", "longitude", "x_m", "y_m"])
    for name, parameters, definition, lats, lons in CASES:
        proj = pyproj.Proj(definition)
        for lat in lats:
            for lon in lons:
                x, y = proj(lon + 0.25, lat + 0.125)
                out.writerow([name, parameters, lat + 0.125, lon + 0.25, f"{x:.6f}", f"{y:.6f}"])
print("wrote projection_reference.csv with pyproj", pyproj.__version__, "PROJ", pyproj.proj_version_str)
