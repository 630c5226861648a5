#!/usr/bin/env bash
# A throw-away single-node SLURM cluster on this machine, for testing the job
# scripts (and for trying them on a workstation).
#
#   bash JobScripts/lib/local-slurm.sh start STATE_DIR   # installs slurm-wlm + munge if needed
#   export SLURM_CONF=STATE_DIR/slurm.conf               # then sbatch/squeue/scancel work
#   bash JobScripts/lib/local-slurm.sh stop STATE_DIR    # kills exactly the daemons it started
#
# The daemons' process ids are kept in STATE_DIR/*.pid; `stop` kills those
# processes only, so it never touches a SLURM or munge the machine already ran.
set -euo pipefail

action=${1:?usage: local-slurm.sh start|stop STATE_DIR}
state=${2:?usage: local-slurm.sh start|stop STATE_DIR}
mkdir -p "$state"
state=$(cd "$state" && pwd)

stop_daemons() {
    for name in slurmd slurmctld munged; do
        local file="$state/$name.pid"
        [[ -f $file ]] || continue
        local pid
        pid=$(cat "$file")
        if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$file"
    done
}

if [[ $action == stop ]]; then
    stop_daemons
    exit 0
fi
[[ $action == start ]] || { echo "local-slurm.sh: unknown action $action" >&2; exit 2; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "local-slurm.sh: run: sudo apt-get install -y slurm-wlm munge" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

host=$(hostname -s)
cpus=${RCAS_SLURM_CPUS:-4}
mkdir -p "$state/spool" "$state/ctld" "$state/log" "$state/munge"

# munge: a private key and socket so this cluster does not depend on (or
# disturb) a system munge daemon.
if [[ ! -f $state/munge/munge.key ]]; then
    dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$state/munge/munge.key"
fi
chmod 700 "$state/munge"
munge_socket="$state/munge/munge.socket"
munged --force --key-file="$state/munge/munge.key" --socket="$munge_socket" \
       --pid-file="$state/munged.pid" --log-file="$state/log/munged.log" --seed-file="$state/munge/seed"

cat > "$state/slurm.conf" <<CONF
ClusterName=rcaslocal
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$munge_socket
CredType=cred/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
SlurmctldPort=${RCAS_SLURMCTLD_PORT:-16817}
SlurmdPort=${RCAS_SLURMD_PORT:-16818}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=10
MinJobAge=3600
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host CPUs=$cpus RealMemory=8000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF

export SLURM_CONF=$state/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 100); do
    if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
        echo "local SLURM cluster up: export SLURM_CONF=$SLURM_CONF"
        exit 0
    fi
    sleep 0.2
done
echo "local-slurm.sh: the node did not become idle; see $state/log" >&2
sinfo >&2 || true
tail -20 "$state/log/slurmctld.log" "$state/log/slurmd.log" >&2 || true
stop_daemons
exit 1
