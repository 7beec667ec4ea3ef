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
# What the first visit of each area fetches: its split module and the chunks it shares
# with other areas (the dependency lists of the loaders in __wasm_split.js).
loader=$dist/__wasm_split.js
if [ -f "$loader" ]; then
  awk '/^export const __wasm_split_load_/ { sub(/^export const __wasm_split_load_/, ""); sub(/ .*/, ""); area = $0; next }
       area != "" && /^, \[/ { gsub(/[^0-9,]/, ""); print area, $0; area = "" }' "$loader" |
    while read -r area chunks; do
      files=("$dist/split_$area.wasm")
      for n in ${chunks//,/ }; do files+=("$dist/chunk_$n.wasm"); done
      gz=0
      for f in "${files[@]}"; do gz=$((gz + $(gzip -9 -c "$f" | wc -c))); done
      printf 'wasm size:   %-15s first visit fetches %2d files, %d KB gzip\n' "$area" "${#files[@]}" $((gz / 1024))
    done
fi
