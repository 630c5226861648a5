"""Daily and monthly carbon budgets (Tg C) of the biosphere flux per region, prior vs posterior
(vs truth in twins), with the ensemble spread of each total as bands. The numbers are the
budget_daily and province_budget_* tables of `rcas evaluate --json --daily` (Evaluation
module): this file only draws them."""
from collections import defaultdict
from datetime import date

import numpy as np

SECTION = "Budgets"
REGIONS = [("domain", "domain"), ("land", "land"), ("west_china", "west China (box)"),
           ("north_china", "north China (box)"), ("central_china", "central China (box)"),
           ("south_china", "south China (box)")]
COMPONENT = "bio"
STYLE = {"prior": ("tab:blue", "prior"), "analysis": ("tab:red", "posterior"), "truth": ("black", "truth")}


def daily_series(evaluation):
    """{region: {estimate: (dates, TgC, σ_uncorrelated, σ_correlated)}} of the biosphere component."""
    rows = defaultdict(lambda: defaultdict(list))
    for row in evaluation.get("budget_daily", []):
        if row["component"] == COMPONENT and row["estimate"] in STYLE:
            rows[row["region"]][row["estimate"]].append(row)
    result = {}
    for region, estimates in rows.items():
        result[region] = {}
        for estimate, items in estimates.items():
            items.sort(key=lambda r: r["date"])
            result[region][estimate] = (
                [date.fromisoformat(r["date"]) for r in items], np.array([r["TgC"] for r in items]),
                np.array([np.nan if r["sigma_uncorrelated_TgC"] is None else r["sigma_uncorrelated_TgC"] for r in items]),
                np.array([np.nan if r["sigma_correlated_TgC"] is None else r["sigma_correlated_TgC"] for r in items]))
    return result


def monthly(series):
    """Daily series summed by month; σ summed too (errors fully correlated in time, as within a day)."""
    days, total, s_u, s_c = series
    keys = sorted({(d.year, d.month) for d in days})
    index = {k: i for i, k in enumerate(keys)}
    out = [np.zeros(len(keys)) for _ in range(3)]
    for d, t, u, c in zip(days, total, s_u, s_c):
        i = index[(d.year, d.month)]
        out[0][i] += t
        out[1][i] += u
        out[2][i] += c
    return [date(y, m, 15) for y, m in keys], out[0], out[1], out[2]


def plot_panel(ax, estimates, title, monthly_points=False):
    for estimate, (color, label) in STYLE.items():
        if estimate not in estimates:
            continue
        days, total, s_u, s_c = monthly(estimates[estimate]) if monthly_points else estimates[estimate]
        marker = "o" if monthly_points or len(days) < 8 else None
        ax.plot(days, total, color=color, label=label, marker=marker, linewidth=1.4)
        if np.isfinite(s_c).any() and monthly_points:
            # Months are points: the two limits as error bars (thin: correlated cells, thick: independent).
            ax.errorbar(days, total, yerr=s_c, fmt="none", ecolor=color, alpha=0.5, elinewidth=1, capsize=4)
            ax.errorbar(days, total, yerr=s_u, fmt="none", ecolor=color, elinewidth=3)
        elif np.isfinite(s_c).any():
            ax.fill_between(days, total - s_c, total + s_c, color=color, alpha=0.12, linewidth=0)
            ax.fill_between(days, total - s_u, total + s_u, color=color, alpha=0.3, linewidth=0)
    ax.axhline(0, color="0.6", linewidth=0.6)
    ax.set_title(title, fontsize=10)
    import matplotlib.dates as mdates
    shown = ax.get_lines()[0].get_xdata() if ax.get_lines() else []
    if 0 < len(shown) <= 6:
        ax.set_xticks(shown)      # few points: one tick each (the automatic ticks would fall inside days)
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=6))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d" if not monthly_points else "%Y-%m"))
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    ax.tick_params(axis="y", labelsize=7)


BAND_NOTE = ("Bands (daily) and error bars (monthly): ±σ of each total from the per-cell ensemble spreads, "
             "darker/thick with cell errors independent, lighter/thin with cell errors fully correlated (the two "
             "limits; Docs/evaluation.md); errors are taken as fully correlated in time.")


