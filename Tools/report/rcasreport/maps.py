"""Maps of the biosphere flux on the domain's projection: prior, posterior, their difference,
(twin) truth − posterior, and the uncertainty reduction 1 − σ_post/σ_prior (Jiang et al. 2021 Eq. 19,
per cell, with the duration-weighted mean ensemble spreads)."""
import numpy as np

from . import basemap

SECTION = "Flux maps"
UNITS = "µmol m⁻² s⁻¹"


def cell_edges(centres):
    step = np.diff(centres).mean() if centres.size > 1 else 1.0
    return np.concatenate([centres - step / 2, [centres[-1] + step / 2]])


def symmetric_limit(*fields):
    values = np.abs(np.concatenate([f.ravel() for f in fields]))
    limit = np.percentile(values, 98) if values.size else 1.0
    return limit if limit > 0 else 1.0


def draw(figures, fluxes, crs, field, name, title, caption, limit=None, cmap="RdBu_r", label=UNITS, vmin=None):
    fig = figures.new("map")
    ax = fig.add_axes([0.04, 0.1, 0.8, 0.82], projection=crs)
    xe, ye = cell_edges(fluxes.x), cell_edges(fluxes.y)
    ax.set_extent([xe[0], xe[-1], ye[0], ye[-1]], crs=crs)
    if limit is None:
        limit = symmetric_limit(field)
    low = -limit if vmin is None else vmin
    mesh = ax.pcolormesh(xe, ye, np.ma.masked_invalid(field), cmap=cmap, vmin=low, vmax=limit, transform=crs,
                         shading="flat")
    basemap.decorate(ax, crs)
    ax.set_title(title, fontsize=12)
    bar = fig.add_axes([0.87, 0.15, 0.025, 0.7])
    fig.colorbar(mesh, cax=bar, label=label)
    figures.save(fig, SECTION, name, caption)


def uncertainty_reduction(prior_sigma, posterior_sigma):
    """Jiang et al. 2021 Eq. 19 per cell, in percent; NaN where σ_prior is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(prior_sigma > 0, (1 - posterior_sigma / prior_sigma) * 100, np.nan)


def make(figures, fluxes, month):
    """Period-mean maps and the same for `month` ((year, month) or None)."""
    crs = basemap.projection(fluxes.grid_mapping)
    windowed = np.isfinite(fluxes.window).any()
    periods = [("period", None, "the evaluated period" if windowed else "the whole run")]
    if month is not None:
        periods.append((f"{month[0]:04d}-{month[1]:02d}", month, f"{month[0]:04d}-{month[1]:02d}"))
    for tag, selected, label in periods:
        w = fluxes.weights(selected)
        prior = fluxes.mean("bio_prior_mean", w)
        posterior = fluxes.mean("bio_analysis_mean", w)
        limit = symmetric_limit(prior, posterior)
        draw(figures, fluxes, crs, prior, f"map_prior_{tag}.png", f"Prior biosphere flux, mean over {label}",
             f"Prior ensemble-mean biosphere flux (bio_prior_mean), duration-weighted mean over {label}.", limit)
        draw(figures, fluxes, crs, posterior, f"map_posterior_{tag}.png", f"Posterior biosphere flux, mean over {label}",
             f"Posterior (analysis) ensemble-mean biosphere flux (bio_analysis_mean), mean over {label}.", limit)
        draw(figures, fluxes, crs, posterior - prior, f"map_posterior_minus_prior_{tag}.png",
             f"Posterior − prior, mean over {label}",
             f"Posterior minus prior biosphere flux, mean over {label}: the increment the observations made.")
        if fluxes.is_twin:
            truth = fluxes.mean("bio_truth", w)
            draw(figures, fluxes, crs, truth - posterior, f"map_truth_minus_posterior_{tag}.png",
                 f"Truth − posterior, mean over {label}",
                 f"Twin truth minus posterior biosphere flux, mean over {label}: the error left after the analysis.")
        else:
            figures.skip(SECTION, f"truth − posterior ({label})", "not a twin experiment: fluxes.nc has no bio_truth")
        ur = uncertainty_reduction(fluxes.mean("bio_prior_spread", w), fluxes.mean("bio_analysis_spread", w))
        draw(figures, fluxes, crs, ur, f"map_uncertainty_reduction_{tag}.png",
             f"Uncertainty reduction of the biosphere flux, {label}",
             f"Uncertainty reduction 1 − σ_post/σ_prior (Jiang et al. 2021 Eq. 19) per cell, with σ the mean ensemble "
             f"spread over {label} (bio_prior_spread, bio_analysis_spread); blank where σ_prior = 0.",
             limit=100, cmap="viridis", label="%", vmin=min(0.0, float(np.floor(np.nanmin(ur)))) if np.isfinite(ur).any() else 0.0)
