//! The department's imports of open data (upload, preview, confirm, follow) and the
//! data-quality warnings of the imported rows. Files are uploaded over plain HTTP
//! (`POST /api/imports`, `http::imports`); the rest is here.

pub mod mutation;
pub mod object;
pub mod query;
