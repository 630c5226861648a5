"""Fit to the observations before and after: OMF (observed − model) histograms and maps for
CTRL (prior flux), FC (posterior flux forecast) and AN (the background and the analysis of the
assimilation), and the filter diagnostics over time from diagnostics.nc."""
import os

import numpy as np

from . import basemap, maps
from .inputs import Observations, finite, open_dataset

SECTION = "Fit to observations"
# kind 0 = satellite XCO2, 1 = in situ; set 0 = assimilation candidate, 1 = independent; status 0 = assimilated.
SUBSETS = [("assimilated XCO2", lambda o: (o["kind"] == 0) & (o["set"] == 0) & (o["status"] == 0)),
           ("independent XCO2", lambda o: (o["kind"] == 0) & (o["set"] == 1)),
           ("in-situ sites", lambda o: (o["kind"] == 1) & (o["set"] == 1))]


def omf_runs(run_dir, window):
    """[(label, observations, model column)] of the runs present: CTRL and FC model their background
    (a forward run with the prior or posterior flux), AN before (background) and after (analysis)."""
    runs = []
    for label, relative, column in [("CTRL", "ctrl/observations.nc", "background_mean"),
                                    ("FC", "fc/observations.nc", "background_mean")]:
        path = os.path.join(run_dir, relative)
        if os.path.exists(path):
            runs.append((label, Observations(path, window), column))
    an = Observations(os.path.join(run_dir, "observations.nc"), window)
    runs += [("AN background", an, "background_mean"), ("AN analysis", an, "analysis_mean")]
    return runs


def make(figures, run_dir, fluxes, window=(None, None)):
    runs = omf_runs(run_dir, window)
    labels = [label for label, _, _ in runs]
    for missing in ("CTRL", "FC"):
        if missing not in labels:
            figures.skip(SECTION, f"{missing} OMF", f"{missing.lower()}/observations.nc is not in the run folder")
    histograms(figures, runs)
    omf_maps(figures, runs, fluxes)
    diagnostics(figures, run_dir)


def histograms(figures, runs):
    fig = figures.new("histogram")
    colors = {"CTRL": "tab:blue", "FC": "tab:green", "AN background": "tab:orange", "AN analysis": "tab:red"}
    for k, (subset, select) in enumerate(SUBSETS):
        ax = fig.add_subplot(1, len(SUBSETS), k + 1)
        omfs = []
        for label, obs, column in runs:
            rows = select(obs)
            omfs.append((label, obs["value"][rows] - obs[column][rows]))
        values = np.concatenate([v for _, v in omfs]) if omfs else np.array([])
        if values.size == 0:
            ax.text(0.5, 0.5, "no observations", ha="center", va="center", transform=ax.transAxes)
        else:
            limit = max(np.percentile(np.abs(values), 99), 1e-3)
            bins = np.linspace(-limit, limit, 41)
            for label, v in omfs:
                if v.size:
                    rmse = np.sqrt(np.mean(v ** 2))
                    ax.hist(v, bins=bins, histtype="step", linewidth=1.5, color=colors[label],
                            label=f"{label}: n={v.size}, mean {v.mean():+.2f}, RMS {rmse:.2f}")
            ax.legend(fontsize=7)
        ax.set_title(subset)
        ax.set_xlabel("observed − model (ppm)")
    fig.tight_layout()
    figures.save(fig, SECTION, "omf_histograms.png",
                 "Histograms of observed minus model (OMF, ppm) for the assimilated XCO2, the independent XCO2 and "
                 "the in-situ sites: CTRL (forward run with the prior flux), FC (forward run with the posterior "
                 "flux), and AN before (background) and after (analysis) each update.")


