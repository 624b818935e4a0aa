#!/usr/bin/env bash
# Packs what the GPU-labelled tests need onto a machine that has NVIDIA GPUs
# but not this project's Debian packages (the lent device machine): the
# commands, daemons and gpu_test (stripped), munged, and every shared
# library they use that is not part of glibc. scripts/device-gpu-run.sh
# unpacks it there. Usage: scripts/device-gpu-bundle.sh [OUTDIR=.devrun]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.devrun}
rm -rf "$out"
mkdir -p "$out/bin" "$out/test-bin" "$out/sbin" "$out/lib"
for f in build/bin/*; do
  case "$(basename "$f")" in sluice-bench-*|sluice-sim) ;; *) cp "$f" "$out/bin/" ;; esac
done
cp build/test-bin/gpu_test "$out/test-bin/"
cp /usr/sbin/munged "$out/sbin/"
strip --strip-debug "$out"/bin/* "$out"/test-bin/* 2>/dev/null || true
for f in "$out"/bin/* "$out"/test-bin/* "$out"/sbin/*; do
  { ldd "$f" 2>/dev/null || true; } | awk '/=> \//{print $3}'
done | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*|ld-linux*|libresolv.so*|libstdc++.so*|libgcc_s.so*) ;;
    *) cp -L "$lib" "$out/lib/" ;;
  esac
done
echo "$(pwd)/build" > "$out/build_dir"
# One compressed file: the commands are linked statically and would not fit
# the device tool's 64 MiB otherwise.
tar -C "$out" -cJf "$out.tar.xz" .
rm -rf "$out" && mkdir -p "$out" && mv "$out.tar.xz" "$out/bundle.tar.xz"
du -sh "$out"
