#!/usr/bin/env bash
# Runs studies on a GPU machine, one per GPU at a time (round robin), each in its own process
# (a single study uses every GPU, its runs side by side spread over them):
#   scripts/gpu/studies.sh [PROFILE] STUDY.json...      (PROFILE default full)
# Uses build/gpu/bin/radiofield (scripts/gpu/build.sh) or $RADIOFIELD; outputs under
# out/studies/<name>/<profile>/ as `radiofield study` writes them; a log per study beside.
# JOBS=N trains N runs of each study side by side on its GPU (`radiofield study --jobs N`);
# PER_GPU=M runs M studies at once per GPU (their runs share it too).
# TIME_LIMIT=T (seconds, or 90m, 2h) stops each study after T with a partial report of what
# is finished (`radiofield study --time-limit`); the same command again goes on.
# RUNS=PATTERN,... makes only the matching runs (`radiofield study --runs`).
set -euo pipefail
cd "$(dirname "$0")/../.."
PROFILE=full
case "${1:-}" in quick|full) PROFILE=$1; shift ;; esac
[ $# -gt 0 ] || { echo "usage: $0 [quick|full] STUDY.json..." >&2; exit 2; }
BIN=${RADIOFIELD:-build/gpu/bin/radiofield}
. scripts/gpu/env.sh
GPUS=$(nvidia-smi -L 2>/dev/null | wc -l)
[ "$GPUS" -gt 0 ] || GPUS=1
mkdir -p out/studies
declare -a queue=("$@")
declare -A busy=()
pids=()
i=0
# PER_GPU=N runs N studies at once on each GPU (each with its own --jobs).
SLOTS=$((GPUS * ${PER_GPU:-1}))
for study in "${queue[@]}"; do
  slot=$((i % SLOTS)); gpu=$((slot % GPUS)); i=$((i + 1))
  # Wait for this slot's previous study.
  if [ -n "${busy[$slot]:-}" ]; then wait "${busy[$slot]}" || true; fi
  name=$(basename "$study" .json)
  # One study alone sees every GPU: its runs side by side (--jobs) are spread over them.
  visible=$gpu
  if [ ${#queue[@]} -eq 1 ]; then visible=${CUDA_VISIBLE_DEVICES-$(seq -s, 0 $((GPUS - 1)))}; fi
  echo "GPU $visible: $name ($PROFILE)"
  CUDA_VISIBLE_DEVICES=$visible "$BIN" --device cuda study "$study" --profile "$PROFILE" \
    --jobs "${JOBS:-1}" ${TIME_LIMIT:+--time-limit "$TIME_LIMIT"} ${RUNS:+--runs "$RUNS"} \
    > "out/studies/$name.$PROFILE.log" 2>&1 &
  busy[$slot]=$!
  pids+=($!)
done
status=0
# 75: stopped at the time limit with a partial report (not a failure).
for p in "${pids[@]}"; do
  rc=0; wait "$p" || rc=$?
  [ "$rc" -eq 0 ] || [ "$rc" -eq 75 ] || status=1
done
for study in "${queue[@]}"; do
  name=$(basename "$study" .json)
  tail -n 3 "out/studies/$name.$PROFILE.log"
done
exit $status
