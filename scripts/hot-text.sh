#!/bin/bash
# scripts/hot-text.sh [BUILD_DIR]: remake src/hot_text.ld, the list of code
# sections the daemons and commands run, which the link puts first so that
# their resident code is the code they use (see CMakeLists.txt,
# "Hot code first", and docs/PERFORMANCE.md).
#
# How: relinks BUILD_DIR (default build) with -DSLUICE_LINK_MAPS=ON, starts
# a two-node sluice-local cluster whose daemons run under callgrind, drives
# it through a day's commands (each also under callgrind) as a plain user,
# stops it, and maps every instruction that ran to the input section the
# link map says it came from. Needs root, valgrind and python3. Takes about
# two minutes. Run it after large changes to the daemons or commands; a
# stale list only costs memory, never correctness.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
command -v valgrind >/dev/null || { echo "hot-text: valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "hot-text: run as root (the node daemons launch jobs)" >&2; exit 1; }

cmake -S "$here" -B "$build" -DSLUICE_LINK_MAPS=ON >/dev/null
ninja -C "$build" >/dev/null
progs="sluice-ctld sluice-noded sluice-stepd sbatch squeue scancel sinfo scontrol srun salloc sacct sacctmgr sshare sprio"
for p in $progs; do
  [ -f "$build/bin/$p.map" ] || { echo "hot-text: $build/bin/$p.map missing: $p is not linked statically" >&2; exit 1; }
done

T=$(mktemp -d /tmp/hot-text.XXXXXX)
chmod 755 "$T"
mkdir -p "$T/bin" "$T/real" "$T/out" "$T/work"
chmod 1777 "$T/work" "$T/out"
cp "$build"/bin/* "$T/bin/"
rm -f "$T"/bin/*.map
for p in $progs; do
  cp "$build/bin/$p" "$T/real/$p.real"
  cat > "$T/bin/$p" <<EOF
#!/bin/sh
exec valgrind -q --tool=callgrind --dump-instr=yes --compress-strings=no --compress-pos=no \
  --callgrind-out-file=$T/out/$p.%p $T/real/$p.real "\$@"
EOF
  chmod 755 "$T/bin/$p"
done
# The node daemon starts the sluice-stepd beside its own executable.
cp "$T/bin/sluice-stepd" "$T/real/sluice-stepd"

user=sluicehot
id "$user" >/dev/null 2>&1 || useradd -M -s /bin/sh "$user"
cleanup() { "$T/bin/sluice-local" down --dir "$T/cluster" >/dev/null 2>&1 || true; }
trap cleanup EXIT
"$T/bin/sluice-local" up --dir "$T/cluster" --nodes 2 --wait 120 >/dev/null
export SLURM_CONF=$T/cluster/slurm.conf PATH=$T/bin:$PATH
as() { (cd "$T/work" && runuser -u "$user" -- "$@") || true; }
quiet() { "$@" >/dev/null 2>&1 || true; }

# A day on the cluster, each command once or twice.
quiet as sbatch --wrap "hostname; sleep 1"
quiet as sbatch -H -J held --wrap true
quiet as sbatch --array=1-3 --wrap true
quiet as squeue; quiet as squeue -l; quiet as squeue --me -o "%i %j %T"; quiet as squeue --json
quiet sinfo; quiet sinfo -N -l; quiet sinfo -s
quiet as srun hostname
quiet as srun -N2 -n4 true
quiet as salloc -N1 true
quiet as sbatch --wait --wrap "echo hi"
quiet as scontrol show job; quiet scontrol show node; quiet scontrol show partition
quiet scontrol ping; quiet scontrol show config
quiet as scontrol update jobid=2 name=renamed; quiet as scontrol release 2
quiet as sbatch -H --wrap true; quiet as scancel -u "$user"
quiet as sacct; quiet sacct -a -o jobid,state,elapsed,maxrss; quiet sacctmgr show user
quiet sshare; quiet sprio
sleep 15  # idle reports and pings
cleanup
trap - EXIT
# callgrind writes its profile when the program exits: wait for all of them.
for _ in $(seq 120); do pgrep -f "valgrind.*$T" >/dev/null || break; sleep 1; done

out=$here/src/hot_text.ld
python3 "$here/scripts/hot_text.py" --maps "$build/bin" --real "$T/real" "$T"/out/* > "$out.new"
mv "$out.new" "$out"
cmake -S "$here" -B "$build" -DSLUICE_LINK_MAPS=OFF >/dev/null
rm -f "$build"/bin/*.map
[ -n "${HOT_TEXT_KEEP:-}" ] && echo "hot-text: kept $T" || rm -rf "$T"
echo "hot-text: wrote $out ($(grep -c '(' "$out") sections); rebuild to use it"
