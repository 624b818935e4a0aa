#!/usr/bin/env bash
# Reads must not slow the scheduler (issue 12, point 5): with PENDING held
# jobs in the queue, measures sbatch's acknowledgement (SUBMITS sequential
# `sbatch -H`) and a scheduling pass plus launch (SRUNS sequential `srun
# -N1 true`, each needing a pass to place it), first with no readers, then
# with READERS processes running `squeue` in a loop; prints medians, the
# ratios, and how many squeue calls completed meanwhile. The controller's
# own figures (QueryCluster's scheduling stats) give each phase's mean pass
# run time and the mean wait from an event's ask for a pass to its start.
# With PIN=1 the daemons and the measured commands run on CPU 0 and the
# readers on the others (taskset), as when readers are on login nodes.
# PIN=2 as PIN=1, but only the controller's strand (thread "ctld-strand")
# stays on CPU 0: its gRPC threads and munged share the readers' CPUs, as
# on a controller host with a core to spare for the strand.
# READER (default squeue) is what each reader loop runs: READER="squeue
# --version" starts the same program without calling the controller, a
# control for what the readers' process churn alone costs the machine.
# ROUNDS=K alternates the two phases K times and ends with the median of
# the rounds' ratios (the lower middle one for an even K; the machine
# drifts by more than 10 % over minutes).
# Usage: [PIN=1|2] [READER=cmd] [ROUNDS=K] bench/run_read_load_bench.sh [READERS=50] [PENDING=2000] [SUBMITS=100] [SRUNS=20]
set -euo pipefail
cd "$(dirname "$0")/.."
READERS=${1:-50} PENDING=${2:-2000} SUBMITS=${3:-100} SRUNS=${4:-20}
cmake --build build --target sluice-bench-burst sluice-local sbatch squeue srun scontrol scancel sluice-ctld sluice-noded sluice-stepd >/dev/null
build/bin/sluice-local down >/dev/null 2>&1 || true
rm -rf /tmp/sluice-local-0
build/bin/sluice-local up >/dev/null
export SLURM_CONF=/tmp/sluice-local-0/slurm.conf PATH=$PWD/build/bin:$PATH
# What a phase cancels is purged before the next phase (MinJobAge 2 s), so
# every phase starts from the same queue.
sed -i 's/^MinJobAge=.*/MinJobAge=2/' "$SLURM_CONF"
scontrol reconfigure
ON0=() ONREST=()
if [ "${PIN:-0}" = 1 ] || [ "${PIN:-0}" = 2 ]; then
  for p in $(pgrep -f 'sluice-(ctld|noded|stepd)|munged.*sluice-local'); do taskset -apc 0 "$p" >/dev/null; done
  ON0=(taskset -c 0) ONREST=(taskset -c 1-$(( $(nproc) - 1 )))
fi
if [ "${PIN:-0}" = 2 ]; then
  # The controller's strand keeps CPU 0; its other threads (gRPC's, which
  # serve the readers) and munged go with the readers.
  ctld=$(pgrep -f 'sluice-ctld' | head -1)
  for t in /proc/"$ctld"/task/*; do
    [ "$(cat "$t/comm")" = ctld-strand ] || taskset -pc 1-$(( $(nproc) - 1 )) "${t##*/}" >/dev/null
  done
  for p in $(pgrep -f 'munged.*sluice-local'); do taskset -apc 1-$(( $(nproc) - 1 )) "$p" >/dev/null; done
