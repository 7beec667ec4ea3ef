#!/usr/bin/env bash
# Nuvola beside a peer: PostGraphile 5 (Node 22, from bench/postgraphile) on the same
# PostgreSQL database, asked the same thing: a page of 50 projects filtered by state, each
# with its administration and call, and the total. wrk sends it from 32 keep-alive
# connections for 10 s (after 2 s of warm-up) to PostGraphile, to Nuvola with its public
# response cache off (every request runs its SQL) and with it on; it prints requests/s,
# latencies and Nuvola's ratio to PostGraphile.
#
#   scripts/bench-peer.sh            the demo data, in the database nuvola_bench_peer
#   scripts/bench-peer.sh --national the national data set the national bench seeded and kept
#                                    (cargo bench -p nuvola-server --bench national)
#   NUVOLA_BENCH_PEER_DATABASE=postgres://.../db scripts/bench-peer.sh
#                                    any database Nuvola has filled
#
# Needs: the release server (cargo build --release -p nuvola-server), wrk (Debian), npm.
# Settings: NUVOLA_BENCH_SECONDS (10), NUVOLA_BENCH_CLIENTS (32),
# NUVOLA_BENCH_POSTGRES (postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
seconds=${NUVOLA_BENCH_SECONDS:-10}
clients=${NUVOLA_BENCH_CLIENTS:-32}
admin=${NUVOLA_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}
nuvola=${NUVOLA_BIN:-target/release/nuvola}
[ -x "$nuvola" ] || { echo "bench-peer: build the server first: cargo build --release -p nuvola-server" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench-peer: wrk is missing (scripts/setup.sh --bench)" >&2; exit 1; }

if [ ! -x bench/postgraphile/node_modules/.bin/postgraphile ] \
  || [ bench/postgraphile/package-lock.json -nt bench/postgraphile/node_modules/.package-lock.json ]; then
  say "installing PostGraphile 5 and Node 22 (npm, once)"
  (cd bench/postgraphile && npm ci --no-audit --no-fund --loglevel=error)
fi
node_bin=$PWD/bench/postgraphile/node_modules/.bin

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
until_up() { # url [curl options...]
  local url=$1; shift
  for _ in $(seq 1 240); do
    curl -sf -o /dev/null "$@" "$url" && return 0
    sleep 0.5
  done
  echo "bench-peer: $url did not come up" >&2
  return 1
}

database=${NUVOLA_BENCH_PEER_DATABASE:-}
if [ "${1:-}" = --national ]; then
  # The newest national data set the national bench kept (nuvola_bench_national_<seed>_<n>).
  name=$(psql "$admin" -qtAc "SELECT datname FROM pg_database WHERE datname LIKE 'nuvola_bench_national\\_%' AND datname NOT LIKE '%\\_partial' ORDER BY datname DESC LIMIT 1")
  [ -n "$name" ] || { echo "bench-peer: no national data set yet: run cargo bench -p nuvola-server --bench national first" >&2; exit 1; }
  database="${admin%/*}/$name"
fi
demo=()
if [ -z "$database" ]; then
  database="${admin%/*}/nuvola_bench_peer"
  if ! psql "$database" -qtAc 'SELECT 1' >/dev/null 2>&1; then
    say "creating nuvola_bench_peer with the demo data"
    psql "$admin" -qc 'CREATE DATABASE nuvola_bench_peer'
  fi
  demo=(--demo)
fi

# Both sides reach PostgreSQL the same way: plain TCP on loopback, as PostGraphile's
# client (node-postgres) does by default. sqlx would otherwise negotiate TLS with a
# server that offers it (Debian's does), and the comparison would measure encryption.
case "$database" in
  *sslmode=*) ;;
  *\?*) database="$database&sslmode=disable" ;;
  *) database="$database?sslmode=disable" ;;
esac

say "starting Nuvola (cache on and cache off) and PostGraphile on $(echo "$database" | sed 's#//[^@]*@#//#')"
echo '<!doctype html><title>Nuvola</title>' > "$work/index.html"
cached_port=$(free_port)
"$nuvola" serve --database "$database" "${demo[@]}" --bind "127.0.0.1:$cached_port" \
  --static-dir "$work" --storage "$work/files" --rate-limit 0 --deadline-check-secs 0 \
  >"$work/cached.log" 2>&1 &
