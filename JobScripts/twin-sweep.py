#!/usr/bin/env python3
"""Runs a twin-experiment sweep here (no SLURM) and tabulates its scores:
one `rcas osse` per variant of a base configuration, then a table of the
land-total errors (prior, forecast, posterior), increment correlation, chi2/n
and mean innovation of every variant. This is how the defaults of
Docs/twin-results.md ("Choosing the defaults") were chosen.

  python3 JobScripts/twin-sweep.py BASE.yaml OUT_DIR
          --variant 'NAME: KEY=VALUE; KEY=VALUE' [--variant ...]
          [--set KEY=VALUE ...] [--ranks N] [--rcas PATH]

--set changes the base for every variant; a variant's assignments apply on
top (dotted keys, YAML values). A variant whose OUT_DIR/NAME/summary.json
exists is not run again, so an interrupted sweep resumes. Writes
OUT_DIR/sweep.csv and OUT_DIR/sweep.md (a Markdown table).
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from sweep_config import assign, load_base  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("base")
parser.add_argument("out_dir")
parser.add_argument("--variant", action="append", required=True, metavar="'NAME: KEY=VALUE; ...'")
parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
parser.add_argument("--ranks", type=int, default=1)
parser.add_argument("--rcas", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                   ".build", "release", "rcas"))
args = parser.parse_args()

base = load_base(args.base)
for assignment in args.set:
    assign(base, assignment)
out_dir = os.path.abspath(args.out_dir)
os.makedirs(out_dir, exist_ok=True)

variants = []
for text in args.variant:
    name, _, assignments = text.partition(":")
    name = name.strip()
    if not name or "/" in name:
        sys.exit(f"twin-sweep.py: --variant '{text}': give 'NAME: KEY=VALUE; ...' with a plain NAME")
    variants.append((name, [a.strip() for a in assignments.split(";") if a.strip()]))

rows = []
for name, assignments in variants:
    config = yaml.safe_load(yaml.safe_dump(base))
    for assignment in assignments:
        assign(config, assignment)
    config["name"] = f"{base.get('name', 'sweep')}-{name}"
    path = os.path.join(out_dir, f"{name}.yaml")
    with open(path, "w") as handle:
        yaml.safe_dump(config, handle, sort_keys=False)
    run_dir = os.path.join(out_dir, name)
    summary_path = os.path.join(run_dir, "summary.json")
    seconds = None
    if not os.path.exists(summary_path):
        command = [args.rcas, "osse", path, "--output", run_dir]
        if args.ranks > 1:
            command = ["mpirun", "-np", str(args.ranks)] + command
        print(f"twin-sweep.py: {name}: {' '.join(command)}", flush=True)
        start = time.time()
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seconds = time.time() - start
        if result.returncode != 0:
            sys.exit(f"twin-sweep.py: {name} failed (exit {result.returncode}):\n{result.stderr[-2000:]}")
    with open(summary_path) as handle:
        summary = json.load(handle)
    land = summary["region_totals"]["land"]
    domain = summary["region_totals"]["domain"]
    rows.append({
        "variant": name,
        "settings": "; ".join(assignments),
        "land_error_prior": abs(land["prior"] - land["truth"]),
        "land_error_forecast": abs(land["forecast"] - land["truth"]),
        "land_error_posterior": abs(land["posterior"] - land["truth"]),
        "domain_error_posterior": abs(domain["posterior"] - domain["truth"]),
        "rmse_flux_prior": summary["rmse_flux_prior"],
        "rmse_flux_forecast": summary["rmse_flux_forecast"],
        "rmse_flux_posterior": summary["rmse_flux_posterior"],
        "increment_correlation": summary["increment_correlation"],
        "chi2_per_observation": summary["chi2_per_observation"],
        "mean_innovation_ppm": summary["mean_innovation_ppm"],
        "seconds": "" if seconds is None else round(seconds, 1),
    })

with open(os.path.join(out_dir, "sweep.csv"), "w", newline="") as handle:
    writer = csv.DictWriter(handle, fieldnames=list(rows[0].keys()))
    writer.writeheader()
    writer.writerows(rows)


def number(x, digits):
    return "n/a" if x is None else f"{x:.{digits}f}"


lines = ["| variant | settings | land error prior / forecast / posterior (Tg C) | land-cell RMSE prior / forecast / posterior | increment corr. | chi2/n | mean innovation (ppm) |",
         "|---|---|---|---|---|---|---|"]
for r in rows:
    lines.append(
        f"| {r['variant']} | {r['settings'] or '(base)'} | {number(r['land_error_prior'], 1)} / "
        f"{number(r['land_error_forecast'], 1)} / **{number(r['land_error_posterior'], 1)}** | "
        f"{number(r['rmse_flux_prior'], 3)} / {number(r['rmse_flux_forecast'], 3)} / {number(r['rmse_flux_posterior'], 3)} | "
        f"{number(r['increment_correlation'], 3)} | {number(r['chi2_per_observation'], 2)} | "
        f"{number(r['mean_innovation_ppm'], 3)} |")
with open(os.path.join(out_dir, "sweep.md"), "w") as handle:
    handle.write("\n".join(lines) + "\n")
print("\n".join(lines))
