#!/usr/bin/env bash
# Every study at both sizes on one GPU machine at once: the full profile on the GPUs (a queue
# per GPU, studies dealt round robin) and the quick profile on CPU cores the GPU queues leave
# alone (two queues, --device cpu), so the CPU tables come from the same commit and run.
#   scripts/gpu/all_studies.sh [STUDY.json...]          (default: studies/*.json)
# GPU_IDS (e.g. "1") limits the GPUs used (default: all); PROFILES ("full", "quick" or both,
# the default) which sizes run.
# Uses build/gpu/bin/radiofield (scripts/gpu/build.sh) or $RADIOFIELD. Outputs under
# out/studies/<name>/<profile>/; a log per study and profile in out/studies/.
# `scripts/gpu/collect_reports.sh FILE.tar.gz` packs the reports and tables afterwards.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${RADIOFIELD:-build/gpu/bin/radiofield}
. scripts/gpu/env.sh
[ $# -gt 0 ] || set -- studies/*.json
mkdir -p out
cp "$BIN" out/radiofield-studies  # a copy: a rebuild while the studies run leaves them alone
BIN=out/radiofield-studies
GPU_IDS=(${GPU_IDS:-$(seq 0 $(($(nvidia-smi -L 2>/dev/null | wc -l) - 1)))})
GPUS=${#GPU_IDS[@]}
PROFILES=${PROFILES:-full quick}
CORES=$(nproc)
mkdir -p out/studies

# Cores: the first half feeds the GPU queues (simulation, data, launches), the second half
# is split between the two CPU queues.
half=$((CORES / 2))
gpu_cores="0-$((half - 1))"
cpu_a="$half-$((half + half / 2 - 1))"
cpu_b="$((half + half / 2))-$((CORES - 1))"

run_queue() {  # run_queue DEVICE CORES PROFILE STUDY...
  local device=$1 cores=$2 profile=$3 study name
  shift 3
  for study in "$@"; do
    name=$(basename "$study" .json)
    echo "$(date +%T) start $name ($profile, $device, cores $cores)"
    if [ "$device" = cpu ]; then
      taskset -c "$cores" "$BIN" -q --device cpu study "$study" --profile "$profile" \
        >"out/studies/$name.$profile.log" 2>&1
    else
      CUDA_VISIBLE_DEVICES=$device taskset -c "$cores" "$BIN" -q --device cuda study "$study" \
        --profile "$profile" >"out/studies/$name.$profile.log" 2>&1
    fi
    echo "$(date +%T) done $name ($profile): exit $?"
  done
}

pids=()
if [ "$GPUS" -gt 0 ] && [[ " $PROFILES " == *" full "* ]]; then
  for ((g = 0; g < GPUS; ++g)); do
    queue=()
    for ((i = g; i < $#; i += GPUS)); do
      queue+=("${@:i+1:1}")
    done
    [ ${#queue[@]} -gt 0 ] && { run_queue "${GPU_IDS[g]}" "$gpu_cores" full "${queue[@]}" & pids+=($!); }
  done
fi
a=() b=()
for ((i = 0; i < $#; ++i)); do
  if ((i % 2 == 0)); then a+=("${@:i+1:1}"); else b+=("${@:i+1:1}"); fi
done
if [[ " $PROFILES " == *" quick "* ]]; then
  run_queue cpu "$cpu_a" quick "${a[@]}" &
  pids+=($!)
  [ ${#b[@]} -gt 0 ] && { run_queue cpu "$cpu_b" quick "${b[@]}" & pids+=($!); }
fi
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
