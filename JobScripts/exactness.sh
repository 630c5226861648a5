#!/bin/bash
# Is the answer right? Runs the exact synthesis inversion of a configuration
# and the ensemble Kalman smoother (rcas osse) on it for several ensemble
# sizes and flux-draw seeds, and tabulates how far the EnKS posterior land
# and domain totals are from the exact ones (Docs/assimilation.md).
#
#   JobScripts/exactness.sh OUTPUT_DIR [CONFIG]
#
# CONFIG defaults to Domains/test-small/exactness.yaml. Environment:
#   MEMBERS="50 200 800"  ensemble sizes N
#   SEEDS="1 2 3 4"       flux_ensemble.seed values (one EnKS run each)
#   RANKS=2               MPI ranks of every run
#   RCAS_BIN=rcas         the rcas binary (e.g. .build/release/rcas)
# Writes OUTPUT_DIR/exactness.csv (one row per run) and exactness.md (the
# table: RMS over seeds of EnKS - synthesis, and its ratio to the
# prior-to-posterior shift of the synthesis).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
output=${1:?usage: exactness.sh OUTPUT_DIR [CONFIG]}
config=${2:-$here/../Domains/test-small/exactness.yaml}
members=${MEMBERS:-50 200 800}
seeds=${SEEDS:-1 2 3 4}
ranks=${RANKS:-2}
rcas=${RCAS_BIN:-rcas}
mpirun_flags=(-n "$ranks")
if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    mpirun_flags+=(--oversubscribe)
fi
[ "$ranks" -gt 2 ] && mpirun_flags+=(--oversubscribe)
mkdir -p "$output"
config=$(cd "$(dirname "$config")" && pwd)/$(basename "$config")
domain=$(cd "$(dirname "$config")" && cd "$(sed -n 's/^domain: *//p' "$config")" && pwd)

echo "exact answer: rcas synthesis $config"
mpirun "${mpirun_flags[@]}" "$rcas" synthesis "$config" --output "$output/synthesis" > "$output/synthesis.log"

echo "N,seed,land_enks,land_exact,land_prior,domain_enks,domain_exact,domain_prior" > "$output/exactness.csv"
for n in $members; do
    for seed in $seeds; do
        variant="$output/n${n}-s${seed}.yaml"
        # Same problem, N members and flux-draw seed `seed` (the flux_ensemble seed, indented under it).
        sed -e "s#^domain: .*#domain: $domain#" -e "s/^\(  members:\) [0-9]*/\1 $n/" \
            -e "s/^\(    seed:\) [0-9]*/\1 $seed/" "$config" > "$variant"
        echo "EnKS: N = $n, seed $seed"
        mpirun "${mpirun_flags[@]}" "$rcas" osse "$variant" --output "$output/enks-n${n}-s${seed}" > "$output/enks-n${n}-s${seed}.log"
        python3 - "$output/synthesis/summary.json" "$output/enks-n${n}-s${seed}/summary.json" "$n" "$seed" >> "$output/exactness.csv" <<'EOF'
import json, sys
exact = json.load(open(sys.argv[1]))["region_totals"]
enks = json.load(open(sys.argv[2]))["region_totals"]
row = [sys.argv[3], sys.argv[4]]
for region in ["land", "domain"]:
    row += [repr(enks[region]["posterior"]), repr(exact[region]["posterior"]), repr(exact[region]["prior"])]
print(",".join(row))
EOF
    done
done

python3 - "$output/exactness.csv" "$output/synthesis/summary.json" > "$output/exactness.md" <<'EOF'
import csv, json, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
exact = json.load(open(sys.argv[2]))["region_totals"]
print("| N | runs | land: RMS(EnKS - exact) Tg C | / shift | domain: RMS(EnKS - exact) Tg C | / shift |")
print("|---|---|---|---|---|---|")
sizes = sorted({int(r["N"]) for r in rows})
for n in sizes:
    mine = [r for r in rows if int(r["N"]) == n]
    cells = [str(n), str(len(mine))]
    for region in ["land", "domain"]:
        errors = [float(r[f"{region}_enks"]) - float(r[f"{region}_exact"]) for r in mine]
        rms = math.sqrt(sum(e * e for e in errors) / len(errors))
        shift = abs(exact[region]["posterior"] - exact[region]["prior"])
        cells += [f"{rms:.3f}", f"{rms / shift:.3f}"]
    print("| " + " | ".join(cells) + " |")
for region in ["land", "domain"]:
    r = exact[region]
    print(f"\n{region}: prior {r['prior']:.3f} Tg C, exact posterior {r['posterior']:.3f} +- {r['posterior_sigma']:.3f} Tg C "
          f"(shift {r['posterior'] - r['prior']:+.3f})" + (f", truth {r['truth']:.3f}" if "truth" in r else ""))
EOF
cat "$output/exactness.md"
