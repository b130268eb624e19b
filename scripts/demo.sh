#!/usr/bin/env bash
# The main job on built-in defaults: GRaF synthesising spectra in a room it never trained on,
# against KNN, KNN-DL and NeRF2, and beside it the shipped pretrained GRaF (graf-pretrained,
# trained once on 300 random rooms, no training here) — the unseen-scene study at its CPU
# size (about 8 minutes on two cores). Outputs go to out/demo/: the study's report.html (tables, spectra side by side)
# and its datasets, runs and evaluations; a second run reuses what the first made.
set -euo pipefail
BIN=${1:-build/cpu/bin/radiofield}
OUT=${RADIOFIELD_DEMO_OUT:-out/demo}
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

step "radiofield --version"
"$BIN" --version

step "The rooms: meeting room v1 and v3 (other furniture), top views coloured by material"
for s in meeting_room_v1 meeting_room_v3; do
  "$BIN" scene render "$s" --out "$OUT/$s.png" --overwrite
done

step "GRaF in a scene it never saw (studies/graf_unseen_scene.json, quick profile)"
# Ray-traced RFID-like spectra at 915 MHz in meeting rooms v1, v2 and v3 (400 positions each);
# KNN, KNN-DL, NeRF2 and GRaF learn from v1 + v2 and are tested on v3's test positions,
# GRaF, KNN and KNN-DL conditioning on v3's measured training split. The pretrained GRaF
# conditions on the same split with no training at all.
"$BIN" study studies/graf_unseen_scene.json --profile quick --out "$OUT/graf_unseen_scene" \
  | tee "$OUT/study.txt"

report=$(sed -n 's/^report: //p' "$OUT/study.txt" | tail -n 1)
step "Results (test split of meeting_room_v3)"
sed -n '/^## Unseen scene/,/^PSNR/p' "${report%.html}.md" | grep '^|' || true
printf '\nDone. Open %s in a browser (tables and spectra side by side).\n' "$report"
