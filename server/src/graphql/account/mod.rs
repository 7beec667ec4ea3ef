//! Accounts and tokens: `login`, `logout`, `me`, disabling accounts, third-party API tokens.

pub mod mutation;
pub mod object;
pub mod query;
