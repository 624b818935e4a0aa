# Shared steps of the bench scripts that run on a sluice-local cluster
# (sourced; run from the repository root).

# fresh_local_filled ARGS...: a fresh sluice-local cluster whose job store
# sluice-bench-acct-fill first fills with ARGS (after the store's path);
# leaves it up with SLURM_CONF and STATE exported.
fresh_local_filled() {
  build/bin/sluice-local down >/dev/null 2>&1 || true
  rm -rf /tmp/sluice-local-0
  build/bin/sluice-local up >/dev/null
  export SLURM_CONF=/tmp/sluice-local-0/slurm.conf
  STATE=$(sed -n 's/^StateSaveLocation=//p' "$SLURM_CONF")
  export STATE
  build/bin/sluice-local down >/dev/null
  build/bin/sluice-bench-acct-fill "$STATE/sluice-jobs.db" "$@" >/dev/null
  build/bin/sluice-local up >/dev/null
}

# alternate_ctlds MEASURE [BEFORE]: runs MEASURE once, or with CTLD_A and
# CTLD_B (two sluice-ctld builds; copies, since build/bin/sluice-ctld itself
# is replaced meanwhile) restarts the cluster on each in turn (running
# BEFORE, if given, before each restart), PAIRS (default 2) rounds,
# printing "A ..." and "B ..." lines; then stops the cluster and puts the
# build's own controller back. UP (an array, if set) holds extra
# arguments for `sluice-local up`.
alternate_ctlds() {
  local measure=$1 before=${2:-}
  [ -n "${UP+set}" ] || local UP=()
  if [ -z "${CTLD_A:-}" ]; then
    "$measure"
  else
    local keep v b
    keep=$(mktemp)
    cp build/bin/sluice-ctld "$keep"
    for _ in $(seq "${PAIRS:-2}"); do
      for v in A B; do
        b=CTLD_$v
        [ -z "$before" ] || "$before"
        build/bin/sluice-local down >/dev/null 2>&1
        install -m 755 "${!b}" build/bin/sluice-ctld  # (a new file: the old may still run)
        build/bin/sluice-local up "${UP[@]}" >/dev/null
        echo "$v $("$measure")"
      done
    done
    build/bin/sluice-local down >/dev/null
    install -m 755 "$keep" build/bin/sluice-ctld
    rm -f "$keep"
    return
  fi
  build/bin/sluice-local down >/dev/null
}
