# The two commands of the README, plus a few conveniences. The scripts do the work.
.PHONY: run run-oidc test bench frontend

## Build and run the whole system (server, SPA, demo data on embedded SQLite).
run:
	scripts/run.sh

## The same, with the local test OpenID Provider: "Entra con SPID" logs in through it.
run-oidc:
	scripts/run.sh --oidc

## Every check: formatting, lints, wasm size, tests on SQLite and PostgreSQL, browser suite.
test:
	scripts/test.sh

## Benchmarks: import speed, API latency and the outbox (deliveries per second, change to
## webhook) on SQLite and PostgreSQL, the figures of the national data set (seeded once
## per database and kept), wasm size, first page interactive in Chromium, the page of a
## supplier with 5,000 projects first drawn; the fault test (replicas behind HAProxy, one
## killed, PostgreSQL restarted under load); Nuvola beside PostGraphile 5 on the same
## query, on the demo data and on the national data set.
bench:
	scripts/setup.sh --browser --postgres --bench
	cargo bench -p nuvola-server --bench import
	cargo bench -p nuvola-server --bench api
	cargo bench -p nuvola-server --bench outbox
	cargo bench -p nuvola-server --bench national
	scripts/build-frontend.sh
	cargo build --release -p nuvola-server
	cargo bench -p nuvola-e2e --bench first_page
	cargo bench -p nuvola-e2e --bench supplier_page
	cargo bench -p nuvola-server --bench faults
	scripts/bench-peer.sh
	scripts/bench-peer.sh --national

## Only the front end, into frontend/dist (release; `scripts/build-frontend.sh --dev` is faster).
frontend:
	scripts/setup.sh
	scripts/build-frontend.sh