fi
for _ in $(seq "$PENDING"); do echo; done | while read -r; do sbatch -H -o /dev/null --wrap true >/dev/null; done
ratio() { echo "$2/$1" | bc -l; }  # ratio BEFORE AFTER
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() {  # timed N CMD...: median ms of N sequential runs
  local n=$1; shift
  for _ in $(seq "$n"); do
    s=$(date +%s%N); "${ON0[@]}" "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 ))
  done | median
}
stats() { "${ON0[@]}" build/bin/sluice-bench-burst --conf "$SLURM_CONF" --pass-stats; }
# The strand thread's minor page faults and CPU ticks (utime+stime) so far.
ctld_pid=$(pgrep -f 'sluice-ctld' | head -1)
strand_tid=$(grep -l '^ctld-strand$' /proc/"$ctld_pid"/task/*/comm | head -1 | cut -d/ -f5)
strand() { awk '{print $10, $14 + $15}' /proc/"$ctld_pid"/task/"$strand_tid"/stat; }
measure() {
  read -r p0 r0 a0 w0 k0 kt0 j0 < <(stats)
  read -r f0 c0 < <(strand)
  sb=$(timed "$SUBMITS" sbatch -H -o /dev/null --wrap true)
  sr=$(timed "$SRUNS" srun -N1 true)
  # The acknowledgement alone: the same RPC from one long-lived client.
  ack=$("${ON0[@]}" build/bin/sluice-bench-burst --conf "$SLURM_CONF" --sequential "$SUBMITS")
  fresh=$("${ON0[@]}" build/bin/sluice-bench-burst --conf "$SLURM_CONF" --sequential "$SUBMITS" --fresh)
  started=$("${ON0[@]}" build/bin/sluice-bench-burst --conf "$SLURM_CONF" --sequential "$SRUNS" --runnable)
  read -r p1 r1 a1 w1 k1 kt1 j1 < <(stats)
  read -r f1 c1 < <(strand)
  # The controller's own view of the passes in this phase: mean run time,
  # and mean wait from the event that asked for a pass to its start (ms).
  run=$(echo "($r1 - $r0) / 1000 / ($p1 - $p0)" | bc -l)
  wait=$(echo "($w1 - $w0) / 1000 / ($a1 - $a0)" | bc -l)
  # The readers' copies: how many, and the strand's mean parked time (ms).
  copy=$(echo "($kt1 - $kt0) / 1000 / ($k1 - $k0 + ($k1 == $k0))" | bc -l)
  echo "$sb $sr $ack $fresh $started $run $wait $((p1 - p0)) $((f1 - f0)) $((c1 - c0)) $((k1 - k0)) $copy $((j1 - j0))"
}
# Each phase ends where it began: what it submitted (about 500 held jobs)
# is cancelled and purged, or the next phase's passes and copies would
# cost more.
phase() {  # phase READERS_ON: one measure() line, with or without readers
  local last top base pids=()
  base=$(squeue -h -t all -o %i | wc -l)
  last=$(sbatch --parsable -H -o /dev/null --wrap true)
  if [ "$1" = 1 ]; then
    : > $count
    # Each reader loop runs wholly on the readers' CPUs (its shell's forks too).
    for _ in $(seq "$READERS"); do
      "${ONREST[@]}" bash -c "while :; do ${READER:-squeue} >/dev/null 2>&1; echo >> $count; done" & pids+=($!)
    done
    sleep 2
  fi
  local start t0 t1 line
  start=$(wc -l < $count); t0=$(date +%s%N)
  line=$(measure)
  t1=$(date +%s%N)
  # ... and how many reader calls completed meanwhile, in how many ms.
  line="$line $(( $(wc -l < $count) - start )) $(( (t1 - t0) / 1000000 ))"
  if [ "$1" = 1 ]; then kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null || true; fi
  top=$(sbatch --parsable -H -o /dev/null --wrap true)
  seq $((last + 1)) "$top" | xargs -n 500 scancel 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  until [ "$(squeue -h -t all -o %i | wc -l)" -le $((base + 1)) ]; do
    [ $SECONDS -lt $deadline ] || { echo "the cancelled jobs were not purged in 60 s" >&2; exit 1; }
    sleep 0.5
  done
  echo "$line"
}
count=/tmp/sluice-read-load.count; : > $count
# ROUNDS>1: the two phases alternate, so that the machine's drift over
# minutes falls on both alike; the summary is the median of the rounds'
# ratios.
summary=()
for round in $(seq "${ROUNDS:-1}"); do
read -r sb0 sr0 ack0 fr0 st0 run0 wait0 np0 flt0 cpu0 nk0 copy0 nj0 _ _ < <(phase 0)
read -r sb1 sr1 ack1 fr1 st1 run1 wait1 np1 flt1 cpu1 nk1 copy1 nj1 done_reads took_ms < <(phase 1)
[ "${ROUNDS:-1}" = 1 ] || echo "--- round $round"
echo "queue: $PENDING held jobs; readers: $READERS loops of '${READER:-squeue}'; pinned: ${PIN:-0}"
printf 'sbatch ack       no readers %7.1f ms   with readers %7.1f ms   ratio %.2f\n' \
  "$(echo "$sb0/1000" | bc -l)" "$(echo "$sb1/1000" | bc -l)" "$(ratio "$sb0" "$sb1")"
printf 'submit RPC alone no readers %7.2f ms   with readers %7.2f ms   ratio %.2f\n' \
  "$ack0" "$ack1" "$(ratio "$ack0" "$ack1")"
printf '+ a new connection  no readers %7.2f ms   with readers %7.2f ms   ratio %.2f\n' \
  "$fr0" "$fr1" "$(ratio "$fr0" "$fr1")"
printf 'srun -N1 true    no readers %7.1f ms   with readers %7.1f ms   ratio %.2f\n' \
  "$(echo "$sr0/1000" | bc -l)" "$(echo "$sr1/1000" | bc -l)" "$(ratio "$sr0" "$sr1")"
printf 'submit -> started  no readers %7.2f ms   with readers %7.2f ms   ratio %.2f\n' \
  "$st0" "$st1" "$(ratio "$st0" "$st1")"
printf 'pass run (ctld)   no readers %7.3f ms   with readers %7.3f ms   ratio %.2f   (%d and %d passes)\n' \
  "$run0" "$run1" "$(ratio "$run0" "$run1")" "$np0" "$np1"
printf 'ask -> pass start no readers %7.3f ms   with readers %7.3f ms   ratio %.2f\n' \
  "$wait0" "$wait1" "$(ratio "$wait0" "$wait1")"
printf 'readers copies    no readers %d, %.3f ms each   with readers %d, %.3f ms each (strand parked)\n' \
  "$nk0" "$copy0" "$nk1" "$copy1"
echo "jobs the copies converted: no readers $nj0, with readers $nj1 (the rest shared with the copy before)"
echo "strand thread: no readers $flt0 minor faults, $cpu0 CPU ticks; with readers $flt1 minor faults, $cpu1 CPU ticks"
echo "reader calls completed meanwhile: $done_reads in $took_ms ms"
summary+=("$(ratio "$sb0" "$sb1") $(ratio "$ack0" "$ack1") $(ratio "$run0" "$run1") $(ratio "$sr0" "$sr1") $(ratio "$st0" "$st1")")
done
if [ "${ROUNDS:-1}" != 1 ]; then
  col() { printf '%s\n' "${summary[@]}" | awk -v c="$1" '{print $c}'; }
  echo "=== $ROUNDS rounds, median of the rounds' ratios (readers / no readers), each round's in brackets"
  for c in 1:"sbatch ack" 2:"submit RPC alone" 3:"pass run (ctld)" 4:"srun -N1 true" 5:"submit -> started"; do
    printf '%-18s %.2f   [%s]\n' "${c#*:}" "$(col "${c%%:*}" | median)" "$(col "${c%%:*}" | xargs printf '%.2f ' | sed 's/ $//')"
  done
fi
build/bin/sluice-local down >/dev/null
