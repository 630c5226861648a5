#!/usr/bin/env python3
"""Write small OCO-2 Lite (v10, v11) and ACOS GOSAT Lite (v9) files in the
layout of the real products, with optional damage for reader tests.

The layout (variables, groups, types, units, missing_value conventions, file
names) follows the OCO-2/OCO-3 Data Product User's Guide and the GES DISC
metadata of real granules; Docs/observations.md lists what is taken from
where. Values are made up (deterministic from --seed) around --lat/--lon.

    python3 lite.py OUTDIR --product oco2-v10|oco2-v11|acos-v9
        [--date 2016-07-01] [--soundings 8] [--seed 1] [--lat 35 --lon 116]
        [--damage NAME ...] [--name FILE]

Damage (any number):
  time-1e30          time of row 1 = 1e30
  time-fill          time of row 1 = the NetCDF default fill 9.969209968386869e36
  float-codes        xco2_quality_flag, Sounding/operation_mode,
                     Sounding/land_water_indicator and Retrieval/surface_type
                     stored as float; row 1 = 1e20, row 2 = -3e38
  packed             xco2 as int32 with scale_factor/add_offset (double),
                     xco2_uncertainty as ubyte with a float scale_factor and
                     an unsigned _FillValue 255 (row 3 = fill)
  fill-value         xco2 with _FillValue -999.0 (row 2 = fill) instead of missing_value
  default-fill       xco2 without any marker; row 2 = the default fill
  missing            latitude of row 4 = -999999 (the products' missing_value)
  nan                xco2 of row 3 = NaN
  unsigned-ids       sounding_id stored as uint64
  mol-per-mol        xco2, xco2_uncertainty, xco2_apriori, co2_profile_apriori
                     in mol mol-1 holding mole fractions (4e-4): converts
  wrong-units        xco2 labelled mol/mol but holding ppm: must be refused
  no-units           xco2 without a units attribute: must be refused
  duplicate          last row repeats row 0 exactly
  conflict           last row has row 0's sounding_id but another xco2
"""
import datetime as dt
import os

import netCDF4
import numpy as np

import variants

MISSING = -999999.0
LEVELS = 20
PRODUCTS = {
    # name: (file prefix, build id, collection tag, platform, sensor)
    "oco2-v10": ("oco2_LtCO2", "B10.2.05", "B10206Ar", "OCO-2", "OCO-2"),
    "oco2-v11": ("oco2_LtCO2", "B11.1.00", "B11100Ar", "OCO-2", "OCO-2"),
    "acos-v9": ("acos_LtCO2", "B9.2.13", "B9213A", "GOSAT", "TANSO-FTS"),
}


