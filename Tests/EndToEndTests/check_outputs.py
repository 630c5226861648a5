#!/usr/bin/env python3
"""Checks a run folder's NetCDF outputs against CF-1.8 with the IOOS
compliance checker (PyPI `compliance-checker`, which carries the CF standard
name table, so it works offline) and opens them with xarray, checking the
decoded coordinates.
Usage: check_outputs.py RUN_DIR   (installs compliance-checker and xarray if missing)"""
import json
import os
import subprocess
import sys
import tempfile

for module, package in (("compliance_checker", "compliance-checker"), ("xarray", "xarray")):
    try:
        __import__(module)
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", package])

import numpy as np
import xarray as xr

run = sys.argv[1]
failed = False
for name in ("fluxes.nc", "observations.nc", "concentrations.nc"):
    with tempfile.TemporaryDirectory() as folder:
        report_path = os.path.join(folder, "report.json")
        subprocess.run(["compliance-checker", "--test=cf:1.8", "--format=json", "--output", report_path,
                        os.path.join(run, name)], capture_output=True, text=True)
        with open(report_path) as handle:
            report = json.load(handle)["cf:1.8"]
    # "Required" CF checks (high priority) that failed are errors; medium and
    # low priorities are recommendations and are printed, not counted.
    errors = [f"{item['name']}: {'; '.join(item['msgs'])}" for item in report.get("high_priorities", [])
              if item["value"][0] < item["value"][1]]
    for message in errors:
        print(f"{name}: ERROR {message}")
    for item in report.get("medium_priorities", []) + report.get("low_priorities", []):
        if item["value"][0] < item["value"][1]:
            print(f"{name}: note {item['name']}: {'; '.join(item['msgs'])}")
    print(f"cf-checker: {len(errors)} errors in {name}")
    failed |= bool(errors)

fluxes = xr.open_dataset(os.path.join(run, "fluxes.nc"))
lat, lon = fluxes["lat"], fluxes["lon"]
ok = (lat.dims == ("y", "x") and lon.dims == ("y", "x") and float(lat.min()) > -90 and float(lat.max()) < 90
      and np.issubdtype(fluxes["time"].dtype, np.datetime64)
      and str(fluxes["time"].values[0]).startswith("2016-07-01T00")
      and "lat" in fluxes["bio_analysis_mean"].coords)
concentrations = xr.open_dataset(os.path.join(run, "concentrations.nc"))
ok &= "lat" in concentrations["co2_mean"].coords and np.issubdtype(concentrations["time"].dtype, np.datetime64)
observations = xr.open_dataset(os.path.join(run, "observations.nc"))
ok &= np.issubdtype(observations["time"].dtype, np.datetime64)
print("xarray: lat/lon and time decoded" if ok else "xarray: coordinates NOT decoded as expected")
sys.exit(1 if failed or not ok else 0)
