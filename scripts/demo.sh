#!/usr/bin/env bash
# The main job on built-in defaults: what radiofield can do today, end to end, on a CPU.
# Outputs go to out/demo/ (pictures to look at).
set -euo pipefail
BIN=${1:-build/cpu/bin/radiofield}
OUT=${RADIOFIELD_DEMO_OUT:-out/demo}
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

step "radiofield --version"
"$BIN" --version

step "Built-in scenes"
"$BIN" scene list

step "The GRaF meeting room, variant 1"
"$BIN" scene show meeting_room_v1

step "Top views (coloured by material)"
for s in meeting_room_v1 office_v1 lobby campus_b; do
  "$BIN" scene render "$s" --out "$OUT/$s.png" --overwrite
done

step "Ray-traced ground truth: RFID-like spectra at 915 MHz in the meeting room"
# The reader array hangs on the west wall; tags (transmitters) are placed at random. The
# spectra follow NeRF2's convention (simulate's default for an RFID-like room at 915 MHz).
"$BIN" simulate --scene meeting_room_v1 --frequency 915MHz --count 300 \
  --samples 50000 --seed 1 --out "$OUT/meeting_room_v1.h5" --overwrite

step "The dataset: summary and a few spectra"
"$BIN" show "$OUT/meeting_room_v1.h5" --images 3 --out-dir "$OUT"

step "Baseline: KNN (GRaF's interpolation) fitted on the train split, evaluated on the test split"
rm -rf "$OUT/knn"
"$BIN" train --model knn --data "$OUT/meeting_room_v1.h5" --out "$OUT/knn"
"$BIN" eval --run "$OUT/knn" --data "$OUT/meeting_room_v1.h5" --report "$OUT/knn_report.html" --overwrite

printf '\nDone. Pictures are in %s/ (open knn_report.html in a browser)\n' "$OUT"
