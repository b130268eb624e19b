#!/usr/bin/env bash
# NeRF2's test quality in fp32 and with TF32 matmuls, two seeds each, on the baselines'
# meeting-room dataset (run scripts/gpu/baselines.sh first, or give DATA=file.h5):
#   scripts/gpu/nerf2_precision.sh [OUT]        (STEPS=5000 by default: where NeRF2 stops improving)
# Prints one line per run: precision, seed, training seconds, then the eval summary.
set -euo pipefail
OUT=${1:-out/baselines}
BIN=${RADIOFIELD:-build/gpu/bin/radiofield}
DATA=${DATA:-$OUT/meeting_room_v1_915MHz.h5}
STEPS=${STEPS:-5000}
SEEDS=${SEEDS:-"0 1"}
PRECISIONS=${PRECISIONS:-"fp32 tf32"}
[ -f "$DATA" ] || { echo "no dataset $DATA: run scripts/gpu/baselines.sh first or set DATA" >&2; exit 2; }
for precision in $PRECISIONS; do
  for seed in $SEEDS; do
    run="$OUT/nerf2_${precision}_s$seed"
    tf32=false; [ "$precision" = tf32 ] && tf32=true
    start=$(date +%s)
    "$BIN" -q --device cuda train --model nerf2 --data "$DATA" --out "$run" --restart --steps "$STEPS" \
      --set seed="$seed" --set batch=8192 --set tf32=$tf32 >/dev/null
    trained=$(( $(date +%s) - start ))
    echo "== nerf2 $precision seed $seed: $STEPS steps in $trained s"
    "$BIN" -q --device cuda eval --run "$run" --data "$DATA" --report "$run.html" --overwrite | tail -n 8
  done
done
