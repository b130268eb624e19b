#!/usr/bin/env bash
# Packs what the studies under out/studies/ have written so far — reports, tables, the
# evaluations' metrics, the runs' settings and the logs, no datasets or weights — into one
# archive small enough to copy off a GPU machine:
#   scripts/gpu/collect_reports.sh OUT.tar.gz
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -eq 1 ] || { echo "usage: $0 OUT.tar.gz" >&2; exit 2; }
files=$(find out/studies \( -name 'report.html' -o -name 'report.md' -o -name '*.log' \
  -o -path '*/evals/*.json' -o -path '*/runs/*/config.json' -o -path '*/runs/*/metrics.json' -o -path '*/runs/*/log.jsonl' \
  -o -path '*/figures/*' -o -path '*/evals/*.png' \) -type f 2>/dev/null | sort)
[ -n "$files" ] || { echo "nothing under out/studies yet" >&2; exit 1; }
tmp="$1.tmp-$$"
# Studies may still be writing: a file that changes while it is read is packed as it was.
echo "$files" | tar -czf "$tmp" --warning=no-file-changed -T - || [ $? -eq 1 ]
mv "$tmp" "$1"
echo "packed $(echo "$files" | wc -l) files into $1 ($(du -h "$1" | cut -f1))"
