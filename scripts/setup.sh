#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine with the .NET 10 SDK lacks for Kindling, then restores.
# Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(dataset-fashion-mnist   # Fashion-MNIST, the default data set (IDX files under /usr/share/datasets)
  openmpi-bin libopenmpi-dev)      # Open MPI: mpirun and libmpi.so.40 for data-parallel training (docs/distributed.md)
# Debian's PyTorch for the PyTorch interop test (export/import compared with torchvision's models): on CI, or asked for.
if [ "${CI:-}" = "true" ] || [ "${1:-}" = "--with-pytorch" ]; then
  packages+=(python3-torch python3-torchvision python3-scipy)   # scipy: the FID fixture's reference sqrtm
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
dotnet restore Kindling.slnx --verbosity quiet
