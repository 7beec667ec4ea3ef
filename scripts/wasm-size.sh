#!/usr/bin/env bash
# Reports the release wasm's size against its target (400 KB gzip); scripts/build-frontend.sh
# runs it after every build. Prints OVER when the target is missed.
#
# The budget applies to the main module, which every page loads before it is interactive;
# the reserved areas' pages are split out of it and loaded on demand (their total is
# reported beside it).
set -euo pipefail
cd "$(dirname "$0")/.."
dist=frontend/dist
main=$dist/nuvola_frontend_bg.wasm
raw=$(stat -c %s "$main")
gz=$(gzip -9 -c "$main" | wc -c)
lazy_gz=0
lazy_count=0
for f in "$dist"/*.wasm; do
  [ "$f" = "$main" ] && continue
  lazy_gz=$((lazy_gz + $(gzip -9 -c "$f" | wc -c)))
  lazy_count=$((lazy_count + 1))
done
target=$((400 * 1024))
verdict=$([ "$gz" -le "$target" ] && echo "within" || echo "OVER")
printf 'wasm size: main module %d KB raw, %d KB gzip; target 400 KB gzip: %s\n' $((raw / 1024)) $((gz / 1024)) "$verdict"
printf 'wasm size: %d modules loaded on demand by the reserved areas, %d KB gzip in all\n' "$lazy_count" $((lazy_gz / 1024))
