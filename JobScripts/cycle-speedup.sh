#!/usr/bin/env bash
# The whole assimilation cycle on one and two ranks (`rcas bench cycle`),
# measured as alternating pairs per generator: one rank, then two, again and
# again, so that a slow moment of a shared or virtual machine hits both sides
# of a pair. Each run also gives the cycle over the transport alone in the
# same run. The medians are the figures to quote (Docs/performance.md).
#
# Run:      bash JobScripts/cycle-speedup.sh [OUTPUT_CSV]   (default Docs/cycle-speedup.csv)
# Settings: REPEATS=4, HOURS=24, MEMBERS=50, DOMAIN=Domains/china-64km,
#           GENERATORS="jdas gcasv2", OBSERVATIONS=gosat, CHECKPOINT_INTERVAL=24
#           (hours over which one checkpoint's cost is spread: RCAS's default 24;
#           Domains/china-64km/jdas-2016.yaml uses 168),
#           RCAS_BIN (default .build/release/rcas; swift build -c release first).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-Docs/cycle-speedup.csv}
repeats=${REPEATS:-4}
hours=${HOURS:-24}
members=${MEMBERS:-50}
domain=${DOMAIN:-Domains/china-64km}
generators=${GENERATORS:-jdas gcasv2}
observations=${OBSERVATIONS:-gosat}
checkpoint_interval=${CHECKPOINT_INTERVAL:-24}
rcas=${RCAS_BIN:-.build/release/rcas}
[[ -x $rcas ]] || { echo "cycle-speedup.sh: $rcas not found; run swift build -c release --product rcas first" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}

measure() {  # ranks generator -> "cycle transport ratio peak_bytes phases-json checkpoint first_checkpoint"
    mpirun -np "$1" --bind-to none "$rcas" bench cycle --domain "$domain" --members "$members" --hours "$hours" \
        --generator "$2" --observations "$observations" --checkpoint-interval "$checkpoint_interval" --json |
        python3 -c 'import json,sys; d=json.loads(sys.stdin.read().strip().splitlines()[-1]); print(d["seconds_per_simulated_hour"], d["transport_seconds_per_simulated_hour"], d["cycle_over_transport"], d["peak_memory_bytes"], json.dumps(d["phases"], separators=(",", ":")).replace(",", ";"), d["checkpoint_seconds"], d["first_checkpoint_seconds"])'
}

echo "repeat,generator,ranks,cycle_seconds_per_hour,transport_seconds_per_hour,cycle_over_transport,peak_memory_bytes,phases,checkpoint_seconds,first_checkpoint_seconds" > "$out.partial"
for r in $(seq 1 "$repeats"); do
    for g in $generators; do
        for n in 1 2; do
            read -r cycle transport ratio peak phases checkpoint first < <(measure "$n" "$g")
            echo "$r,$g,$n,$cycle,$transport,$ratio,$peak,$phases,$checkpoint,$first" | tee -a "$out.partial"
        done
    done
done
mv "$out.partial" "$out"
python3 - "$out" "$domain" "$members" "$hours" "$checkpoint_interval" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"{sys.argv[2]}, {sys.argv[3]} members, {sys.argv[4]} simulated hours per run, one checkpoint per {sys.argv[5]} hours")
for g in sorted({r["generator"] for r in rows}):
    one = {r["repeat"]: r for r in rows if r["generator"] == g and r["ranks"] == "1"}
    two = {r["repeat"]: r for r in rows if r["generator"] == g and r["ranks"] == "2"}
    speedups = [float(one[k]["cycle_seconds_per_hour"]) / float(two[k]["cycle_seconds_per_hour"]) for k in one if k in two]
    ratios = [float(one[k]["cycle_over_transport"]) for k in one]
    print(f"{g}: 2-rank speed-up median {statistics.median(speedups):.2f} (smallest {min(speedups):.2f}, largest {max(speedups):.2f}, "
          f"{len(speedups)} pairs); cycle/transport on 1 rank median {statistics.median(ratios):.3f} "
          f"({min(ratios):.3f}-{max(ratios):.3f})")
    for n in ("1", "2"):
        last = [float(r["checkpoint_seconds"]) for r in rows if r["generator"] == g and r["ranks"] == n]
        first = [float(r["first_checkpoint_seconds"]) for r in rows if r["generator"] == g and r["ranks"] == n]
        print(f"  {n} rank(s): one checkpoint median {statistics.median(last):.3f} s written over the spare, "
              f"{statistics.median(first):.3f} s as a new file")
PY
