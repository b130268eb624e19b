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
  "$BIN" scene render "$s" --out "$OUT/$s.png"
done

printf '\nDone. Pictures are in %s/\n' "$OUT"
