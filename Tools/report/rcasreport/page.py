"""index.html: every figure and the summary tables on one page, with relative links only."""
import html
import os

SECTIONS = ["Flux maps", "Budgets", "Fit to observations"]
SUMMARY_KEYS = [("chi2_per_observation", "χ²/n of the innovations"),
                ("mean_innovation_ppm", "mean innovation (ppm)"),
                ("increment_correlation", "correlation of flux increment with the truth − prior (twin)")]


def cell(value):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value))


def table(columns, rows, headers=None):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in (headers or columns))
    body = "".join("<tr>" + "".join(f"<td>{cell(row.get(c))}</td>" for c in columns) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def summary_section(summary):
    if summary is None:
        return "<p>No summary.json in the run folder (it is written by twin experiments).</p>"
    parts = []
    scalars = [{"key": k, "value": v} for k, v in summary.items() if not isinstance(v, (dict, list))]
    parts.append(table(["key", "value"], scalars))
    for key, label in SUMMARY_KEYS:
        if key not in summary:
            parts.append(f"<p class='missing'>{html.escape(label)}: not in summary.json (written by newer RCAS versions).</p>")
    for key in ("validation_rmse", "validation_rmse_xco2", "validation_rmse_insitu", "assimilated_rmse"):
        if isinstance(summary.get(key), dict):
            rows = [{"run": run, "rmse_ppm": value} for run, value in summary[key].items()]
            parts.append(f"<h3>{html.escape(key)} (ppm)</h3>" + table(["run", "rmse_ppm"], rows))
    totals = summary.get("region_totals")
    if isinstance(totals, dict):
        columns = sorted({c for v in totals.values() if isinstance(v, dict) for c in v})
        rows = [dict(region=region, **values) for region, values in totals.items() if isinstance(values, dict)]
        parts.append(f"<h3>region_totals ({html.escape(summary.get('region_totals_units', 'Tg C'))})</h3>"
                     + table(["region"] + columns, rows))
    return "".join(parts)


def budget_section(evaluation):
    rows = [r for r in evaluation.get("budget_annual", [])
            if r["component"] in ("bio", "natural") and r["estimate"] in ("prior", "analysis", "truth")]
    kinds = {r["region"]: r["kind"] for r in evaluation.get("regions", [])}
    pivot = {}
    for r in rows:
        if kinds.get(r["region"]) == "province":
            continue
        key = (r["region"], r["component"], r["year"])
        entry = pivot.setdefault(key, {"region": r["region"], "component": r["component"], "year": r["year"],
                                       "covered_hours": r["covered_hours"]})
        entry[r["estimate"] + "_TgC"] = r["PgC"] * 1000 if r["PgC"] is not None else None
    columns = ["region", "component", "year", "covered_hours", "prior_TgC", "analysis_TgC", "truth_TgC"]
    return ("<p>Carbon over the covered hours of each year (Tg C; positive = to the atmosphere), "
            "from <code>rcas evaluate</code>'s budget_annual.</p>"
            + table(columns, list(pivot.values()),
                    ["region", "component", "year", "hours", "prior", "posterior", "truth"]))


def province_section(evaluation):
    rows = evaluation.get("province_budget_annual", [])
    if not rows:
        return "<p class='missing'>No provincial budgets: the domain has no province masks.</p>"
    columns = ["province", "year", "covered_hours", "prior_TgC_per_year", "posterior_TgC_per_year",
               "posterior_minus_prior_TgC_per_year", "modification_percent", "truth_TgC_per_year",
               "scaled_to_full_year"]
    return ("<p>Biosphere flux per provincial-level division (Tg C per year, as Kou et al. 2023 Fig. 7; scaled to a full "
            "year where the run covers part of it).</p>"
            + table(columns, rows, ["province", "year", "hours", "prior", "posterior", "posterior − prior",
                                    "|change| %", "truth", "scaled"]))


def validation_section(evaluation):
    rows = [r for r in evaluation.get("observation_statistics", []) if r.get("month") is None]
    columns = ["run", "subset", "year", "num", "rmse", "mae", "corr", "mean_bias"]
    return "<p>Model against observations per year (Kou et al. 2023 Table 1; ppm).</p>" + table(columns, rows)


STYLE = """body{font-family:sans-serif;max-width:1600px;margin:1em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px;text-align:right}
th{background:#eee}td:first-child{text-align:left}figure{display:inline-block;margin:0.5em;vertical-align:top;max-width:48%}
figure img{max-width:100%}figcaption{font-size:13px}.missing{color:#a33}"""


def write(folder, title, figures, evaluation, summary, notes):
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"]
    parts.append("<h2>Summary</h2>" + summary_section(summary))
    for section in SECTIONS:
        parts.append(f"<h2>{html.escape(section)}</h2>")
        for s, name, caption in figures.written:
            if s == section:
                parts.append(f"<figure><a href='{html.escape(name)}'><img src='{html.escape(name)}' "
                             f"alt='{html.escape(caption)}'></a><figcaption>{html.escape(caption)}</figcaption></figure>")
        for s, what, why in figures.missing:
            if s == section:
                parts.append(f"<p class='missing'>Not shown: {html.escape(what)} — {html.escape(why)}.</p>")
    parts.append("<h2>Regional budgets</h2>" + budget_section(evaluation))
    parts.append("<h2>Provincial budgets</h2>" + province_section(evaluation))
    parts.append("<h2>Validation</h2>" + validation_section(evaluation))
    all_notes = list(evaluation.get("notes", [])) + notes
    if all_notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in all_notes) + "</ul>")
    parts.append("</body></html>\n")
    path = os.path.join(folder, "index.html")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write("".join(parts))
    os.replace(path + ".tmp", path)
    return path
