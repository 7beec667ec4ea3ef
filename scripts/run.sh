#!/usr/bin/env bash
# The whole system on embedded SQLite, from a fresh clone: installs what the build needs,
# builds the wasm front end and the server (release), loads the bundled open data and the
# demo accounts into an empty database, and serves everything on one address.
#   scripts/run.sh [extra `nuvola serve` options, e.g. --bind 0.0.0.0:8080]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build-frontend.sh
cargo build --release -p nuvola-server
export NUVOLA_STATIC_DIR="$PWD/frontend/dist"
exec target/release/nuvola serve --demo "$@"
