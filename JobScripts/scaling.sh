#!/usr/bin/env bash
# Strong and weak scaling of the transport model (the bulk of RCAS's compute)
# over rank counts and member-group x tile layouts, with `rcas bench transport`.
#
# Run:      bash JobScripts/scaling.sh [OUTPUT_PREFIX]        (default Docs/scaling)
#           inside an allocation: salloc -n 8 bash JobScripts/scaling.sh
#           or as a batch job:    sbatch -n 8 --wrap "bash JobScripts/scaling.sh"
# Settings: RANKS="1 2 4" (rank counts), DOMAIN=Domains/china-64km, MEMBERS=50
#           (strong scaling), WEAK_MEMBERS=12 (members per rank, weak scaling),
#           HOURS=6, RCAS_BIN (default .build/release/rcas; build with
#           swift build -c release first).
# Writes OUTPUT_PREFIX.csv and OUTPUT_PREFIX.md: ranks, layout (member groups x
# tiles), members, seconds per simulated hour, speed-up and parallel
# efficiency (strong: T1 / (N TN); weak: T1 / TN). Rank counts above the
# number of cores are oversubscribed: their times check correctness, not speed.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-Docs/scaling}
ranks_list=${RANKS:-"1 2 4"}
domain=${DOMAIN:-Domains/china-64km}
members=${MEMBERS:-50}
weak_members=${WEAK_MEMBERS:-12}
hours=${HOURS:-6}
rcas=${RCAS_BIN:-.build/release/rcas}
cores=$(nproc)
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}

measure() {  # ranks groups members -> seconds per simulated hour
    mpirun -np "$1" --oversubscribe --bind-to none "$rcas" bench transport --domain "$domain" \
        --members "$3" --hours "$hours" --layout-groups "$2" --json |
        python3 -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["seconds_per_simulated_hour"])'
}

csv=$prefix.csv
echo "scaling,ranks,member_groups,tiles,members,seconds_per_simulated_hour,speedup,efficiency,oversubscribed" > "$csv"
base_strong=
base_weak=
for ranks in $ranks_list; do
    for groups in $(python3 -c "n=$ranks; print(' '.join(str(g) for g in sorted({n, 1}) if n % g == 0))"); do
        tiles=$((ranks / groups))
        over=$([[ $ranks -gt $cores ]] && echo yes || echo no)
        t=$(measure "$ranks" "$groups" "$members")
        [[ -z $base_strong ]] && base_strong=$t
        python3 -c "b=$base_strong; t=$t; n=$ranks; print(f'strong,$ranks,$groups,$tiles,$members,{t:.4f},{b/t:.2f},{b/(n*t):.2f},$over')" >> "$csv"
        w=$(measure "$ranks" "$groups" $((weak_members * ranks)))
        [[ -z $base_weak ]] && base_weak=$w
        python3 -c "b=$base_weak; t=$w; print(f'weak,$ranks,$groups,$tiles,$((weak_members * ranks)),{t:.4f},{b/t*$ranks:.2f},{b/t:.2f},$over')" >> "$csv"
        echo "ranks $ranks, $groups group(s) x $tiles tile(s): strong $t s/h, weak $w s/h" >&2
    done
done

python3 - "$csv" "$prefix.md" "$domain" "$hours" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w") as out:
    out.write(f"Transport scaling on {sys.argv[3]}, {sys.argv[4]} simulated hours per point "
              "(`bash JobScripts/scaling.sh`).\n\n")
    out.write("| scaling | ranks | layout (groups x tiles) | members | s per simulated hour | speed-up | efficiency | oversubscribed |\n")
    out.write("|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        out.write(f"| {r['scaling']} | {r['ranks']} | {r['member_groups']} x {r['tiles']} | {r['members']} | "
                  f"{r['seconds_per_simulated_hour']} | {r['speedup']} | {r['efficiency']} | {r['oversubscribed']} |\n")
print(open(sys.argv[2]).read())
PY
