#!/usr/bin/env bash
# A configuration's hourly inputs (meteorology, prior fluxes, background) on
# one and two ranks (`rcas bench inputs`), as alternating pairs: each run
# times every input asked per tile, as the cycle asks, and whole-grid, as
# every rank did before the inputs were split. The medians are the figures
# to quote (Docs/performance.md, "Inputs per tile").
#
# Run:      bash JobScripts/inputs-speedup.sh CONFIG [OUTPUT_CSV]   (default Docs/inputs-speedup.csv)
# Settings: REPEATS=4, HOURS=24 (from the configuration's start),
#           RCAS_BIN (default .build/release/rcas; swift build -c release first).
# A china-64km-sized WRF + CarbonTracker set to time:
#   python3 Domains/real-format-sample/make_samples.py /tmp/inputs-64km --days 1 \
#       --nx 105 --ny 86 --nz 30 --dx 64000 --wrf-format NETCDF3_64BIT_OFFSET
#   bash JobScripts/inputs-speedup.sh /tmp/inputs-64km/real-format.yaml
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:?usage: inputs-speedup.sh CONFIG [OUTPUT_CSV]}
out=${2:-Docs/inputs-speedup.csv}
repeats=${REPEATS:-4}
hours=${HOURS:-24}
rcas=${RCAS_BIN:-.build/release/rcas}
[[ -x $rcas ]] || { echo "inputs-speedup.sh: $rcas not found; run swift build -c release --product rcas first" >&2; exit 1; }
[[ -f $config ]] || { echo "inputs-speedup.sh: configuration $config not found" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}

columns="meteorology prior_flux background total"
measure() {  # ranks -> per-tile then whole-grid seconds per hour, one per input and the total
    mpirun -np "$1" --bind-to none "$rcas" bench inputs "$config" --hours "$hours" --json |
        python3 -c 'import json,sys; d=json.loads(sys.stdin.read().strip().splitlines()[-1]); k=sys.argv[1].split(); print(",".join(str(d[p][c]) for p in ("per_tile", "whole_grid") for c in k))' "$columns"
}

header="repeat,ranks"
for pass in per_tile whole_grid; do for c in $columns; do header+=",${pass}_$c"; done; done
echo "$header" > "$out.partial"
for r in $(seq 1 "$repeats"); do
    for n in 1 2; do
        row=$(measure "$n")
        echo "$r,$n,$row" | tee -a "$out.partial"
    done
done
mv "$out.partial" "$out"
python3 - "$out" "$config" "$hours" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"{sys.argv[2]}, {sys.argv[3]} hours per run; seconds per simulated hour on the slowest rank, medians (range)")
for n in ("1", "2"):
    mine = [r for r in rows if r["ranks"] == n]
    for pass_ in ("per_tile", "whole_grid"):
        parts = []
        for c in ("meteorology", "prior_flux", "background", "total"):
            values = [float(r[f"{pass_}_{c}"]) for r in mine]
            parts.append(f"{c} {statistics.median(values):.4f} ({min(values):.4f}-{max(values):.4f})")
        print(f"  {n} rank(s), {pass_.replace('_', ' ')}: " + ", ".join(parts))
one = {r["repeat"]: float(r["per_tile_total"]) for r in rows if r["ranks"] == "1"}
two = {r["repeat"]: float(r["per_tile_total"]) for r in rows if r["ranks"] == "2"}
speedups = [one[k] / two[k] for k in one if k in two]
print(f"  2-rank speed-up of the inputs per tile: median {statistics.median(speedups):.2f} "
      f"({min(speedups):.2f}-{max(speedups):.2f}, {len(speedups)} pairs)")
PY
