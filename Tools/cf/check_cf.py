#!/usr/bin/env python3
"""Check every NetCDF file RCAS writes in a run folder with cfchecker (CF-1.8) and the IOOS
compliance-checker (its cf:1.8 suite), offline.

Usage: python3 Tools/cf/check_cf.py RUN_DIR [--json]

Prints, per file, every FATAL/ERROR/WARN message of cfchecker and every failed check of the
compliance checker with its priority, then one total line. Exit status 0 when every file has
0 errors, 0 warnings and no failed compliance check; 1 when any has; 2 when the run folder or a
checker is missing. Files RCAS copies rather than writes are skipped and listed: the synthetic
satellite and ObsPack files under observations/ (they imitate the products' own layouts) and
checkpoints (internal restart state).

Offline tables: cfchecker reads the CF standard name table bundled with compliance-checker
(compliance_checker/data/cf-standard-name-table.xml); the area-type and standardized-region
tables have no offline copy, so they are given as empty lists, and any variable whose
standard_name is area_type or region is reported as not checkable here.
Needs cfchecker (with libudunits2), compliance-checker, netCDF4 (install-dependencies.sh).
"""
import argparse
import json
import os
import sys
import tempfile

SKIPPED_FOLDERS = {"observations": "copies of the synthetic satellite and ObsPack products (product layouts)",
                   "checkpoint": "checkpoints (internal restart state)"}


def files_to_check(run):
    checked, skipped = [], []
    for folder, subfolders, files in os.walk(run):
        relative = os.path.relpath(folder, run)
        top = relative.split(os.sep)[0]
        reason = next((why for name, why in SKIPPED_FOLDERS.items() if top.startswith(name)), None)
        for name in sorted(files):
            if name.endswith(".nc"):
                path = os.path.join(folder, name)
                (skipped if reason else checked).append((path, reason) if reason else path)
        subfolders.sort()
    return sorted(checked), skipped


def empty_table(folder, name):
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        f.write("<?xml version='1.0'?><root><version_number>0</version_number>"
                "<date>offline</date></root>\n")
    return path


def run_cfchecker(path, tables):
    """[(category, where, message)] of cfchecker's FATAL, ERROR and WARN results for `path`."""
    from cfchecker.cfchecks import CFChecker, CFVersion, FatalCheckerError
    checker = CFChecker(cfStandardNamesXML=tables[0], cfAreaTypesXML=tables[1], cfRegionNamesXML=tables[2],
                        version=CFVersion((1, 8)), silent=True)
    try:
        checker.checker(path)
    except FatalCheckerError:
        pass
    results = checker.all_results[path]
    found = []
    scopes = [("global", results["global"])] + list(results["variables"].items())
    for where, categories in scopes:
        for category in ("FATAL", "ERROR", "WARN"):
            for message in categories.get(category, []):
                found.append((category, where, message))
    return found


def run_compliance_checker(path, folder):
    """[(priority, check name, messages)] of the failed checks of the cf:1.8 suite for `path`."""
    from compliance_checker.runner import CheckSuite, ComplianceChecker
    CheckSuite().load_all_available_checkers()
    report = os.path.join(folder, "compliance.json")
    ComplianceChecker.run_checker(path, ["cf:1.8"], 0, "normal", output_filename=report, output_format="json")
    with open(report) as f:
        data = json.load(f)
    suite = data.get("cf:1.8", {})
    failed = []
    for priority in ("high_priorities", "medium_priorities", "low_priorities"):
        for check in suite.get(priority, []):
            scored, possible = check.get("value", [0, 0])
            if scored < possible:
                failed.append((priority.split("_")[0], check.get("name", "?"), check.get("msgs", [])))
    for error in suite.get("errors", {}) or {}:
        failed.append(("error", error, [str(suite["errors"][error])]))
    return failed


def standard_names_not_checkable(path):
    import netCDF4
    with netCDF4.Dataset(path) as ds:
        return [name for name, v in ds.variables.items() if getattr(v, "standard_name", None) in ("area_type", "region")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run", help="the run folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args()
    if not os.path.isdir(args.run):
        print(f"check_cf: {args.run}: run folder does not exist", file=sys.stderr)
        return 2
    try:
        import cfchecker  # noqa: F401
        import compliance_checker  # noqa: F401
    except ImportError as error:
        print(f"check_cf: {error.name} is missing; run bash JobScripts/lib/install-dependencies.sh", file=sys.stderr)
        return 2
    standard_names = os.path.join(os.path.dirname(compliance_checker.__file__), "data", "cf-standard-name-table.xml")
    checked, skipped = files_to_check(args.run)
    if not checked:
        print(f"check_cf: {args.run} holds no NetCDF file RCAS writes", file=sys.stderr)
        return 2
    report = {"files": {}, "skipped": {os.path.relpath(p, args.run): why for p, why in skipped}}
    with tempfile.TemporaryDirectory() as folder:
        tables = (standard_names, empty_table(folder, "area-types.xml"), empty_table(folder, "regions.xml"))
        for path in checked:
            cf = run_cfchecker(path, tables)
            ioos = run_compliance_checker(path, folder)
            report["files"][os.path.relpath(path, args.run)] = {
                "cfchecker_errors": [f"{w}: {m}" for c, w, m in cf if c in ("FATAL", "ERROR")],
                "cfchecker_warnings": [f"{w}: {m}" for c, w, m in cf if c == "WARN"],
                "compliance_failures": [f"[{p}] {name}: {' | '.join(msgs)}" for p, name, msgs in ioos],
                "not_checkable": standard_names_not_checkable(path)}
    totals = {key: sum(len(f[key]) for f in report["files"].values())
              for key in ("cfchecker_errors", "cfchecker_warnings", "compliance_failures", "not_checkable")}
    report["totals"] = totals
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        for name, found in report["files"].items():
            print(f"{name}: {len(found['cfchecker_errors'])} cfchecker errors, {len(found['cfchecker_warnings'])} "
                  f"warnings, {len(found['compliance_failures'])} failed compliance checks")
            for key, label in (("cfchecker_errors", "ERROR"), ("cfchecker_warnings", "WARN"),
                               ("compliance_failures", "IOOS")):
                for message in found[key]:
                    print(f"  {label} {message}")
            for name_ in found["not_checkable"]:
                print(f"  NOT CHECKED standard_name of {name_} (area_type/region tables are not available offline)")
        for name, why in report["skipped"].items():
            print(f"skipped {name}: {why}")
        print(f"CF check of {len(checked)} files: {totals['cfchecker_errors']} errors, {totals['cfchecker_warnings']} "
              f"warnings, {totals['compliance_failures']} failed compliance checks")
    clean = all(v == 0 for v in totals.values())
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
