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
# Split the reserved areas' pages (`#[lazy_route]` in app.rs) out of the main module:
# the main module (what the public pages need) and one module per split point plus the
# chunks they share, loaded on demand by __wasm_split.js.
split="$staging/split"
wasm-split-cli --target web --out-name nuvola_frontend \
  "$target_dir/wasm32-unknown-unknown/$profile_dir/nuvola-frontend.wasm" "$split"
wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle \
  --out-dir "$staging" "$split/nuvola_frontend.wasm"
rm "$split/nuvola_frontend.wasm"
mv "$split"/*.wasm "$split/__wasm_split.js" "$staging/"
rmdir "$split"

if [ "$profile" != dev ]; then
  # Debian's wasm-opt (108) emits modules Chromium rejects; binaryen 132 from npm works.
  for wasm in "$staging"/*.wasm; do
    # (The split modules carry a name subsection binaryen does not know: it warns, harmlessly.)
    if ! log=$(frontend/node_modules/.bin/wasm-opt -Oz --strip-debug --enable-bulk-memory \
      --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
      --enable-reference-types --enable-multivalue "$wasm" -o "$wasm.opt" 2>&1); then
      echo "$log" >&2
      exit 1
    fi
    mv "$wasm.opt" "$wasm"
  done
fi

mkdir -p "$staging/css" "$staging/svg"
cp "$assets/css/bootstrap-italia.min.css" "$staging/css/"
cp frontend/style/*.css "$staging/css/"
cp "$assets/svg/sprites.svg" "$staging/svg/"
mkdir -p "$staging/fonts/Titillium_Web" "$staging/fonts/Roboto_Mono"
cp "$assets"/fonts/Titillium_Web/*.woff2 "$assets/fonts/Titillium_Web/OFL.txt" "$staging/fonts/Titillium_Web/"
cp "$assets"/fonts/Roboto_Mono/*.woff2 "$staging/fonts/Roboto_Mono/"
cp frontend/index.html frontend/boot.js "$staging/"
# GraphiQL for GET /graphql in development, from its npm packages (no CDN).
mkdir -p "$staging/graphiql"
cp frontend/graphiql/* "$staging/graphiql/"
cp frontend/node_modules/graphiql/graphiql.min.js frontend/node_modules/graphiql/graphiql.min.css \
  frontend/node_modules/react/umd/react.production.min.js \
  frontend/node_modules/react-dom/umd/react-dom.production.min.js "$staging/graphiql/"

# Swap the new build in whole, so a running server never serves half of one.
rm -rf "$out.old"
[ -d "$out" ] && mv "$out" "$out.old"
mv "$staging" "$out"
chmod 755 "$out"
rm -rf "$out.old"
trap - EXIT

echo "front end ($profile) built into $out"
scripts/wasm-size.sh