pids+=($!)
until_up "http://127.0.0.1:$cached_port/readyz"
uncached_port=$(free_port)
"$nuvola" serve --database "$database" --bind "127.0.0.1:$uncached_port" --no-response-cache \
  --static-dir "$work" --storage "$work/files" --rate-limit 0 --deadline-check-secs 0 \
  >"$work/uncached.log" 2>&1 &
pids+=($!)
until_up "http://127.0.0.1:$uncached_port/readyz"
peer_port=$(free_port)
GRAPHILE_ENV=production PATH="$node_bin:$PATH" postgraphile -c "$database" -s public \
  -P postgraphile/presets/amber -n 127.0.0.1 -p "$peer_port" >"$work/postgraphile.log" 2>&1 &
pids+=($!)
until_up "http://127.0.0.1:$peer_port/graphql" -X POST -H 'Content-Type: application/json' \
  -d '{"query":"{ __typename }"}' || { cat "$work/postgraphile.log"; exit 1; }
# Both sides have analyzed statistics, as autovacuum would give them within a minute.
psql "$database" -qc 'ANALYZE' >/dev/null

fields='cup amountEur state fundedOn'
nuvola_query="{ applications(first: 50, filter: {state: FUNDED}) { totalCount edges { node { $fields administration { ipaCode name type region } call { title } } } } }"
peer_query="{ allApplications(first: 50, condition: {state: \"FUNDED\"}) { totalCount nodes { $fields administrationByAdministrationId { ipaCode name typeCode region } callByCallId { title } } } }"

# The same answer from both, or the comparison means nothing.
body() { python3 -c 'import json, sys; print(json.dumps({"query": sys.argv[1]}))' "$1"; }
check() {
  curl -sf -X POST -H 'Content-Type: application/json' -d "$(body "$2")" "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)["data"]
page = d.get("applications") or d.get("allApplications")
rows = page.get("edges") or page.get("nodes")
assert len(rows) == 50, f"{len(rows)} rows"
print(page["totalCount"])'
}
total_nuvola=$(check "http://127.0.0.1:$uncached_port/graphql" "$nuvola_query")
total_peer=$(check "http://127.0.0.1:$peer_port/graphql" "$peer_query")
if [ "$total_nuvola" != "$total_peer" ]; then
  echo "bench-peer: the totals differ: Nuvola $total_nuvola, PostGraphile $total_peer" >&2
  exit 1
fi

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BENCH_BODY")
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.2f %.2f %.2f %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

measure() { # label url query
  BENCH_BODY=$(body "$3") wrk -t2 -c"$clients" --timeout 10s -d2s -s "$work/post.lua" "$2" >/dev/null
  BENCH_BODY=$(body "$3") wrk -t2 -c"$clients" --timeout 10s -d"${seconds}s" -s "$work/post.lua" "$2" | awk '/^RESULT/ { print $2, $3, $4, $5, $6 }'
}

say "measuring: $clients connections, ${seconds} s each, totalCount $total_nuvola"
read -r peer_rps peer_p50 peer_p99 peer_max peer_err < <(measure postgraphile "http://127.0.0.1:$peer_port/graphql" "$peer_query")
read -r unc_rps unc_p50 unc_p99 unc_max unc_err < <(measure uncached "http://127.0.0.1:$uncached_port/graphql" "$nuvola_query")
read -r hit_rps hit_p50 hit_p99 hit_max hit_err < <(measure cached "http://127.0.0.1:$cached_port/graphql" "$nuvola_query")
row() { printf '%-32s %8s req/s  p50 %7s ms  p99 %7s ms  max %8s ms  errors %s\n' "$@"; }
row "PostGraphile 5.1.5 (Node 22)" "$peer_rps" "$peer_p50" "$peer_p99" "$peer_max" "$peer_err"
row "Nuvola, response cache off" "$unc_rps" "$unc_p50" "$unc_p99" "$unc_max" "$unc_err"
row "Nuvola, response cache on" "$hit_rps" "$hit_p50" "$hit_p99" "$hit_max" "$hit_err"
python3 - "$peer_rps" "$unc_rps" "$hit_rps" <<'PY'
import sys
peer, uncached, cached = (float(x) for x in sys.argv[1:])
print(f"Nuvola / PostGraphile: {uncached / peer:.1f}x uncached, {cached / peer:.1f}x cached (target: at least 3x uncached)")
PY
