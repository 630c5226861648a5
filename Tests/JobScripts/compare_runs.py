#!/usr/bin/env python3
"""Exits 0 when two run folders' fluxes.nc, observations.nc and concentrations.nc hold the same
variables with identical values (to the last bit); prints what differs.
Usage: compare_runs.py RUN_A RUN_B"""
import sys

import netCDF4
import numpy as np

differences = []
for name in ("fluxes.nc", "observations.nc", "concentrations.nc"):
    a = netCDF4.Dataset(f"{sys.argv[1]}/{name}")
    b = netCDF4.Dataset(f"{sys.argv[2]}/{name}")
    if set(a.variables) != set(b.variables):
        differences.append(f"{name}: variables differ")
        continue
    for variable in a.variables:
        x, y = np.asarray(a[variable][:]), np.asarray(b[variable][:])
        same = x.shape == y.shape and (x.tobytes() == y.tobytes() if x.dtype.kind in "fiu"
                                       else list(x.ravel()) == list(y.ravel()))
        if not same:
            differences.append(f"{name}:{variable}")
print("identical" if not differences else "DIFFERENT: " + ", ".join(differences))
sys.exit(1 if differences else 0)
