#!/usr/bin/env bash
# Builds the parsers' libFuzzer targets (CMake preset `fuzz`: clang, ASan + UBSan, no
# LibTorch) and runs each for FUZZ_SECONDS (default 20) from its committed seed corpus
# fuzz/corpus/<target>/ (docs/fuzzing.md). New inputs go to build/fuzz/corpus/<target>/;
# a crash, sanitizer report, leak, timeout or out-of-memory is saved to
# build/fuzz/findings/<target>/ and fails the run once every target has had its turn.
#   scripts/fuzz.sh              every target CI runs (make fuzz)
#   scripts/fuzz.sh png ply      some of them
#   FUZZ_SECONDS=3600 scripts/fuzz.sh png    one target, longer
#   scripts/fuzz.sh dataset_h5_bytes         raw HDF5 bytes: mostly libhdf5's own bugs, so
#                                            not in CI (docs/fuzzing.md)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-20}
JOBS=${JOBS:-$(nproc)}
CI_TARGETS=(scene_json mitsuba_xml ply obj nerf2_text nerf2_folder png dataset_h5 study
            run_config)
ALL=("${CI_TARGETS[@]}" dataset_h5_bytes)
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=("${CI_TARGETS[@]}")

say() { printf '[fuzz] %s\n' "$*"; }
for t in "${TARGETS[@]}"; do
  [[ " ${ALL[*]} " == *" $t "* ]] || { say "unknown target '$t'; targets: ${ALL[*]}"; exit 2; }
done
command -v clang++ >/dev/null || { say "clang++ not found: run scripts/setup.sh"; exit 2; }

[ -f build/fuzz/build.ninja ] || cmake --preset fuzz >/dev/null
start=$(date +%s)
cmake --build --preset fuzz -j "$JOBS"
say "built in $(($(date +%s) - start)) s"

# Parsers that read files get a work folder of their own; a RAM disk when there is one.
[ -d /dev/shm ] && [ -w /dev/shm ] && export TMPDIR=/dev/shm
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0}

failed=()
for t in "${TARGETS[@]}"; do
  work=build/fuzz/corpus/$t findings=build/fuzz/findings/$t
  mkdir -p "$work" "$findings"
  say "$t: ${SECONDS_EACH} s from fuzz/corpus/$t ($(ls fuzz/corpus/"$t" | wc -l) seeds)"
  log=build/fuzz/$t.log
  if build/fuzz/fuzz/fuzz_"$t" "$work" fuzz/corpus/"$t" -max_total_time="$SECONDS_EACH" \
      -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 \
      >"$log" 2>&1; then
    say "$t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs, no finding"
  else
    failed+=("$t")
    tail -n 60 "$log"
    say "$t: FINDING, reproducer in $findings/ (re-run: build/fuzz/fuzz/fuzz_$t FILE); log $log"
  fi
done
say "done in $(($(date +%s) - start)) s"
if ((${#failed[@]})); then
  say "findings in: ${failed[*]} — fix the parser and add the input as a regression test (docs/fuzzing.md)"
  exit 1
fi
