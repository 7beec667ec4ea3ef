#!/usr/bin/env bash
# Reports the release wasm's size against its target (400 KB gzip). Run after
# scripts/build-frontend.sh; prints OVER when the target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
wasm=frontend/dist/nuvola_frontend_bg.wasm
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
target=$((400 * 1024))
verdict=$([ "$gz" -le "$target" ] && echo "within" || echo "OVER")
printf 'wasm size: %d KB raw, %d KB gzip; target 400 KB gzip: %s\n' $((raw / 1024)) $((gz / 1024)) "$verdict"
