#!/usr/bin/env bash
# A single-node SLURM cluster on this machine for the cluster tests: `.ci/slurm.sh start` installs the
# Debian packages when missing, writes a config under $EQX_SLURM_DIR (default /tmp/eqx-slurm), starts munge,
# slurmctld and slurmd, and waits until `sinfo` shows the node idle; `.ci/slurm.sh stop` stops them.
# No systemd and no cgroups: process tracking by /proc, no accounting (sacct is unavailable; eqx polls squeue).
set -euo pipefail
dir=${EQX_SLURM_DIR:-/tmp/eqx-slurm}
conf=/etc/slurm/slurm.conf

stop_pid() {  # stop the daemon whose pid file is $1, if it runs
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$1"
}

daemon() {  # the plain name, or the Debian `-wlm` name when the alternative is missing
  if command -v "$1" >/dev/null 2>&1; then echo "$1"; elif [ -x "/usr/sbin/$1-wlm" ]; then echo "/usr/sbin/$1-wlm"; else
    echo "slurm.sh: $1 not found" >&2; exit 1; fi
}

case "${1:-}" in
start)
  need=""
  for p in slurmctld slurmd slurm-client munge; do dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"; done
  if [ -n "$need" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq $need >/dev/null
  fi
  mkdir -p "$dir"/{munge,state,spool,log} /etc/slurm
  chmod 0700 "$dir/munge"
  [ -f "$dir/munge/munge.key" ] || mungekey -c -k "$dir/munge/munge.key" 2>/dev/null \
    || /usr/sbin/mungekey -c -k "$dir/munge/munge.key"
  chmod 0400 "$dir/munge/munge.key"
  stop_pid "$dir/munge/munged.pid"
  munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
         --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" --force
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 8 / 10 ))
  cat > "$conf" <<CONF
# Written by eqx .ci/slurm.sh: a single-node cluster without systemd, cgroups or accounting.
ClusterName=eqx-ci
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
MpiDefault=none
ReturnToService=2
MinJobAge=3600
KillWait=10
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
NodeName=localhost CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  stop_pid "$dir/slurmd.pid"; stop_pid "$dir/slurmctld.pid"
  "$(daemon slurmctld)" -i
  if [ -x /usr/sbin/slurmstepd-wlm ] && ! command -v slurmstepd >/dev/null 2>&1; then
    "$(daemon slurmd)" -N localhost -d /usr/sbin/slurmstepd-wlm
  else
    "$(daemon slurmd)" -N localhost
  fi
  for _ in $(seq 60); do
    if sinfo -h -N -o '%t' 2>/dev/null | grep -q '^idle'; then echo "slurm: node localhost idle ($cpus CPUs)"; exit 0; fi
    sleep 1
  done
  echo "slurm.sh: the node did not become idle; see $dir/log" >&2
  sinfo >&2 || true
  exit 1
  ;;
stop)
  stop_pid "$dir/slurmd.pid"
  stop_pid "$dir/slurmctld.pid"
  stop_pid "$dir/munge/munged.pid"
  echo "slurm: stopped"
  ;;
*)
  echo "usage: .ci/slurm.sh start|stop" >&2; exit 64
  ;;
esac
