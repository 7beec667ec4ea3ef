//! The migration plan of a project: its planned services, visible only to those the
//! row-level rules of [`crate::service::access`] allow.

pub mod mutation;
pub mod object;
pub mod query;
pub mod subscription;
pub mod worklists;
