#!/usr/bin/env bash
# Makes the shipped pretrained GRaF: runs studies/graf_pretrain.json (full profile on a GPU
# unless PROFILE=quick) and packs its pretrained run as graf-pretrained with the study and
# the commit it came from:
#   scripts/gpu/pretrain_graf.sh [OUT]      (default pretrained/graf-pretrained)
# Uses build/gpu/bin/radiofield (scripts/gpu/build.sh) or $RADIOFIELD.
set -euo pipefail
cd "$(dirname "$0")/../.."
PROFILE=${PROFILE:-full}
BIN=${RADIOFIELD:-build/gpu/bin/radiofield}
OUT=${1:-pretrained/graf-pretrained}
[ -f scripts/gpu/env.sh ] && [ -d .debs ] && . scripts/gpu/env.sh
device=cuda
[ "$PROFILE" = quick ] && device=cpu
start=$(date +%s)
mkdir -p out
"$BIN" --device "$device" study studies/graf_pretrain.json --profile "$PROFILE"
# COMMIT names the source when the checkout has no .git (a copied tree).
commit=${COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}
"$BIN" pack-model "out/studies/graf_pretrain/$PROFILE/runs/pretrained" --name graf-pretrained \
  --out "$OUT" --overwrite --weights-dtype float16 --study studies/graf_pretrain.json --commit "$commit" \
  --description "GRaF pretrained on random meeting rooms, offices and labs at 915 MHz ($PROFILE profile)"
du -sh "$OUT"/*
echo "study + packing: $(( $(date +%s) - start )) s; report: out/studies/graf_pretrain/$PROFILE/report.html"
