"""What the report reads from a run folder (the run-directory contract, Docs/experiment.md)."""
import json
import os
import re
import subprocess
from datetime import datetime, timedelta, timezone

import numpy as np

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class InputError(Exception):
    """Bad or missing input, with the file and variable it concerns."""


def hours_to_datetime(hours):
    return EPOCH + timedelta(hours=float(hours))


def open_dataset(path):
    import netCDF4
    if not os.path.exists(path):
        raise InputError(f"{path}: file does not exist")
    try:
        return netCDF4.Dataset(path)
    except OSError as error:
        raise InputError(f"{path}: cannot be read as NetCDF ({error})")


def variable(ds, name, path):
    if name not in ds.variables:
        raise InputError(f"{path}: variable '{name}' missing")
    return ds.variables[name]


def finite(values, path, name):
    """`values` as a float array with masked/fill values turned into an error naming the file and variable."""
    array = np.ma.filled(np.ma.asarray(values, dtype=float), np.nan)
    if not np.all(np.isfinite(array)):
        raise InputError(f"{path}: variable '{name}' holds fill, NaN or infinite values")
    return array


def text_column(ds, name, path):
    """A text column stored as netCDF-4 strings or as a fixed-length char array, as Python str."""
    import netCDF4
    v = variable(ds, name, path)
    v.set_auto_chartostring(False)
    data = v[:]
    if v.dtype == str or data.dtype == object:
        return np.array([str(s) for s in data], dtype=object)
    if data.ndim == 2:
        return np.array([s.rstrip() for s in netCDF4.chartostring(data)], dtype=object)
    raise InputError(f"{path}: variable '{name}' is neither strings nor a (obs, strlen) char array")


def parse_hour(text, option):
    """Hours since 1970 of YYYY-MM-DD[THH] (UTC), as rcas evaluate reads --from/--to; None for None."""
    if text is None:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}))?", text)
    try:
        moment = datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)), int(match.group(4) or 0),
                          tzinfo=timezone.utc)
    except (AttributeError, ValueError):
        raise InputError(f"{option} must be YYYY-MM-DD[THH], got '{text}'")
    return (moment - EPOCH).total_seconds() / 3600


class Fluxes:
    """fluxes.nc: grid, record periods and duration-weighted means of its fields, inside
    the window [first, last) (hours since 1970; None = open)."""

    def __init__(self, path, window=(None, None)):
        self.path = path
        self.window = (-np.inf if window[0] is None else window[0], np.inf if window[1] is None else window[1])
        self.ds = open_dataset(path)
        ds = self.ds
        bounds = finite(variable(ds, "time_bnds", path)[:], path, "time_bnds")
        if bounds.ndim != 2 or bounds.shape[1] != 2 or np.any(bounds[:, 1] <= bounds[:, 0]):
            raise InputError(f"{path}: variable 'time_bnds' is not (time, 2) with end > start")
        self.start = np.maximum(bounds[:, 0], self.window[0])
        self.end = np.minimum(bounds[:, 1], self.window[1])
        if not np.any(self.end > self.start):
            raise InputError(f"{path}: no flux record inside the evaluated period")
        self.lat = finite(variable(ds, "lat", path)[:], path, "lat")
        self.lon = finite(variable(ds, "lon", path)[:], path, "lon")
        self.x = finite(variable(ds, "x", path)[:], path, "x")
        self.y = finite(variable(ds, "y", path)[:], path, "y")
        self.grid_mapping = self._grid_mapping()
        self.components = [c for c in ("bio", "ocn") if f"{c}_analysis_mean" in ds.variables]
        if not self.components:
            raise InputError(f"{path}: no bio_analysis_mean or ocn_analysis_mean variable")
        self.is_twin = all(f"{c}_truth" in ds.variables for c in self.components)

    def _grid_mapping(self):
        name = getattr(variable(self.ds, f"bio_analysis_mean" if "bio_analysis_mean" in self.ds.variables
                                else "ocn_analysis_mean", self.path), "grid_mapping", None)
        if name is None or name not in self.ds.variables:
            raise InputError(f"{self.path}: the flux variables name no grid_mapping variable")
        v = self.ds.variables[name]
        return {key: v.getncattr(key) for key in v.ncattrs()}

    def months(self):
        """(year, month) of every calendar month the records touch, with the hours covered, in order."""
        covered = {}
        for s, e in zip(self.start, self.end):
            if e <= s:
                continue
            t = s
            while t < e:
                d = hours_to_datetime(t)
                key = (d.year, d.month)
                nxt = datetime(d.year + (d.month == 12), d.month % 12 + 1, 1, tzinfo=timezone.utc)
                stop = min(e, (nxt - EPOCH).total_seconds() / 3600)
                covered[key] = covered.get(key, 0.0) + stop - t
                t = stop
        return sorted(covered.items())

    def weights(self, month=None):
        """Hours of each record inside `month` ((year, month)) or all hours when None."""
        if month is None:
            return np.clip(self.end - self.start, 0, None)
        year, m = month
        first = (datetime(year, m, 1, tzinfo=timezone.utc) - EPOCH).total_seconds() / 3600
        nxt = (datetime(year + (m == 12), m % 12 + 1, 1, tzinfo=timezone.utc) - EPOCH).total_seconds() / 3600
        return np.clip(np.minimum(self.end, nxt) - np.maximum(self.start, first), 0, None)

    def mean(self, name, weights):
        """Duration-weighted mean over records of field `name` (y, x)."""
        v = variable(self.ds, name, self.path)
        total = np.zeros(self.lat.shape)
        for t in np.flatnonzero(weights > 0):
            total += weights[t] * finite(v[t], self.path, f"{name}[{t}]")
        return total / weights.sum()


