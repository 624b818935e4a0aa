#!/usr/bin/env bash
# Installs what Sluice needs to build and test on Debian 12, if missing.
set -euo pipefail
PKGS=(build-essential cmake ninja-build pkg-config
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
      libboost-dev libspdlog-dev libcli11-dev libgtest-dev libgmock-dev
      libsqlite3-dev libssl-dev munge libmunge-dev util-linux passwd procps tmux)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
