#!/usr/bin/env python3
"""Write small ObsPack CO2 files in the layout NOAA GML distributes them
(GLOBALVIEWplus / NRT packages, one file per dataset), with optional damage
for reader tests.

The layout (dimension obs, time in "Seconds since 1970-01-01 00:00:00 UTC",
time_components, start_time, value in mol mol-1 with value_unc, obs_flag,
the three-character qcflag, obspack_id rows of 200 characters, per-file site
attributes) follows the ObsPack documentation and NOAA's files; see
Docs/observations.md. Values are made up (deterministic from --seed).

    python3 obspack.py OUTDIR [--site AMY] [--records 6] [--start 2016-07-01T00]
        [--seed 1] [--multi-site] [--damage NAME ...] [--name FILE]

--multi-site writes one file holding two sites (per-record latitude and
longitude, no global site_code; the site is named in obspack_id), as
combined or mobile datasets are.

Damage (any number):
  time-int64        time and start_time stored as int64 (as some packages do)
  time-iso-units    time units "seconds since 1970-01-01T00:00:00Z"
  no-time           no time variable: only time_components
  time-1e30         time of record 1 = 1e30
  value-ppm         value in ppm (units "ppm"): converts
  wrong-units       value labelled mol mol-1 but holding ppm: must be refused
  fill              value of record 2 = the _FillValue -1e34
  flags             obs_flag of record 3 = 0, qcflag of record 4 = "A.." (rejected), record 5 = ".S." (not selected)
  no-unc            no value_unc variable
  duplicate         last record repeats record 0 exactly
  conflict          last record has record 0's obspack_id but another value
  no-intake         no intake_height variable (global dataset_intake_ht remains)
"""
import datetime as dt
import os

import netCDF4
import numpy as np

import variants

SITES = {
    # code: (name, country, latitude, longitude, elevation m asl, intake height m)
    "AMY": ("Anmyeon-do", "Republic of Korea", 36.5383, 126.3300, 46.0, 40.0),
    "WLG": ("Mt. Waliguan", "China", 36.2879, 100.8964, 3810.0, 80.0),
    "SDZ": ("Shangdianzi", "China", 40.6500, 117.1170, 293.0, 10.0),
}
FILL = -1e34
PACKAGE = "obspack_co2_1_GLOBALVIEWplus_v6.0_2020-09-11"


def options(parser):
    parser.add_argument("--site", default="AMY", choices=sorted(SITES))
    parser.add_argument("--records", type=int, default=6)
    parser.add_argument("--start", default="2016-07-01T00")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--multi-site", action="store_true")



def dataset_name(code):
    return f"co2_{code.lower()}_surface-insitu_1_allvalid"