class Observations:
    """An observations.nc (AN, CTRL or FC): one row per observation, those with `time` inside
    the window (hours since 1970; None = open) only."""

    COLUMNS = ["time", "latitude", "longitude", "value", "background_mean", "analysis_mean"]

    def __init__(self, path, window=(None, None)):
        ds = open_dataset(path)
        self.path = path
        self.run_kind = getattr(ds, "rcas_run_kind", None)
        units = getattr(variable(ds, "time", path), "units", "")
        if not units.startswith("seconds since 1970-01-01"):
            raise InputError(f"{path}: variable 'time' has units '{units}', expected seconds since 1970-01-01")
        self.columns = {name: finite(variable(ds, name, path)[:], path, name) for name in self.COLUMNS}
        for name in ("kind", "set", "status"):
            self.columns[name] = np.asarray(variable(ds, name, path)[:], dtype=int)
        self.columns["site"] = text_column(ds, "site", path)
        ds.close()
        hours = self.columns["time"] / 3600
        inside = np.ones(hours.shape, dtype=bool)
        if window[0] is not None:
            inside &= hours >= window[0]
        if window[1] is not None:
            inside &= hours < window[1]
        self.columns = {name: values[inside] for name, values in self.columns.items()}

    def __getitem__(self, name):
        return self.columns[name]


def optional_json(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as error:
            raise InputError(f"{path}: not valid JSON ({error})")


def evaluation(run, given, rcas, domain, window):
    """The `rcas evaluate --json --daily` report: from `given`, else by running `rcas`."""
    if given:
        data = optional_json(given)
        if data is None:
            raise InputError(f"{given}: file does not exist")
        return data
    command = [rcas, "evaluate", run, "--json", "--daily"]
    if domain:
        command += ["--domain", domain]
    for option, value in zip(("--from", "--to"), window):
        if value:
            command += [option, value]
    try:
        done = subprocess.run(command, capture_output=True, text=True)
    except FileNotFoundError:
        raise InputError(f"cannot run '{rcas}' to evaluate the run: give --rcas PATH or --evaluation FILE")
    if done.returncode != 0:
        raise InputError(f"'{' '.join(command)}' failed: {done.stderr.strip() or done.stdout.strip()}")
    return json.loads(done.stdout)