def omf_maps(figures, runs, fluxes):
    """Mean OMF per grid cell of all XCO2 observations (assimilated and independent) of each run."""
    crs = basemap.projection(fluxes.grid_mapping)
    xe, ye = maps.cell_edges(fluxes.x), maps.cell_edges(fluxes.y)
    fig = figures.new("map_panels")
    grids = []
    for label, obs, column in runs:
        rows = obs["kind"] == 0
        x, y = crs.transform_points(basemap_geodetic(), obs["longitude"][rows], obs["latitude"][rows])[:, :2].T
        omf = obs["value"][rows] - obs[column][rows]
        i = np.searchsorted(xe, x) - 1
        j = np.searchsorted(ye, y) - 1
        inside = (i >= 0) & (i < len(fluxes.x)) & (j >= 0) & (j < len(fluxes.y))
        total = np.zeros((len(fluxes.y), len(fluxes.x)))
        count = np.zeros_like(total)
        np.add.at(total, (j[inside], i[inside]), omf[inside])
        np.add.at(count, (j[inside], i[inside]), 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            grids.append((label, np.where(count > 0, total / count, np.nan)))
    values = np.concatenate([g[np.isfinite(g)] for _, g in grids]) if grids else np.array([])
    limit = max(np.percentile(np.abs(values), 98), 1e-3) if values.size else 1.0
    columns = 2
    rows_n = int(np.ceil(len(grids) / columns))
    mesh = None
    for k, (label, grid) in enumerate(grids):
        ax = fig.add_subplot(rows_n, columns, k + 1, projection=crs)
        ax.set_extent([xe[0], xe[-1], ye[0], ye[-1]], crs=crs)
        mesh = ax.pcolormesh(xe, ye, np.ma.masked_invalid(grid), cmap="RdBu_r", vmin=-limit, vmax=limit,
                             transform=crs, shading="flat")
        basemap.decorate(ax, crs)
        ax.set_title(f"{label}: mean XCO2 OMF per cell", fontsize=11)
    fig.subplots_adjust(left=0.02, right=0.88, bottom=0.03, top=0.95, wspace=0.05, hspace=0.12)
    if mesh is not None:
        fig.colorbar(mesh, cax=fig.add_axes([0.91, 0.2, 0.02, 0.6]), label="observed − model (ppm)")
    figures.save(fig, SECTION, "omf_maps.png",
                 "Mean observed minus model XCO2 (ppm) in each grid cell over the run, for each run; "
                 "blank cells hold no XCO2 observation.")


def basemap_geodetic():
    import cartopy.crs as ccrs
    return ccrs.Geodetic()


# Panels of the diagnostics figure: (title, variables, reference line); the unit comes from the file.
DIAGNOSTIC_PANELS = [("χ²/n of the innovations", ["chi2_per_observation"], 1.0),
                     ("mean innovation (observed − background)", ["mean_innovation_ppm"], 0.0),
                     ("background spread in observation space", ["simulated_spread_ppm"], None),
                     ("Desroziers: HBHᵀ and R estimates", ["desroziers_hbh_ppm2", "desroziers_r_ppm2"], None),
                     ("twin: flux spread and flux error", ["flux_spread", "flux_error"], None),
                     ("twin: correlation of the increment with truth − prior", ["increment_correlation"], 0.0)]
REQUIRED = ["chi2_per_observation", "mean_innovation_ppm", "simulated_spread_ppm"]


def diagnostics(figures, run_dir):
    path = os.path.join(run_dir, "diagnostics.nc")
    if not os.path.exists(path):
        figures.skip(SECTION, "filter diagnostics over time (χ²/n, mean innovation, spread)",
                     "the run folder has no diagnostics.nc (written by newer RCAS versions)")
        return
    ds = open_dataset(path)
    time = finite(ds.variables["time"][:], path, "time") if "time" in ds.variables else None
    if time is None:
        figures.skip(SECTION, "filter diagnostics", f"{path}: variable 'time' missing")
        return
    units = getattr(ds.variables["time"], "units", "")
    try:
        import netCDF4
        dates = netCDF4.num2date(time, units, getattr(ds.variables["time"], "calendar", "standard"),
                                 only_use_cftime_datetimes=False, only_use_python_datetimes=True)
    except (ValueError, TypeError) as error:
        figures.skip(SECTION, "filter diagnostics", f"{path}: variable 'time' has units '{units}' ({error})")
        return
    for name in REQUIRED:
        if name not in ds.variables:
            figures.skip(SECTION, f"diagnostic {name}", f"{path} has no variable {name}")
    panels = [(title, [n for n in names if n in ds.variables], line) for title, names, line in DIAGNOSTIC_PANELS]
    panels = [p for p in panels if p[1]]
    fig = figures.new("diagnostics")
    for k, (title, names, line) in enumerate(panels):
        ax = fig.add_subplot(3, 2, k + 1)
        for name in names:
            values = np.ma.filled(np.ma.asarray(ds.variables[name][:], dtype=float), np.nan)
            if values.shape != time.shape:
                figures.skip(SECTION, f"diagnostic {name}", f"{path}: {name} is not one value per time")
                continue
            ax.plot(dates, values, marker=".", linewidth=1, label=name)
        if line is not None:
            ax.axhline(line, color="0.5", linestyle="--", linewidth=0.8)
        ax.set_ylabel(getattr(ds.variables[names[0]], "units", ""))
        ax.set_title(title, fontsize=10)
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
        if len(names) > 1:
            ax.legend(fontsize=7)
    ds.close()
    fig.tight_layout()
    figures.save(fig, SECTION, "filter_diagnostics.png",
                 "Filter diagnostics per analysis hour from diagnostics.nc: χ²/n of the innovations (1 when the "
                 "assumed background and observation errors are right), the mean innovation, the background "
                 "spread in observation space, and the further diagnostics the file holds.")
