#!/usr/bin/env bash
# Builds the Leptos front end into frontend/dist, ready for `nuvola serve` to serve:
#   cargo (wasm32, size profile) -> wasm-bindgen (ES module) -> wasm-opt -Oz -> assets.
# Usage: scripts/build-frontend.sh [--dev]   (--dev: debug build, no wasm-opt; faster)
set -euo pipefail
cd "$(dirname "$0")/.."

profile=wasm-release
if [ "${1:-}" = "--dev" ]; then profile=dev; fi
profile_dir=$([ "$profile" = dev ] && echo debug || echo "$profile")

out=frontend/dist
target_dir=target/wasm   # its own target dir: the wasm feature set never invalidates the server's
assets=frontend/node_modules/bootstrap-italia/dist

cargo build -p frontend --target wasm32-unknown-unknown --profile "$profile" --target-dir "$target_dir"

staging=$(mktemp -d "${TMPDIR:-/tmp}/nuvola-dist.XXXXXX")
trap 'rm -rf "$staging"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$staging" \
  "$target_dir/wasm32-unknown-unknown/$profile_dir/nuvola-frontend.wasm"
mv "$staging/nuvola-frontend.js" "$staging/nuvola_frontend.js" 2>/dev/null || true
mv "$staging/nuvola-frontend_bg.wasm" "$staging/nuvola_frontend_bg.wasm" 2>/dev/null || true
# wasm-bindgen names files after the crate's binary; keep stable names whatever it chose.
sed -i 's/nuvola-frontend_bg\.wasm/nuvola_frontend_bg.wasm/g' "$staging/nuvola_frontend.js"

if [ "$profile" != dev ]; then
  # Debian's wasm-opt (108) emits modules Chromium rejects; binaryen 132 from npm works.
  frontend/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$staging/nuvola_frontend_bg.wasm" -o "$staging/nuvola_frontend_bg.opt.wasm"
  mv "$staging/nuvola_frontend_bg.opt.wasm" "$staging/nuvola_frontend_bg.wasm"
fi

mkdir -p "$staging/css" "$staging/svg"
cp "$assets/css/bootstrap-italia.min.css" "$staging/css/"
cp frontend/style/*.css "$staging/css/"
cp "$assets/svg/sprites.svg" "$staging/svg/"
mkdir -p "$staging/fonts/Titillium_Web" "$staging/fonts/Roboto_Mono"
cp "$assets"/fonts/Titillium_Web/*.woff2 "$assets/fonts/Titillium_Web/OFL.txt" "$staging/fonts/Titillium_Web/"
cp "$assets"/fonts/Roboto_Mono/*.woff2 "$staging/fonts/Roboto_Mono/"
cp frontend/index.html "$staging/"

# Swap the new build in whole, so a running server never serves half of one.
rm -rf "$out.old"
[ -d "$out" ] && mv "$out" "$out.old"
mv "$staging" "$out"
chmod 755 "$out"
rm -rf "$out.old"
trap - EXIT

raw=$(stat -c %s "$out/nuvola_frontend_bg.wasm")
gz=$(gzip -9 -c "$out/nuvola_frontend_bg.wasm" | wc -c)
printf 'front end (%s): %s: %d KB raw, %d KB gzip\n' "$profile" "$out/nuvola_frontend_bg.wasm" $((raw / 1024)) $((gz / 1024))
