#!/usr/bin/env bash
# Installs what radiofield needs and is missing; a second run only checks.
#  - Debian packages (apt-get; sudo when not root)
#  - LibTorch from PyPI's torch==2.11.0, in a virtual environment cached outside the
#    checkout: ${RADIOFIELD_CACHE:-~/.cache/radiofield}/venv
set -euo pipefail

CACHE="${RADIOFIELD_CACHE:-$HOME/.cache/radiofield}"
TORCH_VERSION="2.11.0"
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config python3-venv clang-format
  clang libclang-rt-dev  # make fuzz: clang 14 with libFuzzer and the sanitizer runtimes
  libembree-dev libtbb-dev libhdf5-dev nlohmann-json3-dev libcli11-dev libspdlog-dev
  libfmt-dev libstb-dev libpng-dev libnanoflann-dev libpugixml-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)

say() { printf '[setup] %s\n' "$*"; }

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  say "Debian packages present"
fi

PY="$CACHE/venv/bin/python"
if [ -x "$PY" ] && "$PY" -c "import torch, sys; sys.exit(0 if torch.__version__.split('+')[0] == '$TORCH_VERSION' else 1)" 2>/dev/null; then
  say "LibTorch (torch $TORCH_VERSION) present in $CACHE/venv"
else
  say "installing torch==$TORCH_VERSION into $CACHE/venv (once; several GB)"
  mkdir -p "$CACHE"
  python3 -m venv "$CACHE/venv"
  "$PY" -m pip install -q --upgrade pip
  "$PY" -m pip install -q "torch==$TORCH_VERSION"
fi
mkdir -p "$CACHE/ccache"
