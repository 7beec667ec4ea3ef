//! Deadlines: `Application.overdue`, the department's `overdueProjects` and
//! `setCallTerms`. The rules are `nuvola_shared::deadline`'s; the checker is
//! `service::deadlines`.

pub mod mutation;
pub mod object;
pub mod query;
