#!/usr/bin/env python3
"""Simulate observations from a bottom-up flux model with RCAS footprints.

    footprint-simulate.py JACOBIAN.nc FLUXES.nc VARIABLE [VARIABLE ...] --output SIMULATED.nc

JACOBIAN.nc comes from `rcas jacobian CONFIG --shape unit` (footprints in
ppm per umol m-2 s-1 for every basis function: a cell or group of cells
times a period). FLUXES.nc holds hourly fluxes on the same domain grid:
variables (time, y, x) in umol m-2 s-1 (or mol m-2 s-1), positive upward,
each record covering [time, time + 1 h). Their sum must be what the
Jacobian's state vector optimises (e.g. NEE + ocean for the biosphere-ocean
state; Docs/jacobians.md). For each observation o:

    simulated[o] = c_background[o] + sum_f jacobian[o, f] * flux_f

with flux_f the flux averaged over function f's hours and (area-weighted)
cells: exact for the cells basis, an aggregation for blocks and regions.
The file also holds the prior's simulation (c_background + c_prior_flux) and
the observed values for comparison. See Docs/jacobians.md.
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import xarray as xr

UNITS = {"umol m-2 s-1": 1.0, "umol/m2/s": 1.0, "micromol m-2 s-1": 1.0, "µmol m-2 s-1": 1.0,
         "mol m-2 s-1": 1e6, "mol/m2/s": 1e6}


def fail(message):
    sys.exit(f"footprint-simulate: {message}")


def hours_since_1970(times, path):
    values = np.asarray(times)
    if np.issubdtype(values.dtype, np.datetime64):
        return (values.astype("datetime64[s]").astype(np.int64) // 3600).astype(np.int64)
    fail(f"{path}: variable 'time' is not a CF time coordinate xarray can decode")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("jacobian")
    parser.add_argument("fluxes")
    parser.add_argument("variables", nargs="+", help="flux variables (time, y, x) whose sum is the optimised flux")
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    jac = xr.open_dataset(args.jacobian, decode_times=False)
    for name in ["jacobian", "c_background", "c_prior_flux", "basis_group", "basis_period", "group_map", "period_bounds"]:
        if name not in jac:
            fail(f"{args.jacobian}: variable '{name}' missing: not an RCAS Jacobian")
    if jac.attrs.get("rcas_shape") != "unit":
        fail(f"{args.jacobian}: basis shape is '{jac.attrs.get('rcas_shape')}'; footprints need `rcas jacobian --shape unit`")
    ny, nx = jac.sizes["y"], jac.sizes["x"]
    areas = jac["cell_area"].values.reshape(-1)

    flux = xr.open_dataset(args.fluxes)
    total = None
    for name in args.variables:
        if name not in flux:
            fail(f"{args.fluxes}: variable '{name}' missing")
        v = flux[name]
        if v.dims[-2:] != ("y", "x") or v.shape[-2:] != (ny, nx) or v.ndim != 3:
            fail(f"{args.fluxes}: variable '{name}' has dimensions {v.dims} {v.shape}, expected (time, y, x) with y = {ny}, x = {nx}")
        units = v.attrs.get("units", "")
        if units not in UNITS:
            fail(f"{args.fluxes}: variable '{name}' has units '{units}', expected one of {sorted(UNITS)}")
        values = v.values.astype(np.float64) * UNITS[units]
        bad = ~np.isfinite(values) | (np.abs(values) > 1e30)
        if bad.any():
            t, j, i = np.argwhere(bad)[0]
            fail(f"{args.fluxes}: variable '{name}' is {values[t, j, i]} at (time, y, x) = ({t}, {j}, {i}) (missing or fill value)")
        total = values if total is None else total + values
    hours = hours_since_1970(flux["time"].values, args.fluxes)
    record = {int(h): n for n, h in enumerate(hours)}

    bounds = jac["period_bounds"].values
    groups = jac["group_map"].values.reshape(-1)
    members = [np.flatnonzero(groups == g) for g in range(jac.sizes["group"])]
    # Mean flux of every (group, period): hours first, then area-weighted cells.
    means = {}
    for p, (start, end) in enumerate(bounds):
        wanted = range(int(start), int(end))
        missing = [h for h in wanted if h not in record]
        if missing:
            first = np.datetime64(int(missing[0]), "h")
            fail(f"{args.fluxes}: no record for hour {first} ({len(missing)} of the period's hours missing)")
        means[p] = total[[record[h] for h in wanted]].mean(axis=0).reshape(-1)
    coefficients = np.empty(jac.sizes["basis"])
    for f, (g, p) in enumerate(zip(jac["basis_group"].values, jac["basis_period"].values)):
        cells = members[g]
        coefficients[f] = np.sum(means[p][cells] * areas[cells]) / np.sum(areas[cells])

    h = jac["jacobian"].values
    simulated = jac["c_background"].values + h @ coefficients
    out = xr.Dataset(
        {"simulated": ("obs", simulated, {"long_name": "observation simulated from the given fluxes", "units": "ppm"}),
         "prior_simulated": ("obs", jac["c_background"].values + jac["c_prior_flux"].values,
                             {"long_name": "observation simulated from the configuration's prior", "units": "ppm"}),
         "value": ("obs", jac["value"].values, {"long_name": "observed value", "units": "ppm"}),
         "error": ("obs", jac["error"].values, {"long_name": "observation error", "units": "ppm"}),
         "time": ("obs", jac["time"].values, jac["time"].attrs),
         "latitude": ("obs", jac["latitude"].values, jac["latitude"].attrs),
         "longitude": ("obs", jac["longitude"].values, jac["longitude"].attrs)},
        attrs={"Conventions": "CF-1.8", "title": "Observations simulated from footprints",
               "source": f"footprint-simulate.py {os.path.basename(args.jacobian)} {os.path.basename(args.fluxes)} "
                         + " ".join(args.variables)})
    directory = os.path.dirname(os.path.abspath(args.output))
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".nc.partial")
    os.close(handle)
    try:
        out.to_netcdf(temporary)
        os.replace(temporary, args.output)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    rms = float(np.sqrt(np.mean((simulated - jac["value"].values) ** 2)))
    print(f"wrote {args.output}: {len(simulated)} observations, RMS (simulated - observed) = {rms:.3f} ppm")


if __name__ == "__main__":
    main()
