#!/usr/bin/env python3
"""Writes a sensitivity sweep for JobScripts/array.sbatch: one configuration
per combination of the given values, derived from a base configuration, and a
list file with one "CONFIG OUTPUT_DIR" line per task.

  python3 JobScripts/make-sweep.py BASE.yaml SWEEP_DIR [--beta 40 80 120]
          [--cutoff-km 640 1280] [--members 20 50] [--set KEY=VALUE ...]

--set changes any key of the base for every configuration (dotted path,
YAML value), e.g. --set period.end=2016-07-02T23. Relative paths in the base
(domain, observation and meteorology files) are rewritten so the copies work
from SWEEP_DIR. Prints the sbatch command for the array (at most 4 tasks at a
time by default: --throttle N).
"""
import argparse
import itertools
import os
import sys

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from sweep_config import assign, load_base, put  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("base")
parser.add_argument("sweep_dir")
parser.add_argument("--beta", type=float, nargs="+")
parser.add_argument("--cutoff-km", type=float, nargs="+")
parser.add_argument("--members", type=int, nargs="+")
parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
parser.add_argument("--throttle", type=int, default=4)
args = parser.parse_args()

base = load_base(args.base)
for assignment in args.set:
    assign(base, assignment)

axes = [("beta", "assimilation.flux_ensemble.beta", args.beta),
        ("cutoff", "assimilation.localization.cutoff_km", args.cutoff_km),
        ("members", "assimilation.members", args.members)]
axes = [axis for axis in axes if axis[2]]
if not axes:
    sys.exit("make-sweep.py: give at least one of --beta, --cutoff-km, --members")

os.makedirs(args.sweep_dir, exist_ok=True)
sweep_dir = os.path.abspath(args.sweep_dir)
lines = []
for values in itertools.product(*(axis[2] for axis in axes)):
    config = yaml.safe_load(yaml.safe_dump(base))
    label = "_".join(f"{name}{value:g}" for (name, _, _), value in zip(axes, values))
    for (_, key, _), value in zip(axes, values):
        put(config, key, value)
    config["name"] = f"{base.get('name', 'sweep')}-{label}"
    path = os.path.join(sweep_dir, f"{label}.yaml")
    with open(path, "w") as handle:
        yaml.safe_dump(config, handle, sort_keys=False)
    lines.append(f"{path} {os.path.join(sweep_dir, 'runs', label)}")
list_path = os.path.join(sweep_dir, "list.txt")
with open(list_path, "w") as handle:
    handle.write("# CONFIG OUTPUT_DIR, one array task per line (JobScripts/array.sbatch)\n")
    handle.write("\n".join(lines) + "\n")
print(f"wrote {len(lines)} configurations and {list_path}")
print(f"submit: sbatch --array=1-{len(lines)}%{args.throttle} JobScripts/array.sbatch {list_path}")