def options(parser):
    parser.add_argument("--product", choices=sorted(PRODUCTS), required=True)
    parser.add_argument("--date", default="2016-07-01")
    parser.add_argument("--soundings", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lat", type=float, default=35.0)
    parser.add_argument("--lon", type=float, default=116.0)



def file_name(product, day):
    prefix, _, tag, _, _ = PRODUCTS[product]
    stamp = day.strftime("%y%m%d")
    if product == "acos-v9":
        return f"{prefix}_{stamp}_v201201_{tag}_210101000000s.nc4"
    return f"{prefix}_{stamp}_{tag}_210101000000s.nc4"


def soundings(args, day):
    """Made-up soundings: positions near (lat, lon) a few km apart, times in
    the 05 UTC hour, plausible values."""
    rng = np.random.default_rng(args.seed)
    n = args.soundings
    t0 = dt.datetime(day.year, day.month, day.day, 5, 10, tzinfo=dt.timezone.utc)
    times = np.array([(t0 + dt.timedelta(seconds=0.333 * i + 60 * args.seed)).timestamp() for i in range(n)])
    ids = []
    for i, t in enumerate(times):
        moment = dt.datetime.fromtimestamp(t, dt.timezone.utc)
        footprint = i % 8 + 1
        ids.append(int(moment.strftime("%Y%m%d%H%M%S")) * 100 + (moment.microsecond // 100000) * 10 + footprint)
    surface = 101325.0 - 800 * rng.random(n)
    levels = np.array([[0.1 if k == 0 else s / 100 * k / (LEVELS - 1) for k in range(LEVELS)] for s in surface])
    weights = np.full((n, LEVELS), 1.0 / LEVELS)
    kernel = np.array([[0.35 + 0.65 * (k / (LEVELS - 1)) ** 0.4 for k in range(LEVELS)]] * n)
    profile = np.array([[400.0 - 8 * (1 - k / (LEVELS - 1)) for k in range(LEVELS)]] * n)
    return {
        "sounding_id": np.array(ids, dtype=np.int64),
        "time": times,
        "latitude": args.lat + 0.01 * np.arange(n),
        "longitude": args.lon + 0.01 * np.arange(n),
        "xco2": 400.0 + rng.normal(0, 1, n),
        "xco2_uncertainty": 0.5 + 0.5 * rng.random(n),
        "xco2_apriori": (weights * profile).sum(axis=1),
        "xco2_quality_flag": np.array([i % 2 for i in range(n)], dtype=np.int8),
        "pressure_levels": levels,
        "pressure_weight": weights,
        "xco2_averaging_kernel": kernel,
        "co2_profile_apriori": profile,
        "operation_mode": np.array([i % 2 for i in range(n)], dtype=np.int8),   # nadir, glint
        "land_water_indicator": np.array([0 if i % 4 != 3 else 1 for i in range(n)], dtype=np.int8),
        "footprint": np.array([i % 8 + 1 for i in range(n)], dtype=np.int8),
        "gain": np.array([b"H" if i % 3 else b"M" for i in range(n)]),
        "psurf": surface / 100,
    }


def write(args):
    day = dt.date.fromisoformat(args.date)
    product = args.product
    damage = set(args.damage)
    data = soundings(args, day)
    n = args.soundings
    if "duplicate" in damage or "conflict" in damage:
        for key, values in data.items():
            values[-1] = values[0]
        if "conflict" in damage:
            data["xco2"][-1] = data["xco2"][0] + 1.5
    prefix, build, _, platform, sensor = PRODUCTS[product]
    os.makedirs(args.outdir, exist_ok=True)
    path = os.path.join(args.outdir, args.name or file_name(product, day))
    f = netCDF4.Dataset(path, "w", format="NETCDF4")
    f.setncatts({
        "title": "ACOS L2 Lite Output", "Platform": platform, "Sensor": sensor, "BuildId": build,
        "filter_function": "oco2_xco2_quality_flag_b10" if product.startswith("oco2") else "acos_xco2_quality_flag_b9",
        "bc_function": "oco2_xco2_bias_correct_b10" if product.startswith("oco2") else "acos_xco2_bias_correct_b9",
        "creation_date": "Jan 2021", "comment": "RCAS real-format sample (made-up values), Tests/Fixtures/realformat/lite.py",
    })
    f.createDimension("sounding_id", n)
    f.createDimension("levels", LEVELS)
    f.createDimension("bands", 3)
    f.createDimension("vertices", 4)
    f.createDimension("epoch_dimension", 7)

    def variable(group, name, dtype, dims, values, units=None, long_name=None, missing=True, **extra):
        fill = extra.pop("fill_value", None)
        v = group.createVariable(name, dtype, dims, zlib=True, fill_value=fill) if fill is not None \
            else group.createVariable(name, dtype, dims, zlib=True)
        v.set_auto_maskandscale(False)
        if units is not None:
            v.units = units
        if long_name:
            v.long_name = long_name
        if missing and np.dtype(dtype).kind == "f":
            v.missing_value = np.array(MISSING, dtype=dtype)
        for key, value in extra.items():
            v.setncattr(key, value)
        v[:] = np.asarray(values).astype(dtype)
        return v

    row = ("sounding_id",)
    grid = ("sounding_id", "levels")
    ids = data["sounding_id"].astype(np.uint64) if "unsigned-ids" in damage else data["sounding_id"]
    variable(f, "sounding_id", ids.dtype, row, ids, long_name="Sounding ID (YYYYMMDDhhmmss, tenths of a second, footprint)",
             missing=False)
    times = data["time"].copy()
    if "time-1e30" in damage:
        times[1] = 1e30
    if "time-fill" in damage:
        times[1] = 9.969209968386869e36
    variable(f, "time", "f8", row, times, units="seconds since 1970-01-01 00:00:00", long_name="timestamp")
    epoch = []
    for t in data["time"]:
        m = dt.datetime.fromtimestamp(t, dt.timezone.utc)
        epoch.append([m.year, m.month, m.day, m.hour, m.minute, m.second, m.microsecond // 1000])
    variable(f, "date", "i2", ("sounding_id", "epoch_dimension"), epoch, units="none",
             long_name="sounding date: year, month, day, hour, minute, second, millisecond", missing=False)
    latitude = data["latitude"].copy()
    if "missing" in damage:
        latitude[4] = MISSING
    variable(f, "latitude", "f4", row, latitude, units="degrees_north", long_name="latitude")
    variable(f, "longitude", "f4", row, data["longitude"], units="degrees_east", long_name="longitude")
    corners = np.array([[-0.01, 0.01, 0.01, -0.01]] * n)
    variable(f, "vertex_latitude", "f4", ("sounding_id", "vertices"), data["latitude"][:, None] + corners, units="degrees_north")
    variable(f, "vertex_longitude", "f4", ("sounding_id", "vertices"), data["longitude"][:, None] + corners, units="degrees_east")
    variable(f, "solar_zenith_angle", "f4", row, np.full(n, 25.0), units="degrees")
    variable(f, "sensor_zenith_angle", "f4", row, np.full(n, 5.0), units="degrees")

    per_ppm = 1e-6 if "mol-per-mol" in damage else 1.0
    ppm_units = "mol mol-1" if "mol-per-mol" in damage else "ppm"
    xco2 = data["xco2"].copy() * per_ppm
    if "nan" in damage:
        xco2[3] = np.nan
    xco2_long = "Column-averaged dry-air mole fraction of CO2 (includes bias correction)"
    if "packed" in damage:
        packed = np.round((data["xco2"] - 400.0) / 1e-4).astype(np.int32)
        variable(f, "xco2", "i4", row, packed, units="ppm", long_name=xco2_long, missing=False,
                 scale_factor=np.float64(1e-4), add_offset=np.float64(400.0))
        unc = np.round(data["xco2_uncertainty"] / 0.01).astype(np.uint8)
        unc[3] = 255
        variable(f, "xco2_uncertainty", "u1", row, unc, units="ppm", long_name="XCO2 posterior error", missing=False,
                 fill_value=np.uint8(255), scale_factor=np.float32(0.01))
    else:
        if "fill-value" in damage:
            xco2[2] = -999.0
            variable(f, "xco2", "f4", row, xco2, units=ppm_units, long_name=xco2_long, missing=False,
                     fill_value=np.float32(-999.0))
        elif "default-fill" in damage:
            xco2[2] = 9.969209968386869e36
            variable(f, "xco2", "f4", row, xco2, units=ppm_units, long_name=xco2_long, missing=False)
        elif "wrong-units" in damage:
            variable(f, "xco2", "f4", row, xco2, units="mol/mol", long_name=xco2_long)
        elif "no-units" in damage:
            variable(f, "xco2", "f4", row, xco2, long_name=xco2_long)
        else:
            variable(f, "xco2", "f4", row, xco2, units=ppm_units, long_name=xco2_long)
        variable(f, "xco2_uncertainty", "f4", row, data["xco2_uncertainty"] * per_ppm, units=ppm_units,
                 long_name="XCO2 posterior error")
    if product == "oco2-v11":
        variable(f, "xco2_x2019", "f4", row, data["xco2"] + 0.3, units="ppm", long_name="XCO2 on the WMO X2019 scale")
    variable(f, "xco2_apriori", "f4", row, data["xco2_apriori"] * per_ppm, units=ppm_units, long_name="A priori XCO2 Value")
    codes_as_float = "float-codes" in damage

    def code(group, name, values, long_name, **extra):
        if codes_as_float:
            values = values.astype("f4")
            values[1] = 1e20
            values[2] = -3e38
            return variable(group, name, "f4", row, values, units="none", long_name=long_name, missing=False, **extra)
        return variable(group, name, "i1", row, values, units="none", long_name=long_name, missing=False, **extra)

    code(f, "xco2_quality_flag", data["xco2_quality_flag"], "XCO2 quality flag: 0 = good, 1 = bad")
    variable(f, "pressure_levels", "f4", grid, data["pressure_levels"], units="hPa", long_name="Pressure_Levels",
             comment="Pressure at each level; Defined on layer boundaries. These are oriented space-to-surface")
    variable(f, "pressure_weight", "f4", grid, data["pressure_weight"], units="none", long_name="Pressure Weighting Function")
    variable(f, "xco2_averaging_kernel", "f4", grid, data["xco2_averaging_kernel"], units="none",
             long_name="Normalized Column Averaging Kernel")
    variable(f, "co2_profile_apriori", "f4", grid, data["co2_profile_apriori"] * per_ppm, units=ppm_units,
             long_name="A priori CO2 profile")
    variable(f, "file_index", "i2", row, np.ones(n), units="none", long_name="L2 File Index", missing=False,
             missing_value=np.int16(-1))

    sounding = f.createGroup("Sounding")
    code(sounding, "land_water_indicator", data["land_water_indicator"],
         "0 = land, 1 = water, 2 = inland water, 3 = mixed")
    variable(sounding, "land_fraction", "f4", row, np.where(data["land_water_indicator"] == 0, 100.0, 0.0), units="percent")
    if product.startswith("oco2"):
        code(sounding, "operation_mode", data["operation_mode"], "0 = Nadir, 1 = Glint, 2 = Target, 3 = Transition")
        variable(sounding, "footprint", "i1", row, data["footprint"], units="none", long_name="footprint 1-8", missing=False)
        variable(sounding, "orbit", "i4", row, np.full(n, 10_700), units="none", long_name="orbit number", missing=False)
    else:
        g = sounding.createVariable("gain", "S1", row)
        g.long_name = "Gain: H = high, M = medium"
        g[:] = data["gain"]
        variable(sounding, "glint_angle", "f4", row, np.full(n, 30.0), units="degrees")

    retrieval = f.createGroup("Retrieval")
    variable(retrieval, "xco2_raw", "f4", row, data["xco2"] - 0.5, units="ppm", long_name="XCO2 before bias correction")
    variable(retrieval, "psurf", "f4", row, data["psurf"], units="hPa", long_name="retrieved surface pressure")
    code(retrieval, "surface_type", (data["land_water_indicator"] == 0).astype(np.int8), "0 = ocean (Coxmunk), 1 = land (Lambertian)")
    f.createGroup("Preprocessors")
    f.createGroup("Meteorology")
    f.close()
    return path


if __name__ == "__main__":
    variants.main(__doc__, options, write)
