#!/usr/bin/env bash
# The datasets the models train on, made by the physics ray tracer (`radiofield simulate`).
#   scripts/datasets.sh quick [OUT]   CPU-sized: minutes on 2 cores (the demo and CPU runs)
#   scripts/datasets.sh full  [OUT]   paper-sized: thousands of positions per scene (a many-core
#                                     or GPU machine; hours on 2 cores)
# Existing files are kept (delete one to remake it). Output folder default: data/.
set -euo pipefail
PROFILE=${1:-quick}
OUT=${2:-data}
BIN=${RADIOFIELD:-build/cpu/bin/radiofield}
mkdir -p "$OUT"

case "$PROFILE" in
  quick) N_ROOM=400; N_FREQ=200; N_LOBBY=200; N_OUT=100; N_PRE=200; SAMPLES=50000; ROOMS="meeting_room_v1" ;;
  full)  N_ROOM=3000; N_FREQ=3000; N_LOBBY=800; N_OUT=1000; N_PRE=5000; SAMPLES=1000000
         ROOMS="meeting_room_v1 meeting_room_v2 meeting_room_v3 office_v1 office_v2 office_v3" ;;
  *) echo "usage: $0 quick|full [OUT]" >&2; exit 2 ;;
esac

sim() {  # sim OUTFILE ARGS...
  local out=$1; shift
  if [ -f "$out" ]; then echo "keep $out"; return; fi
  echo "make $out"
  "$BIN" simulate --out "$out" "$@"
}

# GRaF / NeRF2 / KNN: RFID-like spectra, reader array fixed near a wall, tags moving. At
# 915 MHz simulate's default spectrum convention here is NeRF2's (`nerf2`: phase-only Bartlett
# amplitude, min-max, as its public PNGs); the 2.4/5.8 GHz sets below default to
# `bartlett_power` (docs/conventions.md, "Spectrum conventions").
# 915 MHz, the rooms' own frequency, lies below the 1 GHz lower edge of concrete and
# plasterboard in ITU-R P.2040: simulate uses their 1 GHz band there by itself (one warning;
# the dataset lists them in attrs "extrapolated_materials"), docs/materials.md.
for s in $ROOMS; do
  sim "$OUT/${s}_915MHz.h5" --scene "$s" --frequency 915MHz --count "$N_ROOM" --samples "$SAMPLES"
done
# Frequency adaptation study (every material of the rooms is in range at these bands).
for f in 2.412GHz 5.805GHz; do
  for s in ${ROOMS%% *}; do
    sim "$OUT/${s}_${f}.h5" --scene "$s" --frequency "$f" --count "$N_FREQ" --samples "$SAMPLES"
  done
done
# RF-3DGS+: THz lobby, one fixed transmitter, receivers over the floor, diffuse scattering on.
sim "$OUT/lobby_300GHz.h5" --scene lobby --moving rx --count "$N_LOBBY" --z-range 1.0,1.6 \
  --max-depth 2 --diffuse --samples "$SAMPLES"
# GeNeRT: outdoor CIRs, receivers 2–20 m high, three humidity variants.
for h in dry medium wet; do
  sim "$OUT/campus_b_${h}_cir.h5" --scene "campus_b_${h}" --kind cir --moving rx --count "$N_OUT" \
    --z-range 2,20 --samples "$SAMPLES"
done
# GeNeRT pre-training: single reflections; over the ground H polarisation is TE and V is TM
# (every interaction also stores both exact TE/TM coefficients).
sim "$OUT/campus_b_single_te.h5" --scene campus_b --kind cir --moving rx --count "$N_PRE" \
  --z-range 2,20 --max-depth 1 --no-los --polarization H --samples "$SAMPLES"
sim "$OUT/campus_b_single_tm.h5" --scene campus_b --kind cir --moving rx --count "$N_PRE" \
  --z-range 2,20 --max-depth 1 --no-los --polarization V --samples "$SAMPLES"
echo "datasets in $OUT/"
