//! The integration tests of the server: one binary, every test against SQLite and
//! PostgreSQL both (see `helpers::both!`).

mod helpers;

mod cli;
mod export;
mod graphql;
mod http;
mod import;
mod schema;
