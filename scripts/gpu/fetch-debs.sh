#!/usr/bin/env bash
# Run on a machine with Debian's package archive (this project's development machines):
# downloads the .deb files a GPU machine without a package registry needs to build
# radiofield, into .debs/ (ignored by git). Carry that folder to the GPU machine and run
# scripts/gpu/build.sh there.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEST=.debs
mkdir -p "$DEST"

# Headers and CMake configs, then the runtime libraries they link against (and those
# libraries' own dependencies that a CUDA/PyTorch base image may not carry).
PACKAGES=(
  libembree-dev libembree3-3 libtbb-dev libtbb12 libtbbmalloc2 libtbbbind-2-5
  libhdf5-dev libhdf5-103-1 libsz2 libaec0 libcurl4 libnghttp2-14 libpsl5 librtmp1 libssh2-1
  libldap-2.5-0 libsasl2-2 libbrotli1 libgssapi-krb5-2 libkrb5-3 libk5crypto3 libkrb5support0
  libkeyutils1 libssl3 libssl-dev libidn2-0 libunistring2 libgnutls30 libhogweed6 libnettle8 libtasn1-6
  libp11-kit0 libffi8 libgmp10 libzstd1
  nlohmann-json3-dev libcli11-dev libspdlog-dev libspdlog1.10 libfmt-dev libfmt9
  libstb-dev libstb0 libpng-dev libpng16-16 zlib1g-dev libnanoflann-dev libpugixml-dev
  libpugixml1v5
  libgtest-dev libgmock-dev googletest
  libbenchmark-dev libbenchmark1debian
)
if [ -z "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v lock)" ]; then apt-get update -qq; fi
(cd "$DEST" && apt-get download -qq "${PACKAGES[@]}")
du -sh "$DEST"
echo "downloaded $(ls "$DEST"/*.deb | wc -l) packages into $DEST/"
