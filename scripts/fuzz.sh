#!/usr/bin/env bash
# Fuzzes the GraphQL endpoint with schemathesis (property-based, from the introspected
# schema): every query and mutation with generated arguments, as PUBLIC. Passes when no
# answer is a 5xx and none leaks internal detail (scripts/fuzz/hooks.py).
#   scripts/fuzz.sh [max examples per operation, default 40]
set -euo pipefail
cd "$(dirname "$0")/.."

examples=${1:-40}
bin=${NUVOLA_BIN:-target/debug/nuvola}
[ -x "$bin" ] || cargo build -p nuvola-server
schemathesis_version=4.32.5
if ! st --version 2>/dev/null | grep -q "$schemathesis_version"; then
  pip install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/nuvola-fuzz.XXXXXX")
log="$work/server.log"
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A free port: let the kernel choose, the server prints it.
RUST_LOG=warn NUVOLA_RATE_LIMIT=0 "$bin" serve --demo --database "sqlite://$work/fuzz.db?mode=rwc" \
  --bind 127.0.0.1:0 --static-dir "$work" >"$log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 120); do
  url=$(sed -n 's|^Nuvola is listening on \(http://[^ ]*\)/$|\1|p' "$log")
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.5
done
[ -n "$url" ] || { echo "fuzz: the server did not start" >&2; cat "$log"; exit 1; }

PYTHONPATH=scripts/fuzz SCHEMATHESIS_HOOKS=hooks st run "$url/graphql" \
  --checks no_server_failure,no_internal_detail,resolver_errors_have_a_stable_code \
  --max-examples "$examples" --seed 2026 --no-color
if grep -q "panicked" "$log"; then
  echo "fuzz: the server panicked" >&2
  grep -A5 panicked "$log" >&2
  exit 1
fi