def make(figures, evaluation, fluxes):
    series = daily_series(evaluation)
    if not series:
        figures.skip(SECTION, "budget time series", "the evaluation has no budget_daily table")
        return
    provinces = [row["province"] for row in evaluation.get("province_budget_annual", [])]
    provinces = list(dict.fromkeys(provinces))
    for step, monthly_points in (("daily", False), ("monthly", True)):
        fig = figures.new("series")
        present = [(name, label) for name, label in REGIONS if name in series]
        missing = [label for name, label in REGIONS if name not in series]
        for k, (name, label) in enumerate(present):
            ax = fig.add_subplot(2, 3, k + 1)
            plot_panel(ax, series[name], label, monthly_points)
            if k % 3 == 0:
                ax.set_ylabel(f"Tg C per {'day' if step == 'daily' else 'month'}")
        fig.axes[0].legend(fontsize=8)
        fig.suptitle(f"{step.capitalize()} biosphere carbon budgets, prior vs posterior"
                     + (" vs truth" if fluxes.is_twin else ""))
        fig.tight_layout(rect=(0, 0, 1, 0.95))
        figures.save(fig, SECTION, f"budget_{step}_regions.png",
                     f"{step.capitalize()} biosphere budgets (Tg C) of the domain, land and the four China regions "
                     f"of Kou et al. 2023 Fig. 3. {BAND_NOTE}")
        if missing:
            figures.skip(SECTION, f"{step} budgets of " + ", ".join(missing),
                         "these regions are not in the evaluation (no land_sea mask for land)")
        if not provinces:
            figures.skip(SECTION, f"{step} provincial budgets", "no province masks for this domain")
            continue
        fig = figures.new("provinces")
        columns = 6
        rows = int(np.ceil(len(provinces) / columns))
        for k, name in enumerate(provinces):
            ax = fig.add_subplot(rows, columns, k + 1)
            if name in series:
                plot_panel(ax, series[name], name.replace("_", " "), monthly_points)
            ax.tick_params(axis="x", labelbottom=k >= len(provinces) - columns)
        fig.axes[0].legend(fontsize=7)
        fig.suptitle(f"{step.capitalize()} biosphere carbon budgets per province (Tg C per "
                     f"{'day' if step == 'daily' else 'month'})")
        fig.tight_layout(rect=(0, 0, 1, 0.96))
        figures.save(fig, SECTION, f"budget_{step}_provinces.png",
                     f"{step.capitalize()} biosphere budgets per provincial-level division (land of the province, "
                     f"Domains/<domain>/province_masks.nc). {BAND_NOTE}")
    annual_bars(figures, evaluation, fluxes)


def annual_bars(figures, evaluation, fluxes):
    rows = [r for r in evaluation.get("province_budget_annual", []) if r["component"] == COMPONENT]
    if not rows:
        return
    year = max(r["year"] for r in rows)
    rows = sorted([r for r in rows if r["year"] == year], key=lambda r: r["prior_TgC_per_year"])
    fig = figures.new("bars")
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(len(rows))
    width = 0.27 if fluxes.is_twin else 0.4
    ax.bar(x - width / 2 if not fluxes.is_twin else x - width, [r["prior_TgC_per_year"] for r in rows], width,
           color="tab:blue", label="prior")
    ax.bar(x + width / 2 if not fluxes.is_twin else x, [r["posterior_TgC_per_year"] for r in rows], width,
           color="tab:red", label="posterior")
    if fluxes.is_twin:
        ax.bar(x + width, [np.nan if r["truth_TgC_per_year"] is None else r["truth_TgC_per_year"] for r in rows],
               width, color="0.2", label="truth")
    ax.set_xticks(x, [r["province"].replace("_", " ") for r in rows], rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("Tg C per year")
    ax.axhline(0, color="0.6", linewidth=0.6)
    ax.legend()
    scaled = any(r["scaled_to_full_year"] for r in rows)
    ax.set_title(f"Provincial biosphere flux {year}" + (" (scaled from the covered hours to a full year)" if scaled else ""))
    fig.tight_layout()
    figures.save(fig, SECTION, "provinces_annual.png",
                 f"Annual biosphere flux per province in {year} (Tg C per year), sorted by the prior, as Kou et al. 2023 "
                 "Fig. 7" + ("; the run covers only part of the year, so the totals are scaled to a full year"
                             if scaled else "") + ".")
