//! The Nuvola server as a library: the command-line binary (`src/main.rs`) only wires
//! these pieces together, and the tests call them directly.
//!
//! - [`db`]: connecting to SQLite or PostgreSQL and migrating.
//! - [`entity`]: the sea-orm entities of every table.
//! - [`opendata`]: reading and writing the PA digitale 2026 open-data files.
//! - [`service`]: the operations (import, export, queries, accounts), each in a transaction.
//! - [`graphql`]: the GraphQL schema, its errors and DataLoaders.
//! - [`changes`]: the change feed behind GraphQL subscriptions (the `event` table, with
//!   PostgreSQL's LISTEN/NOTIFY across replicas).
//! - [`http`]: the actix-web application: `/graphql`, `/healthz`, `/metrics`, the SPA.
//! - [`storage`]: the folder of uploaded documents' bytes.

pub mod audit;
pub mod changes;
pub mod db;
pub mod demo;
pub mod entity;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod opendata;
pub mod ratelimit;
pub mod seed;
pub mod service;
pub mod storage;
pub mod telemetry;

/// mimalloc rather than glibc's malloc, for every binary built on this library (the
/// server, its tests and benches). A profile of the public list under 32 clients on the
/// national data set spent a quarter of the server's CPU in glibc's malloc and free
/// (arenas shared by the HTTP workers and SQLite's connection threads).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The database used when neither `--database` nor `DATABASE_URL` is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://nuvola.db?mode=rwc";
/// The address used when neither `--bind` nor `NUVOLA_BIND` is given.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
