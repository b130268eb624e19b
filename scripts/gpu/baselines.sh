#!/usr/bin/env bash
# Baselines on the meeting room (single scene, 80/10/10 split), GPU ("full") profile:
# simulate the dataset, train KNN, KNN-DL and NeRF2, evaluate each on the test split.
# Run after scripts/gpu/build.sh on the GPU machine:  scripts/gpu/baselines.sh [OUT]
# CPU ("quick") profile: PROFILE=quick scripts/gpu/baselines.sh with build/cpu/bin/radiofield.
set -euo pipefail
OUT=${1:-out/baselines}
BIN=${RADIOFIELD:-build/gpu/bin/radiofield}
PROFILE=${PROFILE:-full}
mkdir -p "$OUT"
# NeRF2 trains with the public Adam (8e-4, weight decay 5e-5, cosine); its batch is 8,192
# rays on the GPU and 1,024 on the CPU (where one 8,192-ray step takes seconds).
if [ "$PROFILE" = full ]; then
  COUNT=3000; SAMPLES=200000; KNN_DL_STEPS=1000; NERF2_STEPS=${NERF2_STEPS:-5000}; NERF2_BATCH=8192; DEVICE=${DEVICE:-cuda}
else
  COUNT=400; SAMPLES=50000; KNN_DL_STEPS=200; NERF2_STEPS=${NERF2_STEPS:-300}; NERF2_BATCH=1024; DEVICE=${DEVICE:-cpu}
fi
# SPECTRUM=bartlett_power|nerf2|physical picks the spectrum convention (docs/conventions.md);
# unset: simulate's default, NeRF2's for the meeting room at 915 MHz.
SPECTRUM=${SPECTRUM:-}
DATA="$OUT/meeting_room_v1_915MHz${SPECTRUM:+_$SPECTRUM}.h5"
[ -f "$DATA" ] || "$BIN" -q simulate --scene meeting_room_v1 --frequency 915MHz \
  --count "$COUNT" --samples "$SAMPLES" --seed 1 ${SPECTRUM:+--spectrum "$SPECTRUM"} --out "$DATA"

train_eval() {  # name model train-args...
  local name=$1 model=$2; shift 2
  local start=$(date +%s)
  "$BIN" -q --device "$DEVICE" train --model "$model" --data "$DATA" --out "$OUT/$name" --restart "$@" >/dev/null
  local trained=$(( $(date +%s) - start ))
  "$BIN" -q --device "$DEVICE" eval --run "$OUT/$name" --data "$DATA" --report "$OUT/$name.html" --overwrite | tail -n 8
  echo "$name: trained in ${trained} s"
}
train_eval knn knn --set k=8
train_eval knn_dl knn_dl --steps "$KNN_DL_STEPS" --set k=8
train_eval nerf2 nerf2 --steps "$NERF2_STEPS" --set batch="$NERF2_BATCH" ${NERF2_SETTINGS:-}
