//! The integration tests of the server: one binary, every test against SQLite and
//! PostgreSQL both (see `helpers::both!`).

// A failing unwrap in a test is a failing test: the lints against unwrap are for
// production code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod auth;
mod cache;
mod cli;
mod compatibility;
mod contract;
mod dashboard;
mod deadlines;
mod documents;
mod example;
mod export;
mod frontend_documents;
mod graphql;
mod hardening;
mod http;
mod import;
mod import_jobs;
mod lifecycle;
mod limits;
mod matrix;
mod membership;
mod migrations;
mod object_storage;
mod oidc;
mod onboarding;
mod outage;
mod outbox;
mod permissions;
mod plain;
mod plan;
mod positional;
mod qualification;
mod requests;
mod schema;
mod seed;
mod shutdown;
mod subscriptions;
mod worklists;