def write(args):
    damage = set(args.damage)
    rng = np.random.default_rng(args.seed)
    n = args.records
    start = dt.datetime.strptime(args.start, "%Y-%m-%dT%H").replace(tzinfo=dt.timezone.utc)
    codes = [args.site if not args.multi_site or i % 2 == 0 else "WLG" for i in range(n)]
    if args.multi_site and args.site == "WLG":
        codes = ["WLG" if i % 2 == 0 else "AMY" for i in range(n)]
    # Hourly means, time stamp at the middle of the hour (as ObsPack in-situ hourly data).
    times = np.array([(start + dt.timedelta(hours=i, minutes=30)).timestamp() for i in range(n)])
    starts = times - 1800
    values = 4.05e-4 + 2e-6 * rng.standard_normal(n)
    uncertainty = np.full(n, 1.5e-7)
    ids = [f"{PACKAGE}~{dataset_name(code)}~{1000 + i}" for i, code in enumerate(codes)]
    qc = ["..." for _ in range(n)]
    obs_flag = np.ones(n, dtype=np.int8)
    if "flags" in damage:
        obs_flag[3] = 0
        qc[4] = "A.."
        qc[5] = ".S."
    if "duplicate" in damage or "conflict" in damage:
        times[-1], starts[-1], values[-1], ids[-1], codes[-1] = times[0], starts[0], values[0], ids[0], codes[0]
        if "conflict" in damage:
            values[-1] = values[0] + 1e-6
    if "value-ppm" in damage or "wrong-units" in damage:
        values = values * 1e6
        uncertainty = uncertainty * 1e6
    if "fill" in damage:
        values[2] = FILL
    if "time-1e30" in damage:
        times[1] = 1e30

    os.makedirs(args.outdir, exist_ok=True)
    name = args.name or (f"co2_multi-site_surface-insitu_1_allvalid.nc" if args.multi_site
                         else f"{dataset_name(args.site)}.nc")
    path = os.path.join(args.outdir, name)
    f = netCDF4.Dataset(path, "w", format="NETCDF4")
    site = SITES[args.site]
    attributes = {
        "Conventions": "CF-1.6", "obspack_name": PACKAGE,
        "dataset_project": "surface-insitu", "dataset_platform": "fixed", "dataset_parameter": "co2",
        "dataset_calibration_scale": "CO2 X2019", "dataset_selection": "All valid hourly averages",
        "comment": "RCAS real-format sample (made-up values), Tests/Fixtures/realformat/obspack.py",
    }
    if not args.multi_site:
        attributes.update({
            "site_code": args.site, "site_name": site[0], "site_country": site[1],
            "site_latitude": site[2], "site_longitude": site[3], "site_elevation": site[4],
            "site_elevation_unit": "masl", "site_utc2lst": 9.0,
            "dataset_intake_ht": site[5], "dataset_intake_ht_unit": "magl",
        })
    f.setncatts(attributes)
    f.createDimension("obs", None)
    f.createDimension("calendar_components", 6)
    f.createDimension("string_of_200chars", 200)
    f.createDimension("string_of_3chars", 3)

    def variable(name, dtype, values, dims=("obs",), fill=FILL, **attrs):
        fill_value = None if fill is None else np.array(fill, dtype=dtype)
        v = f.createVariable(name, dtype, dims, fill_value=fill_value)
        v.set_auto_maskandscale(False)
        for key, value in attrs.items():
            v.setncattr(key, value)
        v[:] = np.asarray(values).astype(dtype)
        return v

    time_type = "i8" if "time-int64" in damage else "f8"
    time_fill = -9223372036854775806 if time_type == "i8" else FILL
    units = "seconds since 1970-01-01T00:00:00Z" if "time-iso-units" in damage else "Seconds since 1970-01-01 00:00:00 UTC"
    if "no-time" not in damage:
        variable("time", time_type, times if time_type == "f8" else np.minimum(times, 9e18), fill=time_fill, units=units,
                 long_name="Seconds since 1970-01-01 00:00:00 UTC", standard_name="time", calendar="standard",
                 comment="Sample time at the middle of the averaging interval, UTC")
    variable("start_time", time_type, starts, fill=time_fill, units=units, long_name="Start time of the sample interval")
    components = []
    for t in np.where(times < 1e12, times, times[0]):
        m = dt.datetime.fromtimestamp(t, dt.timezone.utc)
        components.append([m.year, m.month, m.day, m.hour, m.minute, m.second])
    variable("time_components", "i4", components, dims=("obs", "calendar_components"), fill=-9,
             long_name="Calendar time components as integers.  Times and dates are UTC.",
             order="year, month, day, hour, minute, second")
    variable("time_decimal", "f8", 2016.5 + 0 * times, long_name="sample time in decimal date format")
    value_units = "ppm" if "value-ppm" in damage else "mol mol-1"
    variable("value", "f4", values, units=value_units, long_name="measured mole fraction of trace gas",
             standard_name="mole_fraction_of_carbon_dioxide_in_air",
             scale_comment="mole fraction reported in units of mol mol-1 (moles per mole of dry air)")
    if "no-unc" not in damage:
        variable("value_unc", "f4", uncertainty, units=value_units, long_name="uncertainty of the measured value")
    variable("value_std_dev", "f4", uncertainty * 2, units=value_units, long_name="standard deviation of the hourly mean")
    variable("nvalue", "i4", np.full(n, 60), fill=-9, long_name="number of individual values in the hourly mean")
    lat = [SITES[c][2] for c in codes]
    lon = [SITES[c][3] for c in codes]
    elevation = [SITES[c][4] for c in codes]
    intake = [SITES[c][5] for c in codes]
    variable("latitude", "f4", lat, units="degrees_north", long_name="Latitude of the sample", standard_name="latitude")
    variable("longitude", "f4", lon, units="degrees_east", long_name="Longitude of the sample", standard_name="longitude")
    variable("altitude", "f4", np.array(elevation) + np.array(intake), units="m",
             long_name="Sample altitude in meters above sea level", comment="altitude = elevation + intake_height")
    variable("elevation", "f4", elevation, units="m", long_name="Surface elevation in meters above sea level")
    if "no-intake" not in damage:
        variable("intake_height", "f4", intake, units="m", long_name="Sample intake height in meters above ground level")
    variable("obs_flag", "i1", obs_flag, fill=-9,
             long_name="Observation flag: 1 = representative, recommended for use; 0 = not recommended",
             flag_values=np.array([0, 1], dtype=np.int8), flag_meanings="non_representative representative")
    q = f.createVariable("qcflag", "S1", ("obs", "string_of_3chars"))
    q.long_name = "NOAA GML quality control flag"
    q.comment = "Three characters; '...' passed: 1st rejection, 2nd selection, 3rd information"
    q[:] = netCDF4.stringtochar(np.array(qc, dtype="S3"))
    i = f.createVariable("obspack_id", "S1", ("obs", "string_of_200chars"))
    i.long_name = "Unique ObsPack observation id"
    i[:] = netCDF4.stringtochar(np.array(ids, dtype="S200"))
    variable("obspack_num", "i4", np.arange(1000, 1000 + n), fill=-9, long_name="Unique ObsPack observation number")
    f.close()
    return path


if __name__ == "__main__":
    variants.main(__doc__, options, write)
