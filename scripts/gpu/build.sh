#!/usr/bin/env bash
# Build radiofield with CUDA on a GPU machine that has torch 2.11.0+cu130, nvcc, CMake and
# Ninja but no package registry, and run the tests there.
#   1. on a machine with Debian's archive:  scripts/gpu/fetch-debs.sh   (fills .debs/)
#   2. copy the checkout and .debs/ to the GPU machine, then:  scripts/gpu/build.sh [ctest args]
# The .deb files are unpacked with dpkg -x into a private prefix (never into /).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${RADIOFIELD_GPU_BUILD:-$ROOT/build/gpu}
PYTHON=${PYTHON:-python3}

. scripts/gpu/env.sh  # the .debs prefix: PREFIX, LIBDIR, LD_LIBRARY_PATH
TORCH_PREFIX=$("$PYTHON" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')
echo "torch $("$PYTHON" -c 'import torch; print(torch.__version__, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU")')"

cmake -S "$ROOT" -B "$BUILD" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DRADIOFIELD_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 \
  -DCMAKE_PREFIX_PATH="$PREFIX/usr;$LIBDIR/cmake;$TORCH_PREFIX" \
  -DCMAKE_FIND_ROOT_PATH="$PREFIX" \
  -DRADIOFIELD_PYTHON="$(command -v "$PYTHON")"
# RADIOFIELD_GPU_TARGETS limits the build (e.g. "test_nn test_rt"); default: everything.
cmake --build "$BUILD" -j "$(nproc)" ${RADIOFIELD_GPU_TARGETS:+--target $RADIOFIELD_GPU_TARGETS}
[ ! -x "$BUILD/bin/radiofield" ] || "$BUILD/bin/radiofield" --version
ctest --test-dir "$BUILD" --output-on-failure -j 8 "$@"
