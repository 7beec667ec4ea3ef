//! The life cycle of a project after its contract (completion, verification, payment,
//! renunciation, revocation), the migration of each service (status, cut-over,
//! questionnaire) and the project's history.

pub mod mutation;
pub mod object;
pub mod query;
